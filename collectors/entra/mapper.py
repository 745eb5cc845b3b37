"""Pure mapping from Microsoft Graph `userRegistrationDetails` to `Identity` records.

Rules:
- Key `entra:<id>` (the user's object id), e-mail the `userPrincipalName` in lower case
  (a guest's UPN is the `..#EXT#@tenant` form, not their home address), name the display name.
- `privileged` is `isAdmin` (the user holds an Entra admin role; the report does not say
  which, so `admin_roles` stays empty and `privileged_via` is `["isAdmin"]`).
- `mfa_enrolled` is `isMfaRegistered`. Registration is not enforcement (and `isMfaCapable` only
  adds "the method is allowed by the authentication methods policy"): `mfa_enforced` is what
  `policy_mapper` judges from Conditional Access and security defaults, given by the collector,
  None when those could not be read.
- `methodsRegistered` becomes `factor_kinds` by `METHOD_FACTORS`. Phishing-resistant kinds
  only for what Microsoft lists as phishing-resistant ("Authentication and verification
  methods in Microsoft Entra ID"): FIDO2 security keys (`fido2`), passkeys device-bound,
  in Authenticator, in Windows Hello, synced (`passkey`), Windows Hello for Business and
  Platform Credential for macOS (`passkey`: device-bound platform credentials). Microsoft
  lists Authenticator passwordless sign-in as phishable, so it is `push`.
- A method value outside the table is kept as `other:<value>` and listed in `anomalies` as
  `methodsRegistered:<value>`; so is an unknown `userType` (`userType:<value>`).
- The report has no account state, creation or sign-in time: `suspended` stays False,
  `created_at` / `last_used_at` None (`lastUpdatedDateTime` is when the report row changed).
- `user_type` is `userType` as given (`member`, `guest`). `external` follows Microsoft's
  "Properties of a Microsoft Entra B2B collaboration user": a B2B collaboration user's UPN
  holds `#EXT#` (an external guest, or an external member of a multitenant organisation: they
  sign in with their home tenant's credentials), and `userType: guest` without it is an
  internal guest (an outsider given credentials of this tenant). `creationType: Invitation`
  and `externalUserState` say the same on the user resource, which this report does not carry.
- `home_mfa_trusted`: an internal guest signs in, and does MFA, in this tenant: False. For a
  B2B collaboration user it is what cross-tenant access settings say (inboundTrust
  `isMfaAccepted`), given by the collector; None when those were not read. Microsoft: the
  resource tenant is responsible for a B2B user's MFA unless it trusts the home tenant's.
- `full_admin`: the report's `isAdmin` does not say which role: None for an admin, False
  otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collectors.entra.policy_mapper import User
from vaultward.contract.records import Identity

SOURCE = "entra"
USER_TYPES = frozenset({"member", "guest"})

METHOD_FACTORS: dict[str, tuple[str, ...]] = {
    # phishing-resistant
    "fido2": ("fido2",),  # the older name of fido2SecurityKey, still in Microsoft's examples
    "fido2SecurityKey": ("fido2",),
    "passKeyDeviceBound": ("passkey",),
    "passKeyDeviceBoundAuthenticator": ("passkey",),
    "passKeyDeviceBoundWindowsHello": ("passkey",),
    "passKeySynced": ("passkey",),
    "windowsHelloForBusiness": ("passkey",),
    "macOsSecureEnclaveKey": ("passkey",),
    # phishable
    "microsoftAuthenticatorPush": ("push",),
    "microsoftAuthenticatorPasswordless": ("push",),  # phone sign-in: approve a notification
    "softwareOneTimePasscode": ("totp",),
    "hardwareOneTimePasscode": ("hardware_totp",),
    "mobilePhone": ("sms", "voice"),  # a mobile number serves SMS codes and calls
    "alternateMobilePhone": ("voice",),
    "officePhone": ("voice",),
    "email": ("email",),
    "securityQuestion": ("security_question",),
    # A time-limited passcode an admin issues: phishable, and closest to a password. A
    # `temporary_access_pass` kind in the vocabulary would say it exactly.
    "temporaryAccessPass": ("password",),
    "none": (),
}


def factor_kinds(methods: Iterable[Any]) -> tuple[list[str], list[str]]:
    """Factor kinds of the registered methods (sorted, unique) and the anomalies found."""
    kinds: set[str] = set()
    anomalies: list[str] = []
    for method in methods:
        known = METHOD_FACTORS.get(str(method))
        if known is None:
            kinds.add(f"other:{method}")
            anomalies.append(f"methodsRegistered:{method}")
        else:
            kinds.update(known)
    return sorted(kinds), anomalies


def _flag(row: Mapping[str, Any], field: str, anomalies: list[str]) -> bool | None:
    value = row.get(field)
    if value is None or isinstance(value, bool):
        return value
    anomalies.append(f"{field}:{value}")
    return None


def policy_user(row: Mapping[str, Any]) -> User:
    """What Conditional Access scoping needs to know of a report row."""
    user_type = row.get("userType")
    return User(
        str(row["id"]), str(user_type) if user_type else None, str(row.get("userPrincipalName") or "")
    )


def collaboration_user(row: Mapping[str, Any]) -> bool:
    """A B2B collaboration user (guest or member) signing in with another tenant's credentials."""
    return "#ext#" in str(row.get("userPrincipalName") or "").lower()


def map_registration(
    row: Mapping[str, Any],
    tenant_id: str,
    mfa_enforced: bool | None = None,
    home_mfa_trusted: bool | None = None,
) -> Identity:
    """`home_mfa_trusted`: whether cross-tenant access settings accept B2B users' home-tenant
    MFA (see the module's rules); applied to collaboration users only."""
    anomalies: list[str] = []
    admin = _flag(row, "isAdmin", anomalies)
    registered = _flag(row, "isMfaRegistered", anomalies)
    methods = row.get("methodsRegistered")
    if methods is None:
        methods = []
    elif not isinstance(methods, list):
        anomalies.append(f"methodsRegistered:{methods}")
        methods = []
    kinds, method_anomalies = factor_kinds(methods)
    anomalies += method_anomalies
    user_type = row.get("userType")
    if user_type is not None and not (isinstance(user_type, str) and user_type in USER_TYPES):
        anomalies.append(f"userType:{user_type}")
    upn = str(row.get("userPrincipalName") or "")
    collaboration = collaboration_user(row)
    internal_guest = str(user_type).lower() == "guest" and not collaboration
    return Identity(
        key=f"entra:{row['id']}",
        name=str(row.get("userDisplayName") or upn),
        source=SOURCE,
        account=tenant_id,
        email=upn.lower(),
        person=True,
        privileged=admin,
        privileged_via=["isAdmin"] if admin else [],
        console_access=True,  # every Entra user can sign in interactively unless disabled
        mfa_enrolled=registered,
        factor_kinds=kinds,
        mfa_enforced=mfa_enforced,
        anomalies=anomalies,
        user_type=str(user_type) if isinstance(user_type, str) else "",
        external=collaboration or internal_guest,
        home_mfa_trusted=home_mfa_trusted if collaboration else (False if internal_guest else None),
        full_admin=None if admin is not False else False,
    )


def map_registrations(rows: Iterable[Mapping[str, Any]], tenant_id: str) -> list[Identity]:
    return [map_registration(row, tenant_id) for row in rows]
