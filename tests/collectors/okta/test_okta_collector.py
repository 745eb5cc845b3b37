"""The Okta collector end to end against the loopback Okta fake, stored through `run_scope` on
both stores: exact records, paging, Okta's 429 and rate-limit pacing, 5xx, a refused token,
a malformed body."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from collectors.okta import OktaCollector
from demo.fakes.okta import DEMO_TOKEN, OktaData, demo_okta_data, inject_rate_limit, make_okta_fake
from tests.collectors.okta.signin_log_demo import signin_records
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import RECORD_KINDS, Identity, MfaPolicy, Record, SigninEvent, SigninLog
from vaultward.pipeline.collection import run_scope
from vaultward.store.models import Fact, Run

VARIABLE = "ACME_OKTA_TOKEN"
RULES = "okta:rst1acmeapps00000001"


# The moment the demo's System Log is dated from and the collector reads it at.
NOW = datetime.now(UTC).replace(microsecond=0)


def collector_for(base_url: str | None, sleeps: list[float] | None = None, **options: Any) -> OktaCollector:
    source: dict[str, Any] = {"credentials_env": {"token": VARIABLE}, "page_size": 5, **options}
    if base_url is not None:
        source["base_url"] = base_url
    collector = OktaCollector(parse_settings({"sources": {"okta": source}}))
    collector.sleep = (sleeps if sleeps is not None else []).append
    collector.clock = NOW.timestamp
    return collector


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(VARIABLE, DEMO_TOKEN)
    return DEMO_TOKEN


@pytest.fixture
def fake():
    with make_okta_fake(demo_okta_data(NOW)) as api:
        yield api


def when(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def demo_records(account: str) -> list[Record]:
    scope = f"okta:{account}"

    def person(name: str, created: str, last_login: str | None, **fields: Any) -> Identity:
        values: dict[str, Any] = dict(
            key=f"okta:00u{name.replace('-', '')[:8]:0<8}acme00001",
            name=f"{name}@acme.example",
            scope=scope,
            source="okta",
            account=account,
            email=f"{name}@acme.example",
            privileged=False,
            console_access=True,
            mfa_enrolled=True,
            full_admin=False,
            created_at=when(created),
            last_used_at=when(last_login) if last_login else None,
        )
        values.update(fields)
        return Identity(**values)

    def rule(n: int, name: str, **fields: Any) -> MfaPolicy:
        return MfaPolicy(
            key=f"{RULES}/rul{n:017d}",
            name=f"Acme Exchange apps / {name}",
            scope=scope,
            source="okta",
            policy_kind="ACCESS_POLICY",
            **fields,
        )

    admin = dict(privileged=True)
    return [
        person(
            "alice",
            "2024-02-01T09:00",
            "2026-11-23T08:12",
            **admin,
            privileged_via=["user:SUPER_ADMIN"],
            admin_roles=["SUPER_ADMIN"],
            full_admin=True,  # SUPER_ADMIN administers the whole org
            factor_kinds=["push", "webauthn"],
            mfa_enforced=True,
        ),
        person(
            "bob",
            "2024-02-01T09:05",
            "2026-11-22T17:40",
            **admin,
            privileged_via=["user:ORG_ADMIN"],
            admin_roles=["ORG_ADMIN"],
            full_admin=True,
            factor_kinds=["sms"],
            mfa_enforced=False,
        ),
        person(
            "carol", "2024-05-13T09:00", "2026-11-23T07:55", factor_kinds=["push", "totp"], mfa_enforced=False
        ),
        person("dave", "2025-01-06T09:00", "2026-11-20T12:00", mfa_enrolled=False, mfa_enforced=False),
        person(
            "erin",
            "2025-03-17T09:00",
            "2026-11-21T09:30",
            factor_kinds=["email", "other:claims_provider"],
            mfa_enforced=False,
            anomalies=["factor facclaims00000000007: unknown factorType 'claims_provider'"],
        ),
        person(
            "api-bot",
            "2024-06-01T09:00",
            "2026-11-23T06:00",
            # Okta has no service-account flag: policy.people.machine_patterns (applied by
            # vaultward.derived.people, not the mapper) makes api-bot a machine.
            **admin,
            privileged_via=["user:APP_ADMIN"],
            admin_roles=["APP_ADMIN"],
            mfa_enrolled=False,
            mfa_enforced=True,
        ),
        person(
            "grace",
            "2024-08-19T09:00",
            "2026-11-23T09:01",
            **admin,
            privileged_via=["user:READ_ONLY_ADMIN"],
            admin_roles=["READ_ONLY_ADMIN"],
            factor_kinds=["passkey"],
            mfa_enforced=True,
        ),
        person(
            "heidi",
            "2024-10-07T09:00",
            "2026-09-12T11:00",
            console_access=False,
            suspended=True,
            factor_kinds=["u2f"],
            mfa_enforced=True,
        ),
        person(
            "ivan", "2025-02-10T09:00", "2026-11-18T10:10", factor_kinds=["hardware_totp"], mfa_enforced=True
        ),
        person("judy", "2026-11-20T09:00", None, console_access=False, mfa_enrolled=False, mfa_enforced=True),
        person(
            "mallory",
            "2025-06-02T09:00",
            "2026-10-01T09:00",
            factor_kinds=["security_question", "voice"],
            mfa_enforced=True,
        ),
        person(
            "peggy",
            "2025-07-14T09:00",
            "2026-11-23T10:20",
            **admin,
            privileged_via=["group:HELP_DESK_ADMIN"],
            admin_roles=["HELP_DESK_ADMIN"],
            factor_kinds=["push", "totp"],
            mfa_enforced=False,
        ),
        person(
            "frank",
            "2023-09-04T09:00",
            "2026-06-30T16:00",
            console_access=False,
            suspended=True,
            mfa_enrolled=None,
            mfa_enforced=True,
        ),
        rule(
            1,
            "Okta admins: phishing-resistant",
            applies_to=["group:Okta Admins"],
            requires_mfa=True,
            phishing_resistant_required=True,
        ),
        rule(
            2,
            "Engineering in the office: password only",
            applies_to=["group:Engineering"],
            requires_mfa=False,
            phishing_resistant_required=False,
        ),
        rule(
            3,
            "Legacy: password only",
            active=False,
            applies_to=["everyone"],
            requires_mfa=False,
            phishing_resistant_required=False,
        ),
        rule(
            4, "Catch-all Rule", applies_to=["everyone"], requires_mfa=True, phishing_resistant_required=False
        ),
        MfaPolicy(
            key="okta:pol1acmeenroll000001",
            name="Default Policy",
            scope=scope,
            source="okta",
            policy_kind="MFA_ENROLL",
            applies_to=["group:Everyone"],
            requires_mfa=True,
            phishing_resistant_required=False,
            allowed_factors=["email", "password", "push", "sms", "totp", "voice", "webauthn"],
        ),
        *signin_records(account, NOW),
    ]


def stored(engine, run_id: int) -> list[Record]:
    with Session(engine) as session:
        facts = session.exec(select(Fact).where(Fact.run_id == run_id).order_by(Fact.id)).all()  # type: ignore[arg-type]
    return [RECORD_KINDS[f.kind].model_validate({**f.data, "key": f.key, "scope": f.scope}) for f in facts]


def without_log(records: list[Record]) -> list[Record]:
    return [record for record in records if not isinstance(record, SigninLog)]


def account_of(fake) -> str:
    return fake.base_url.removeprefix("http://")


# --- contract and configuration ------------------------------------------------------------


def test_contract_scope_and_options():
    assert (OktaCollector.name, OktaCollector.produces) == (
        "okta",
        (Identity, MfaPolicy, SigninEvent, SigninLog),
    )
    assert OktaCollector.permissions == (
        "okta.users.read",
        "okta.roles.read",
        "okta.policies.read",
        "okta.groups.read",
        "okta.logs.read",
    )
    collector = collector_for("https://acme.okta.com/")
    [scope] = collector.scopes()
    assert (scope.id, scope.params) == ("okta:acme.okta.com", {"base_url": "https://acme.okta.com"})
    assert collector.options.page_size == 5
    assert OktaCollector(parse_settings({})).scopes() == []  # not configured: nothing to collect
    with pytest.raises(ValueError, match=r"sources.okta.base_url is not set"):
        collector_for(None).scopes()
    with pytest.raises(ConfigError, match=r"sources.okta.base_url: expected the org URL"):
        collector_for("acme.okta.com")
    with pytest.raises(
        ConfigError, match=r"sources.okta.page_size: Input should be less than or equal to 200"
    ):
        collector_for("https://acme.okta.com", page_size=500)


# --- end to end ----------------------------------------------------------------------------


def test_collects_the_demo_org_exactly_over_three_pages(engine, fake, token):
    collector = collector_for(fake.base_url)
    [scope] = collector.scopes()
    outcome = run_scope(engine, collector, scope)
    assert (outcome.status, outcome.error, outcome.items) == ("ok", None, 18 + 14 + 1)
    assert stored(engine, outcome.run_id) == demo_records(account_of(fake))
    user_pages = [path for _, path, _ in fake.log if path.startswith("/api/v1/users?")]
    assert user_pages == [
        "/api/v1/users?limit=5",
        "/api/v1/users?after=00uerin0000acme00001&limit=5",
        "/api/v1/users?after=00ujudy0000acme00001&limit=5",
        "/api/v1/users?limit=5&filter=status+eq+%22DEPROVISIONED%22",
    ]
    # factors for every user but the deprovisioned one; roles only for role holders
    assert sum(path.endswith("/factors") for _, path, _ in fake.log) == 12
    assert sum(path.endswith("/roles") for _, path, _ in fake.log) == 5
    assert {status for _, _, status in fake.log} == {200}


def test_okta_429_is_retried_after_its_reset(engine, fake, token):
    sleeps: list[float] = []
    inject_rate_limit(fake, "/api/v1/users", reset_in=2, times=1)
    collector = collector_for(fake.base_url, sleeps)
    outcome = run_scope(engine, collector, collector.scopes()[0])
    assert outcome.status == "ok"
    assert stored(engine, outcome.run_id) == demo_records(account_of(fake))
    assert [(p, s) for _, p, s in fake.log if s != 200] == [("/api/v1/users?limit=5", 429)]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 3  # X-Rate-Limit-Reset is epoch seconds


def test_paces_itself_when_the_window_is_spent(engine, token):
    class Clock:
        now_value = time.time()

        def now(self) -> float:
            return self.now_value

        def sleep(self, seconds: float) -> None:
            sleeps.append(seconds)
            self.now_value += seconds

    sleeps: list[float] = []
    clock = Clock()
    data: OktaData = demo_okta_data(NOW)
    data.rate_limit, data.window_seconds = 10, 60
    with make_okta_fake(data, clock=clock.now) as fake:
        collector = collector_for(fake.base_url)
        collector.sleep, collector.clock = clock.sleep, clock.now
        outcome = run_scope(engine, collector, collector.scopes()[0])
        assert outcome.status == "ok"
        # (the clock moved while pacing: the log's window is read later than NOW)
        assert without_log(stored(engine, outcome.run_id)) == without_log(demo_records(account_of(fake)))
        # the System Log is counted in a bucket of its own
        requests = len([path for _, path, _ in fake.log if not path.startswith("/api/v1/logs")])
    assert {status for _, _, status in fake.log} == {200}  # never earned a 429
    assert len(sleeps) == (requests - 1) // 10  # one wait per spent window
    assert all(55 < s <= 61 for s in sleeps)


def test_a_malformed_side_answer_leaves_only_privilege_unknown(engine, fake, token):
    collector = collector_for(fake.base_url)
    scope = collector.scopes()[0]
    fake.inject(
        "/api/v1/iam/assignees/users",
        200,
        {"Content-Type": "text/html"},
        b"<html><body>Okta is down",
        times=5,
    )
    outcome = run_scope(engine, collector, scope)
    assert outcome.status == "partial"
    assert outcome.error == (
        "okta: GET /api/v1/iam/assignees/users?limit=5: malformed JSON in the response "
        "(text/html, 24 bytes) after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    with Session(engine) as session:
        run = session.get(Run, outcome.run_id)
        assert run is not None
        assert run.gaps == [
            {
                "reason": outcome.error,
                "kinds": [],
                "fields": ["identity.privileged", "identity.admin_roles", "identity.full_admin"],
                "resource": "",
            }
        ]
    # Every identity is still there; only whether it is privileged is unknown.
    expected = [r.key for r in demo_records(account_of(fake)) if isinstance(r, Identity)]
    got = [r for r in stored(engine, outcome.run_id) if isinstance(r, Identity)]
    assert [r.key for r in got] == expected
    assert {r.privileged for r in got} == {None}


def test_a_listed_item_without_an_id_fails_the_run_naming_the_endpoint(engine, fake, token):
    ghost = {"status": "ACTIVE", "profile": {"login": "ghost@acme.example"}}  # no id
    fake.inject("/api/v1/users", 200, body=json.dumps([ghost]).encode())
    collector = collector_for(fake.base_url)
    outcome = run_scope(engine, collector, collector.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error == (
        "ApiError: okta: GET /api/v1/users: expected objects with an id, got an object without an id"
    )
    assert stored(engine, outcome.run_id) == []  # nothing half-written


# --- the fake speaks Okta ------------------------------------------------------------------


def test_fake_answers_with_okta_errors_and_rate_limit_headers(fake):
    ok = httpx.get(f"{fake.base_url}/api/v1/users", headers={"Authorization": f"SSWS {DEMO_TOKEN}"})
    assert ok.status_code == 200 and int(ok.headers["X-Rate-Limit-Remaining"]) < int(
        ok.headers["X-Rate-Limit-Limit"]
    )
    assert int(ok.headers["X-Rate-Limit-Reset"]) > time.time()
    assert len(ok.json()) == 12 and "next" not in ok.links  # one page of 200; DEPROVISIONED left out
    assert ok.links["self"]["url"] == f"{fake.base_url}/api/v1/users?limit=200"
    refused = httpx.get(f"{fake.base_url}/api/v1/users", headers={"Authorization": "SSWS nope"})
    assert refused.status_code == 401
    assert {k: refused.json()[k] for k in ("errorCode", "errorSummary")} == {
        "errorCode": "E0000011",
        "errorSummary": "Invalid token provided",
    }
    inject_rate_limit(fake, "/api/v1/users")
    limited = httpx.get(f"{fake.base_url}/api/v1/users", headers={"Authorization": f"SSWS {DEMO_TOKEN}"})
    assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert limited.json()["errorCode"] == "E0000047"
