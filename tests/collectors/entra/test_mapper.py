"""Graph userRegistrationDetails rows (a captured-shape report page) to exact identities,
covering every documented `methodsRegistered` value, a guest and unknown values."""

from __future__ import annotations

import json
from pathlib import Path

from collectors.entra import mapper
from vaultward.contract.records import OTHER_FACTORS, PHISHING_RESISTANT_FACTORS, Identity

PAYLOADS = Path(__file__).parent / "payloads"
TENANT = "5f1c2b7e-3d4a-4c8e-9b1f-acme00000001"


def identity(number: int, email: str, name: str, **fields) -> Identity:
    return Identity(
        key=f"entra:86462606-fde0-4fc4-9e0c-a20eb73e54{number:02d}",
        name=name,
        source="entra",
        account=TENANT,
        email=email,
        person=True,
        console_access=True,
        mfa_enforced=None,  # registration is not enforcement
        **fields,
    )


def test_every_row_shape_maps_exactly():
    page = json.loads((PAYLOADS / "user_registration_details.json").read_text())
    admin = {"privileged": True, "privileged_via": ["isAdmin"], "full_admin": None}  # which role: not said
    member = {"user_type": "member", "external": False, "full_admin": False}
    assert mapper.map_registrations(page["value"], TENANT) == [
        # The UPN's case is not the e-mail's: lower-cased so Alice matches her other accounts.
        identity(1, "alice@acme.example", "Alice Moreau", **{**member, **admin}, mfa_enrolled=True,
                 factor_kinds=["fido2", "passkey", "push"]),
        # Authenticator passwordless sign-in is phishable (Microsoft): push, not passkey.
        identity(2, "henry@acme.example", "Henry Adeyemi", **{**member, **admin}, mfa_enrolled=True,
                 factor_kinds=["hardware_totp", "push", "totp"]),
        identity(3, "kim@acme.example", "Kim Tanaka", **member, privileged=False, mfa_enrolled=True,
                 factor_kinds=["passkey"]),
        identity(4, "bob@acme.example", "Bob Okafor", **member, privileged=False, mfa_enrolled=True,
                 factor_kinds=["email", "security_question", "sms", "voice"]),
        identity(5, "leo@acme.example", "Leo Martins", **member, privileged=False, mfa_enrolled=True,
                 factor_kinds=["fido2", "password"]),
        identity(6, "ivan@acme.example", "Ivan Petrov", **member, privileged=False, mfa_enrolled=False),
        # A B2B guest (userType guest, #EXT# UPN): from outside; whether this tenant trusts their
        # home tenant's MFA is the collector's to say (cross-tenant access settings).
        identity(7, "judy_partner.example#ext#@acmeexchange.onmicrosoft.com", "Judy (Partner Audit)",
                 privileged=False, mfa_enrolled=False, user_type="guest", external=True, full_admin=False),
        # Unknown method and user type: kept and flagged, never dropped.
        identity(8, "mia@acme.example", "Mia Svensson", privileged=False, mfa_enrolled=True,
                 factor_kinds=["other:futureMethod", "push"], user_type="unknownFutureValue", external=False,
                 full_admin=False, anomalies=["methodsRegistered:futureMethod", "userType:unknownFutureValue"]),
    ]  # fmt: skip


def test_guests_by_microsofts_b2b_user_properties():
    """External guest (#EXT#, userType guest) and external member (#EXT#, userType member) sign
    in with their home tenant: trust as the cross-tenant settings say. An internal guest
    (userType guest, credentials of this tenant) does MFA here: its registration decides."""
    rows = {
        "external-guest": {"userPrincipalName": "ann_partner.example#EXT#@acme.onmicrosoft.com", "userType": "guest"},
        "external-member": {"userPrincipalName": "ben_sister.example#EXT#@acme.onmicrosoft.com", "userType": "member"},
        "internal-guest": {"userPrincipalName": "vendor-cam@acme.example", "userType": "guest"},
        "member": {"userPrincipalName": "dee@acme.example", "userType": "member"},
    }  # fmt: skip
    found = {
        key: mapper.map_registration({"id": key, **row}, TENANT, home_mfa_trusted=True)
        for key, row in rows.items()
    }
    assert {key: (i.external, i.home_mfa_trusted) for key, i in found.items()} == {
        "external-guest": (True, True),
        "external-member": (True, True),
        "internal-guest": (True, False),
        "member": (False, None),
    }


def test_phishing_resistant_methods_are_exactly_those_microsoft_lists():
    resistant = {m for m, kinds in mapper.METHOD_FACTORS.items() if set(kinds) & PHISHING_RESISTANT_FACTORS}
    assert resistant == {
        "fido2",
        "fido2SecurityKey",
        "passKeyDeviceBound",
        "passKeyDeviceBoundAuthenticator",
        "passKeyDeviceBoundWindowsHello",
        "passKeySynced",
        "windowsHelloForBusiness",
        "macOsSecureEnclaveKey",
    }
    for kinds in mapper.METHOD_FACTORS.values():  # every documented value maps into the vocabulary
        assert set(kinds) <= PHISHING_RESISTANT_FACTORS | OTHER_FACTORS


def test_missing_or_malformed_fields_are_unknown_and_flagged():
    row = {
        "id": "x1",
        "userPrincipalName": "Noor@Acme.example",
        "isMfaRegistered": "yes",
        "methodsRegistered": "sms",
    }
    assert mapper.map_registration(row, TENANT) == Identity(
        key="entra:x1",
        name="Noor@Acme.example",
        source="entra",
        account=TENANT,
        email="noor@acme.example",
        privileged=None,
        console_access=True,
        mfa_enrolled=None,
        anomalies=["isMfaRegistered:yes", "methodsRegistered:sms"],
        external=False,  # no userType, no #EXT#: a member of this tenant
    )


def test_an_unhashable_user_type_is_an_anomaly():
    # Regression (property tests): raised TypeError: unhashable type.
    row = {"id": "u-odd", "userPrincipalName": "odd@acme.example", "userType": {"kind": "member"}}
    identity = mapper.map_registration(row, TENANT)
    assert (identity.key, identity.anomalies[-1]) == ("entra:u-odd", "userType:{'kind': 'member'}")
