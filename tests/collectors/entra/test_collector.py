"""The Entra collector end to end against the loopback fake: the client-credentials token,
three pages each of userRegistrationDetails and Conditional Access policies linked by
@odata.nextLink, security defaults, group members, a 429 with Retry-After, a 5xx, a 401, a
refused secret, permissions not granted (403), a group not found (404), a malformed body,
stored through run_scope on both stores. The sign-in and audit logs: test_signin_log."""

from __future__ import annotations

import pytest

from collectors.entra import EntraCollector, policy_mapper
from demo.fakes.entra import (
    DEMO_CLIENT_ID,
    DEMO_TENANT_ID,
    demo_entra_data,
    make_entra_fake,
)
from demo.fakes.entra_policies import TRADING_DESK
from tests.collectors.store_rows import assert_no_secret, stored
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import Identity, MfaPolicy, Record
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

SECRET = "Qx58Q~acme-test-client-secret-9f2e71"  # noqa: S105 - the fake's dummy credential
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.test-graph-token-51c0"  # noqa: S105
REPORT = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
POLICIES = "/v1.0/identity/conditionalAccess/policies"
DEFAULTS = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
DESK_MEMBERS = f"/v1.0/groups/{TRADING_DESK}/transitiveMembers"
CROSS_TENANT = "/v1.0/policies/crossTenantAccessPolicy/default"
PARTNERS = "/v1.0/policies/crossTenantAccessPolicy/partners"
GUEST = 5  # Judy, a partner's B2B guest (#EXT# UPN, userType guest)
# Conditional Access in the demo tenant: everyone but Bob and Ivan (the trading desk's office
# exception) and Judy (a guest; the guests' policy only reports) must use MFA.
ENFORCED = {1: True, 2: False, 3: True, 4: False, 5: False, 6: True, 7: True}
# The trading desk (excluded from the baseline policy) unread: everyone the baseline policy
# would cover were the desk to exclude nobody is unknown; 5 stays False (no policy covers her
# whatever the desk holds).
DESK_UNREAD = {**dict.fromkeys(ENFORCED, None), 5: False}
SCOPE = f"entra:{DEMO_TENANT_ID}"
SIGN_INS = "/v1.0/auditLogs/signIns"
AUDITS = "/v1.0/auditLogs/directoryAudits"
# The demo's logs in the default 14-day window: 7 sign-ins, 1 security-info registration, and
# the SigninLog (test_signin_log checks them)
LOG_RECORDS = 7 + 1 + 1


@pytest.fixture
def fake():
    with make_fake() as api:
        yield api


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("ENTRA_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", SECRET)


def make_fake(**options):
    return make_entra_fake(demo_entra_data(), SECRET, token=ACCESS_TOKEN, page_size=3, **options)


def collector(fake, sleeps: list[float] | None = None, **options) -> EntraCollector:
    section = {"tenant_id": DEMO_TENANT_ID, "graph_url": fake.base_url, "login_url": fake.base_url, **options}
    instance = EntraCollector(parse_settings({"sources": {"entra": section}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def expected(enforced: dict[int, bool | None] = ENFORCED, trusted: bool | None = False) -> list[Identity]:
    """`trusted`: whether the tenant accepts the guest's home-tenant MFA (the demo tenant keeps
    the service default, which trusts no external organisation's MFA)."""
    rows = [
        # n, e-mail (UPN lower-cased), name, admin, MFA registered, factor kinds, anomalies
        (1, "alice@acme.example", "Alice Moreau", True, True, ["fido2", "passkey", "push"], []),
        (2, "bob@acme.example", "Bob Okafor", False, True, ["email", "sms", "voice"], []),
        (3, "henry@acme.example", "Henry Adeyemi", True, True, ["push", "totp"], []),
        (4, "ivan@acme.example", "Ivan Petrov", False, False, [], []),
        (
            5,
            "judy_partner.example#ext#@acmeexchange.onmicrosoft.com",
            "Judy (Partner Audit)",
            False,
            False,
            ["email"],
            [],
        ),
        (
            6,
            "kim@acme.example",
            "Kim Tanaka",
            False,
            True,
            ["other:futureMethod", "passkey"],
            ["methodsRegistered:futureMethod"],
        ),
        (7, "leo@acme.example", "Leo Martins", False, True, ["hardware_totp", "password"], []),
    ]
    return [
        Identity(
            key=f"entra:3c9e1a40-0000-4000-8000-0000000000{n:02d}",
            name=name,
            scope=SCOPE,
            source="entra",
            account=DEMO_TENANT_ID,
            email=email,
            person=True,
            privileged=admin,
            privileged_via=["isAdmin"] if admin else [],
            console_access=True,
            mfa_enrolled=registered,
            factor_kinds=kinds,
            mfa_enforced=enforced[n],
            anomalies=anomalies,
            user_type="guest" if n == GUEST else "member",
            external=n == GUEST,
            home_mfa_trusted=trusted if n == GUEST else None,
            full_admin=None if admin else False,  # isAdmin does not say which role
        )
        for n, email, name, admin, registered, kinds, anomalies in rows
    ]


def expected_policies() -> list[MfaPolicy]:
    """The demo's security defaults and its seven policies, in Graph's order (the mapping
    itself is tested in test_policy_mapper)."""
    data = demo_entra_data()
    records = [policy_mapper.map_security_defaults(data["security_defaults"])]
    records += [policy_mapper.map_policy(policy) for policy in data["policies"]]
    return [record.model_copy(update={"scope": SCOPE}) for record in records]


def identities(records: list[Record]) -> list[Identity]:
    return [record for record in records if isinstance(record, Identity)]


def test_collects_every_page_exactly(fake, credentials):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == SCOPE
    records = list(instance.collect(scope))
    assert [r for r in records if isinstance(r, Identity | MfaPolicy)] == [*expected(), *expected_policies()]
    assert len(records) == 7 + 8 + LOG_RECORDS
    assert [(method, path.split("?")[0], status) for method, path, status in fake.log] == [
        ("POST", f"/{DEMO_TENANT_ID}/oauth2/v2.0/token", 200),
        ("GET", DEFAULTS, 200),
        *[("GET", POLICIES, 200)] * 3,
        ("GET", DESK_MEMBERS, 200),  # the only group enabled policies name
        ("GET", CROSS_TENANT, 200),
        ("GET", PARTNERS, 200),
        *[("GET", REPORT, 200)] * 3,
        *[("GET", SIGN_INS, 200)] * 3,
        ("GET", AUDITS, 200),
    ]
    queries = [path.partition("?")[2] for _, path, _ in fake.log[1:]]
    assert [query[:11] for query in queries[1:4] + queries[7:10]] == ["", "$skiptoken=", "$skiptoken="] * 2
    assert queries[4] == "%24select=id&%24top=999"


def test_without_policy_read_all_identities_are_stored_unknown_and_the_run_is_partial(engine, credentials):
    with make_fake(permissions=("AuditLog.Read.All", "GroupMember.Read.All")) as fake:
        instance = collector(fake)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 7 + LOG_RECORDS)
    assert outcome.error == (
        "entra: Conditional Access policies and security defaults refused (HTTP 403): grant the "
        "application permission Policy.Read.All; mfa_enforced stays unknown; entra: cross-tenant "
        "access settings refused (HTTP 403): grant the application permission Policy.Read.All; "
        "whether B2B guests' home-tenant MFA is trusted stays unknown"
    )
    runs, facts = stored(engine)
    assert [(run.status, run.error) for run in runs] == [("partial", outcome.error)]
    assert [gap["fields"] for gap in runs[0].gaps] == [
        ["identity.mfa_enforced"],
        ["identity.home_mfa_trusted"],
    ]
    assert [
        (fact.kind, fact.key, fact.data["mfa_enforced"], fact.data["home_mfa_trusted"])
        for fact in facts
        if fact.kind == "identity"
    ] == [("identity", identity.key, None, identity.home_mfa_trusted) for identity in expected(trusted=None)]
    assert [status for _, path, status in fake.log if path.startswith(DEFAULTS)] == [403]
    assert_no_secret(engine, outcome, SECRET, ACCESS_TOKEN)


def test_without_group_member_read_all_named_groups_count_as_possibly_excluding(engine, credentials):
    with make_fake(permissions=("AuditLog.Read.All", "Policy.Read.All")) as fake:
        instance = collector(fake)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 7 + 8 + LOG_RECORDS)
    assert outcome.error is not None and outcome.error.startswith(
        f"entra: members of group {TRADING_DESK} refused (HTTP 403): grant the application permission "
        "GroupMember.Read.All"
    )
    # The baseline policy excludes the trading desk: unread, it may exclude anyone, or no one.
    _, facts = stored(engine)
    assert {fact.key: fact.data["mfa_enforced"] for fact in facts if fact.kind == "identity"} == {
        identity.key: identity.mfa_enforced for identity in expected(DESK_UNREAD)
    }
    assert_no_secret(engine, outcome, SECRET, ACCESS_TOKEN)


def test_a_group_not_found_stays_unresolved_never_empty(fake, credentials):
    fake.inject(
        DESK_MEMBERS,
        404,
        body={
            "error": {
                "code": "Request_ResourceNotFound",
                "message": f"Resource '{TRADING_DESK}' does not exist.",
            }
        },
    )
    records = list(collector(fake).collect(collector(fake).scopes()[0]))
    # Deleted or a wrong id, its members are unknown, so is whether the baseline policy
    # covers those it would (an answer lost never raises a score: Bob and Ivan stay unproven).
    assert identities(records) == expected(DESK_UNREAD)
    problems = [item for item in records if isinstance(item, Problem)]
    assert [(p.kinds, p.fields) for p in problems] == [((), ("identity.mfa_enforced",))]
    assert problems[0].reason.startswith(f"entra: group {TRADING_DESK}, named by a Conditional Access policy")


def test_a_wrong_secret_is_refused_at_the_token_endpoint(engine, fake, monkeypatch):
    wrong = "Zz91Q~wrong-secret-value-0c4d2b"  # noqa: S105
    monkeypatch.setenv("ACME_GRAPH_APP_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ACME_GRAPH_SECRET", wrong)
    instance = collector(fake)
    instance.source = instance.source.model_copy(
        update={"credentials_env": {"client_id": "ACME_GRAPH_APP_ID", "client_secret": "ACME_GRAPH_SECRET"}}
    )
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.error == (
        f"ApiError: entra: POST /{DEMO_TENANT_ID}/oauth2/v2.0/token: HTTP 401, credentials refused "
        "(check the credential in ACME_GRAPH_SECRET)"
    )
    assert_no_secret(engine, outcome, wrong, SECRET)


def test_an_unknown_application_names_both_variables(engine, fake, credentials, monkeypatch):
    monkeypatch.setenv("ENTRA_CLIENT_ID", "00000000-0000-0000-0000-000000000000")
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error.startswith(f"ApiError: entra: POST /{DEMO_TENANT_ID}/oauth2/v2.0/token: HTTP 400: ")
    assert "AADSTS700016" in outcome.error
    assert outcome.error.endswith(
        "(check the application in ENTRA_CLIENT_ID, its secret in ENTRA_CLIENT_SECRET, and tenant_id)"
    )
    assert_no_secret(engine, outcome, SECRET)


def test_tenant_id_is_required_and_keys_are_checked():
    with pytest.raises(ConfigError, match=r"sources\.entra\.tenant_id"):
        EntraCollector(parse_settings({"sources": {"entra": {}}}))
    with pytest.raises(ConfigError, match=r"sources\.entra\.client_secret"):
        EntraCollector(parse_settings({"sources": {"entra": {"tenant_id": "t", "client_secret": "oops"}}}))


PARTNER = "0d6bb8a2-5c1e-4f3b-9a77-partner00001"


@pytest.mark.parametrize(
    ("settings", "trusted"),
    [
        # Default configuration trusting external MFA: every B2B guest may do MFA at home.
        (
            {"cross_tenant_default": {"isServiceDefault": False, "inboundTrust": {"isMfaAccepted": True}}},
            True,
        ),
        # One partner trusted, the default not: it depends on the guest's home tenant, which the
        # registration report does not name.
        (
            {"cross_tenant_partners": [{"tenantId": PARTNER, "inboundTrust": {"isMfaAccepted": True}}]},
            None,
        ),
        # A partner with inboundTrust null inherits the default (service default: no trust).
        ({"cross_tenant_partners": [{"tenantId": PARTNER, "inboundTrust": None}]}, False),
    ],
)
def test_cross_tenant_access_settings_decide_whether_a_guests_home_mfa_counts(credentials, settings, trusted):
    with make_entra_fake({**demo_entra_data(), **settings}, SECRET, token=ACCESS_TOKEN, page_size=3) as fake:
        records = list(collector(fake).collect(collector(fake).scopes()[0]))
    assert identities(records) == expected(trusted=trusted)
    assert not [item for item in records if isinstance(item, Problem)]
