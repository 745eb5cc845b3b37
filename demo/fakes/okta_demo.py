"""Acme Exchange's Okta org for the demo: people with mixed MFA (security keys for some
admins, an admin with SMS only, a user without MFA, an unknown factor type), a service
account, a deprovisioned and a suspended user; one authentication policy whose office rule
lets engineers in with a password alone, and one authenticator enrolment policy. Its System
Log, dated from the demo's `now`, is demo/fakes/okta_log.py (its names are importable from here
too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from demo.fakes.okta import OktaData
from demo.fakes.okta_log import EVENT_NAMESPACE as EVENT_NAMESPACE
from demo.fakes.okta_log import NORMAL_BEHAVIORS as NORMAL_BEHAVIORS
from demo.fakes.okta_log import PLACES as PLACES
from demo.fakes.okta_log import acme_system_log, user_id
from demo.fakes.okta_log import event_uuid as event_uuid
from demo.fakes.okta_log import log_event as log_event

ORG = "acme.okta.com"
EVERYONE, ADMINS, ENGINEERING, HELPDESK = (
    "00g1everyone0000acme",
    "00g2admins000000acme",
    "00g3engineering0acme",
    "00g4helpdesk0000acme",
)
ACCESS_POLICY, ENROLL_POLICY = "rst1acmeapps00000001", "pol1acmeenroll000001"


def _user(login: str, first: str, last: str, status: str, created: str, last_login: str | None) -> dict:
    ident = user_id(login)
    return {
        "id": ident,
        "status": status,
        "created": created,
        "activated": None if status in ("STAGED", "PROVISIONED") else created,
        "statusChanged": created,
        "lastLogin": last_login,
        "lastUpdated": created,
        "passwordChanged": created,
        "type": {"id": "oty1acmedefault00001"},
        "profile": {
            "firstName": first,
            "lastName": last,
            "mobilePhone": None,
            "secondEmail": None,
            "login": login,
            "email": login,
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"https://{ORG}/api/v1/users/{ident}"}},
    }


def _factor(n: int, factor_type: str, provider: str, status: str = "ACTIVE", **profile: Any) -> dict:
    return {
        "id": f"fac{factor_type.replace(':', '')[:6]}{n:011d}",
        "factorType": factor_type,
        "provider": provider,
        "vendorName": provider,
        "status": status,
        "created": "2026-03-02T09:00:00.000Z",
        "lastUpdated": "2026-03-02T09:00:00.000Z",
        "profile": profile,
    }


def _role(n: int, role_type: str, label: str, assignment: str = "USER") -> dict:
    return {
        "id": f"ra1{role_type[:6].lower()}{n:011d}",
        "label": label,
        "type": role_type,
        "status": "ACTIVE",
        "created": "2026-01-15T10:00:00.000Z",
        "lastUpdated": "2026-01-15T10:00:00.000Z",
        "assignmentType": assignment,
    }


def _group(ident: str, name: str, kind: str = "OKTA_GROUP") -> dict:
    return {"id": ident, "type": kind, "profile": {"name": name, "description": f"{name} at Acme Exchange"}}


def _people(conditions_groups: list[str], network: dict | None = None) -> dict:
    conditions: dict[str, Any] = (
        {"people": {"groups": {"include": conditions_groups}}} if conditions_groups else {}
    )
    if network:
        conditions["network"] = network
    return conditions


def _access_rule(
    n: int,
    name: str,
    priority: int,
    mode: str,
    conditions: dict,
    phishing_resistant: bool = False,
    status: str = "ACTIVE",
) -> dict:
    possession: dict[str, Any] = {"required": True}
    if phishing_resistant:
        possession["phishingResistant"] = "REQUIRED"
    return {
        "id": f"rul{n:017d}",
        "name": name,
        "priority": priority,
        "status": status,
        "system": priority == 99,
        "type": "ACCESS_POLICY",
        "conditions": conditions or None,
        "actions": {
            "appSignOn": {
                "access": "ALLOW",
                "verificationMethod": {
                    "type": "ASSURANCE",
                    "factorMode": mode,
                    "reauthenticateIn": "PT2H",
                    "constraints": [{"possession": possession}] if mode == "2FA" else [],
                },
            }
        },
    }


def acme_exchange_okta(now: datetime | None = None) -> OktaData:
    """The org, its System Log dated back from `now` (default: the clock)."""
    people = [
        # login, first, last, status, created, last login
        (
            "alice@acme.example",
            "Alice",
            "Nakamura",
            "ACTIVE",
            "2024-02-01T09:00:00.000Z",
            "2026-11-23T08:12:00.000Z",
        ),
        (
            "bob@acme.example",
            "Bob",
            "Okafor",
            "ACTIVE",
            "2024-02-01T09:05:00.000Z",
            "2026-11-22T17:40:00.000Z",
        ),
        (
            "carol@acme.example",
            "Carol",
            "Lindqvist",
            "ACTIVE",
            "2024-05-13T09:00:00.000Z",
            "2026-11-23T07:55:00.000Z",
        ),
        (
            "dave@acme.example",
            "Dave",
            "Moreau",
            "ACTIVE",
            "2025-01-06T09:00:00.000Z",
            "2026-11-20T12:00:00.000Z",
        ),
        (
            "erin@acme.example",
            "Erin",
            "Castillo",
            "ACTIVE",
            "2025-03-17T09:00:00.000Z",
            "2026-11-21T09:30:00.000Z",
        ),
        (
            "frank@acme.example",
            "Frank",
            "Weber",
            "DEPROVISIONED",
            "2023-09-04T09:00:00.000Z",
            "2026-06-30T16:00:00.000Z",
        ),
        (
            "api-bot@acme.example",
            "API",
            "Bot",
            "ACTIVE",
            "2024-06-01T09:00:00.000Z",
            "2026-11-23T06:00:00.000Z",
        ),
        (
            "grace@acme.example",
            "Grace",
            "Hopkins",
            "ACTIVE",
            "2024-08-19T09:00:00.000Z",
            "2026-11-23T09:01:00.000Z",
        ),
        (
            "heidi@acme.example",
            "Heidi",
            "Schmid",
            "SUSPENDED",
            "2024-10-07T09:00:00.000Z",
            "2026-09-12T11:00:00.000Z",
        ),
        (
            "ivan@acme.example",
            "Ivan",
            "Petrov",
            "LOCKED_OUT",
            "2025-02-10T09:00:00.000Z",
            "2026-11-18T10:10:00.000Z",
        ),
        ("judy@acme.example", "Judy", "Mensah", "STAGED", "2026-11-20T09:00:00.000Z", None),
        (
            "mallory@acme.example",
            "Mallory",
            "Quinn",
            "PASSWORD_EXPIRED",
            "2025-06-02T09:00:00.000Z",
            "2026-10-01T09:00:00.000Z",
        ),
        (
            "peggy@acme.example",
            "Peggy",
            "Tanaka",
            "ACTIVE",
            "2025-07-14T09:00:00.000Z",
            "2026-11-23T10:20:00.000Z",
        ),
    ]
    users = [_user(*person) for person in people]
    users[1]["profile"]["email"] = "Bob@Acme.Example"  # e-mails come as typed; resolution lower-cases
    uid = {login: user_id(login) for login, *_ in people}
    factors = {
        uid["alice@acme.example"]: [
            _factor(1, "webauthn", "FIDO", authenticatorName="YubiKey 5 NFC"),
            _factor(2, "push", "OKTA", name="Alice's iPhone", platform="IOS"),
        ],
        uid["bob@acme.example"]: [_factor(3, "sms", "OKTA", phoneNumber="+41 79 *** ** 12")],
        uid["carol@acme.example"]: [
            _factor(4, "push", "OKTA", name="Pixel 8", platform="ANDROID"),
            _factor(5, "token:software:totp", "GOOGLE", credentialId="carol@acme.example"),
        ],
        uid["dave@acme.example"]: [
            _factor(6, "sms", "OKTA", "PENDING_ACTIVATION", phoneNumber="+44 7700 ***123")
        ],
        uid["erin@acme.example"]: [
            _factor(7, "claims_provider", "CUSTOM"),
            _factor(8, "email", "OKTA", email="erin@acme.example"),
        ],
        uid["grace@acme.example"]: [
            _factor(9, "signed_nonce", "OKTA", name="Grace's MacBook", platform="MACOS")
        ],
        uid["heidi@acme.example"]: [_factor(10, "u2f", "FIDO")],
        uid["ivan@acme.example"]: [_factor(11, "token:hardware", "YUBICO", credentialId="ivan-yubikey")],
        uid["mallory@acme.example"]: [
            _factor(12, "call", "OKTA", phoneNumber="+1 415 *** 0199"),
            _factor(13, "question", "OKTA", question="name_of_first_plush_toy"),
        ],
        uid["peggy@acme.example"]: [
            _factor(14, "token:hotp", "CUSTOM"),
            _factor(15, "webauthn", "FIDO", "PENDING_ACTIVATION"),
            _factor(16, "web", "DUO"),
        ],
    }
    roles = {
        uid["alice@acme.example"]: [_role(1, "SUPER_ADMIN", "Super Administrator")],
        uid["bob@acme.example"]: [_role(2, "ORG_ADMIN", "Organizational Administrator")],
        uid["api-bot@acme.example"]: [_role(3, "APP_ADMIN", "Application Administrator")],
        uid["grace@acme.example"]: [_role(4, "READ_ONLY_ADMIN", "Read Only Administrator")],
        uid["peggy@acme.example"]: [_role(5, "HELP_DESK_ADMIN", "Help Desk Administrator", "GROUP")],
    }
    groups = {
        EVERYONE: _group(EVERYONE, "Everyone", "BUILT_IN"),
        ADMINS: _group(ADMINS, "Okta Admins"),
        ENGINEERING: _group(ENGINEERING, "Engineering"),
        HELPDESK: _group(HELPDESK, "IT Helpdesk"),
    }
    members = {
        EVERYONE: [u["id"] for u in users],
        ADMINS: [uid["alice@acme.example"], uid["grace@acme.example"]],
        ENGINEERING: [uid[f"{n}@acme.example"] for n in ("bob", "carol", "dave", "erin", "peggy")],
        HELPDESK: [uid["peggy@acme.example"]],
    }
    access_policy = {
        "id": ACCESS_POLICY,
        "name": "Acme Exchange apps",
        "type": "ACCESS_POLICY",
        "status": "ACTIVE",
        "system": False,
        "priority": 1,
        "conditions": None,
        "created": "2024-02-01T09:00:00.000Z",
        "lastUpdated": "2026-10-05T14:00:00.000Z",
    }
    office = {"connection": "ZONE", "include": ["nzo1acmeofficezurich"]}
    enroll_policy = {
        "id": ENROLL_POLICY,
        "name": "Default Policy",
        "type": "MFA_ENROLL",
        "status": "ACTIVE",
        "system": True,
        "priority": 1,
        "conditions": {"people": {"groups": {"include": [EVERYONE]}}},
        "settings": {
            "type": "AUTHENTICATORS",
            "authenticators": [
                {"key": "okta_password", "enroll": {"self": "REQUIRED"}},
                {"key": "okta_verify", "enroll": {"self": "REQUIRED"}},
                {"key": "security_key", "enroll": {"self": "OPTIONAL"}},
                {"key": "phone_number", "enroll": {"self": "OPTIONAL"}},
                {"key": "okta_email", "enroll": {"self": "OPTIONAL"}},
                {"key": "security_question", "enroll": {"self": "NOT_ALLOWED"}},
            ],
        },
    }
    return OktaData(
        events=acme_system_log(now or datetime.now(UTC)),
        users=users,
        factors=factors,
        roles=roles,
        groups=groups,
        members=members,
        policies={"ACCESS_POLICY": [access_policy], "MFA_ENROLL": [enroll_policy]},
        rules={
            ACCESS_POLICY: [
                _access_rule(1, "Okta admins: phishing-resistant", 0, "2FA", _people([ADMINS]), True),
                _access_rule(
                    2, "Engineering in the office: password only", 1, "1FA", _people([ENGINEERING], office)
                ),
                _access_rule(3, "Legacy: password only", 2, "1FA", {}, status="INACTIVE"),
                _access_rule(4, "Catch-all Rule", 99, "2FA", {}),
            ],
            ENROLL_POLICY: [
                {
                    "id": "rul1acmeenrolldefault",
                    "name": "Default Rule",
                    "priority": 99,
                    "status": "ACTIVE",
                    "system": True,
                    "type": "MFA_ENROLL",
                    "conditions": {"network": {"connection": "ANYWHERE"}},
                    "actions": {"enroll": {"self": "CHALLENGE"}},
                }
            ],
        },
    )
