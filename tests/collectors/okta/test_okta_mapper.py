"""Okta mapper from payloads shaped as the Management API documents them: every user status,
factor type, factor status and provider, role type, policy rule form and enrolment setting,
plus unknown values (kept and flagged)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.okta import mapper, policy_mapper
from vaultward.contract.records import Identity, MfaPolicy

PAYLOADS = Path(__file__).parent / "payloads"
ACCOUNT = "acme.okta.com"
CREATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
LAST_LOGIN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def user_id(n: int) -> str:
    return f"00u{n:017d}"


# --- users ---------------------------------------------------------------------------------


def test_every_user_status():
    users = load("users.json")
    identities = [mapper.map_user(u, [], [], ACCOUNT, None) for u in users]

    def identity(n: int, login: str, **fields: Any) -> Identity:
        values: dict[str, Any] = dict(
            key=f"okta:{user_id(n)}",
            name=login,
            source="okta",
            account=ACCOUNT,
            email=login,
            person=True,
            privileged=False,
            full_admin=False,
            console_access=True,
            mfa_enrolled=False,
            created_at=CREATED,
            last_used_at=LAST_LOGIN,
        )
        values.update(fields)
        return Identity(**values)

    assert identities == [
        identity(1, "active@acme.example"),  # e-mail given as ACTIVE@ACME.EXAMPLE
        identity(2, "staged@acme.example", console_access=False, last_used_at=None),
        identity(3, "provisioned@acme.example", console_access=False, last_used_at=None),
        identity(4, "recovery@acme.example"),
        identity(5, "locked-out@acme.example"),
        identity(6, "password-expired@acme.example"),
        identity(7, "suspended@acme.example", console_access=False, suspended=True),
        identity(8, "deprovisioned@acme.example", console_access=False, suspended=True),
        identity(
            9, "archived@acme.example", console_access=None, anomalies=["unknown user status 'ARCHIVED'"]
        ),
        # Okta marks no user as a service account: machine_patterns are the core's (vaultward.derived.people).
        identity(10, "svc-deploy@acme.example"),
    ]
    assert users[0]["profile"]["email"] == "ACTIVE@ACME.EXAMPLE"


def test_factors_unread_means_enrolment_unknown():
    user = load("users.json")[7]  # DEPROVISIONED: the collector does not read its factors
    assert mapper.map_user(user, None, [], ACCOUNT, None).mfa_enrolled is None


FACTOR_KINDS = {
    "call": "voice",
    "email": "email",
    "hotp": "totp",
    "push": "push",
    "question": "security_question",
    "sms": "sms",
    "token": "totp",
    "token:hardware": "hardware_totp",
    "token:hotp": "totp",
    "token:software:totp": "totp",
    "u2f": "u2f",
    "web": "push",
    "webauthn": "webauthn",
    "signed_nonce": "passkey",
}


@pytest.mark.parametrize("factor", load("factors.json")["every_type_active"], ids=lambda f: f["factorType"])
def test_each_documented_factor_type_and_provider(factor):
    assert mapper.factor_kinds([factor]) == ([FACTOR_KINDS[factor["factorType"]]], [])


def test_only_active_factors_count():
    payload = load("factors.json")
    assert mapper.factor_kinds(payload["every_other_status"]) == ([], [])
    assert mapper.factor_kinds(payload["every_type_active"] + payload["every_other_status"]) == (
        [
            "email",
            "hardware_totp",
            "passkey",
            "push",
            "security_question",
            "sms",
            "totp",
            "u2f",
            "voice",
            "webauthn",
        ],
        [],
    )


def test_unknown_factor_values_are_kept_and_flagged():
    kinds, anomalies = mapper.factor_kinds(load("factors.json")["unknown_values"])
    assert kinds == ["other:claims_provider", "push"]
    assert anomalies == [
        "factor fac00000000000000030: unknown factorType 'claims_provider'",
        "factor fac00000000000000031: unknown status 'REVOKED'",
        "factor fac00000000000000032: unknown provider 'ACME_MFA'",
    ]


def test_an_unknown_factor_makes_the_user_enrolled_and_flagged():
    user = load("users.json")[0]
    identity = mapper.map_user(user, load("factors.json")["unknown_values"][:1], [], ACCOUNT, True)
    assert (
        identity.mfa_enrolled,
        identity.factor_kinds,
        identity.phishing_resistant,
        identity.mfa_enforced,
    ) == (
        True,
        ["other:claims_provider"],
        False,
        True,
    )
    assert identity.anomalies == ["factor fac00000000000000030: unknown factorType 'claims_provider'"]


def test_every_role_type_counts_as_privileged():
    roles = load("roles.json")
    names, routes, anomalies = mapper.admin_roles(roles)
    documented = [r["type"] for r in roles[:12]]
    assert names == sorted([*documented, "CUSTOM:Treasury approvers admin", "WALLET_ADMIN"])
    assert routes == sorted(
        [f"user:{t}" for t in documented]
        + ["group:CUSTOM:Treasury approvers admin", "group:SUPER_ADMIN", "user:WALLET_ADMIN"]
    )
    assert anomalies == ["role ra100000000000000023: unknown type 'WALLET_ADMIN'"]

    read_only = mapper.map_user(load("users.json")[0], [], roles[5:6], ACCOUNT, None)
    assert (read_only.privileged, read_only.admin_roles, read_only.privileged_via) == (
        True,
        ["READ_ONLY_ADMIN"],
        ["user:READ_ONLY_ADMIN"],
    )
    inactive = mapper.map_user(load("users.json")[0], [], roles[-2:-1], ACCOUNT, None)
    assert (inactive.privileged, inactive.admin_roles) == (False, [])


def test_only_super_and_org_admins_hold_the_whole_org():
    """Okta's standard roles: SUPER_ADMIN and ORG_ADMIN administer the org; every other role
    (APP_ADMIN, REPORT_ADMIN, HELP_DESK_ADMIN, READ_ONLY_ADMIN, ...) is scoped."""
    roles = {role["type"]: role for role in load("roles.json")[:12]}
    user = load("users.json")[0]
    full = {t: mapper.map_user(user, [], [role], ACCOUNT, None).full_admin for t, role in roles.items()}
    assert {t for t, flag in full.items() if flag} == {"SUPER_ADMIN", "ORG_ADMIN"}
    assert all(flag is False for t, flag in full.items() if t not in ("SUPER_ADMIN", "ORG_ADMIN"))
    assert mapper.map_user(user, [], None, ACCOUNT, None).full_admin is None  # roles unread


# --- authentication policies ---------------------------------------------------------------

SIGNERS, ENGINEERING, CONTRACTORS = "00gsigners0000000001", "00gengineering000001", "00gcontractors000001"
NAMES = {SIGNERS: "Signers", ENGINEERING: "Engineering", "00geveryone000000001": "Everyone"}


def test_access_policy_rules():
    payload = load("access_policy.json")
    records = policy_mapper.map_access_policy(payload["policy"], payload["rules"], NAMES)

    def rule(n: int, name: str, **fields: Any) -> MfaPolicy:
        values: dict[str, Any] = dict(
            key=f"okta:rst00000000000000001/rul{n:017d}",
            name=f"Treasury console / {name}",
            source="okta",
            policy_kind="ACCESS_POLICY",
            active=True,
            applies_to=["everyone"],
        )
        values.update(fields)
        return MfaPolicy(**values)

    break_glass = f"user:{user_id(9)}"
    assert records == [
        rule(
            1,
            "Signers: phishing-resistant",
            applies_to=["group:Signers"],
            requires_mfa=True,
            phishing_resistant_required=True,
        ),
        rule(2, "Contractors: blocked", applies_to=[f"group:{CONTRACTORS}"], requires_mfa=True),
        rule(
            3,
            "Office: password only",
            applies_to=["group:Engineering", "except group:Signers"],
            requires_mfa=False,
            phishing_resistant_required=False,
        ),
        rule(
            4,
            "Break-glass: key or hardware",
            applies_to=[break_glass],
            requires_mfa=True,
            phishing_resistant_required=False,
        ),
        rule(
            5,
            "Chained sign-in",
            anomalies=[f"rule rul{5:017d}: verificationMethod 'AUTH_METHOD_CHAIN' not evaluated"],
        ),
        rule(
            6,
            "Odd mode",
            applies_to=["everyone", f"except {break_glass}"],
            phishing_resistant_required=False,
            anomalies=[f"rule rul{6:017d}: unknown factorMode '3FA'"],
        ),
        rule(7, "Old rule", active=False, requires_mfa=False, phishing_resistant_required=False),
        rule(8, "Catch-all Rule", requires_mfa=True, phishing_resistant_required=False),
    ]
    assert policy_mapper.referenced_groups([(payload["policy"], payload["rules"])]) == [
        CONTRACTORS,
        ENGINEERING,
        SIGNERS,
    ]


@pytest.mark.parametrize(
    ("who", "groups", "enforced"),
    [
        ("signer", {SIGNERS, ENGINEERING}, True),  # their own rule always applies first
        ("contractor", {CONTRACTORS}, True),  # denied: no one-factor path
        ("engineer", {ENGINEERING}, False),  # the office rule lets them in with a password
        (user_id(9), set(), True),  # break-glass rule applies before the undecidable ones
        ("anyone else", set(), None),  # a method chain and an unknown factorMode may apply
    ],
)
def test_mfa_enforced_walks_the_rules_a_user_may_meet(who, groups, enforced):
    payload = load("access_policy.json")
    assert policy_mapper.mfa_enforced(who, groups, [(payload["policy"], payload["rules"])]) is enforced


def test_mfa_enforced_needs_every_active_policy():
    payload = load("access_policy.json")
    strict = (payload["policy"] | {"id": "rst2"}, payload["rules"][-1:])
    one_factor = {"access": "ALLOW", "verificationMethod": {"type": "ASSURANCE", "factorMode": "1FA"}}
    lax = (
        payload["policy"] | {"id": "rst3"},
        [payload["rules"][-1] | {"actions": {"appSignOn": one_factor}}],
    )
    inactive = (payload["policy"] | {"status": "INACTIVE"}, payload["rules"])
    assert policy_mapper.mfa_enforced("x", set(), [strict]) is True
    assert policy_mapper.mfa_enforced("x", set(), [strict, lax]) is False
    assert policy_mapper.mfa_enforced("x", set(), [inactive]) is None
    assert policy_mapper.mfa_enforced("x", set(), []) is None


# --- enrolment policies --------------------------------------------------------------------


def test_enrolment_policies_both_schemas():
    records = [
        policy_mapper.map_enroll_policy(p["policy"], p["rules"], NAMES) for p in load("enroll_policies.json")
    ]

    def policy(n: int, name: str, **fields: Any) -> MfaPolicy:
        values: dict[str, Any] = dict(
            key=f"okta:pol{n:017d}", name=name, source="okta", policy_kind="MFA_ENROLL", active=True
        )
        values.update(fields)
        return MfaPolicy(**values)

    assert records == [
        policy(
            1,
            "Everyone: authenticators",
            applies_to=["group:Everyone"],
            requires_mfa=False,
            phishing_resistant_required=False,
            allowed_factors=[
                "email",
                "hardware_totp",
                "passkey",
                "password",
                "push",
                "security_question",
                "smart_card",
                "sms",
                "totp",
                "voice",
                "webauthn",
            ],
        ),
        policy(
            2,
            "Signers: security key required",
            applies_to=["group:Signers"],
            requires_mfa=True,
            phishing_resistant_required=True,
            allowed_factors=["password", "webauthn"],
        ),
        # SMS required, but the only rule never enrols anyone
        policy(
            3,
            "Classic: factors",
            active=False,
            applies_to=["group:Everyone"],
            requires_mfa=False,
            phishing_resistant_required=False,
            allowed_factors=["sms"],
        ),
        policy(
            4,
            "Odd values",
            active=False,
            applies_to=["everyone"],
            requires_mfa=True,
            phishing_resistant_required=False,
            allowed_factors=["other:external_idp", "password"],
            anomalies=[
                "policy pol00000000000000004: unknown status 'DRAFT'",
                "unknown authenticator key 'external_idp'",
                "okta_verify: unknown enroll setting 'SOMETIMES'",
                "rule rul0000000000000e004: unknown enroll 'ALWAYS'",
            ],
        ),
    ]


def test_every_classic_factor_key_is_known():
    classic = load("enroll_policies.json")[2]["policy"]
    opened = {k: v | {"enroll": {"self": "OPTIONAL"}} for k, v in classic["settings"]["factors"].items()}
    record = policy_mapper.map_enroll_policy(classic | {"settings": {"factors": opened}}, [], NAMES)
    assert record.anomalies == []
    assert record.allowed_factors == [
        "email",
        "hardware_totp",
        "password",
        "push",
        "security_question",
        "sms",
        "totp",
        "u2f",
        "voice",
        "webauthn",
    ]


# Regressions found by the property tests (tests/reliability/): each raised before.


def test_unreadable_user_fields_are_anomalies_not_errors():
    user = {
        "id": "00u-odd",
        "status": "ACTIVE",
        "profile": ["not", "an", "object"],  # AttributeError
        "created": "2026-13-45T99:99:99Z",  # ValueError
        "lastLogin": ["2026-01-01"],  # AttributeError
    }
    factors = [{"id": "f1", "factorType": "push", "status": "ACTIVE", "provider": ["OKTA"]}]  # unhashable
    identity = mapper.map_user(user, factors, [], ACCOUNT, None)
    assert (identity.key, identity.name, identity.created_at, identity.last_used_at) == (
        "okta:00u-odd",
        "",
        None,
        None,
    )
    assert identity.factor_kinds == ["push"]
    assert identity.anomalies == [
        "profile is not an object: ['not', 'an', 'object']",
        "created '2026-13-45T99:99:99Z' is not a timestamp",
        "lastLogin ['2026-01-01'] is not a timestamp",
        "factor f1: unknown provider ['OKTA']",
    ]


def test_unreadable_policy_shapes_never_enforce_and_never_raise():
    policy = {"id": "p1", "name": "Odd", "status": ["ACTIVE"]}  # unhashable status
    rules = [
        {
            "id": "r1",
            "status": "ACTIVE",
            "priority": "first",
            "conditions": {"people": "everyone"},
            "actions": "allow",
        },
    ]
    [record] = policy_mapper.map_access_policy(policy, rules, {})
    assert (record.key, record.active, record.requires_mfa) == ("okta:p1/r1", False, None)
    assert record.anomalies[0] == "policy p1: unknown status ['ACTIVE']"
    # A priority that is not a number leaves the rule order, so enforcement, unknown.
    active_policy = {**policy, "status": "ACTIVE"}
    assert policy_mapper.mfa_enforced("00u1", set(), [(active_policy, rules)]) is None
    enroll = policy_mapper.map_enroll_policy(
        {"id": "e1", "status": "ACTIVE", "settings": {"authenticators": ["webauthn"], "factors": []}},
        [{"id": "er1", "status": "ACTIVE", "actions": {"enroll": {"self": ["CHALLENGE"]}}}],
        {},
    )
    assert "rule er1: unknown enroll ['CHALLENGE']" in enroll.anomalies
