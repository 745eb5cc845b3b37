"""The Google Workspace collector's side listing of the Reports API (login, user accounts and
admin audit)
against the loopback fake: pages of activities newest first within the asked window, the
Reports scope's own token, a 429 and Google's 403 quota answer retried, a refused or broken
read leaving only the sign-in events incomplete (the users stand), a 401 failing the Run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from checks.access.account_takeover_signals import account_takeover_signals
from collectors.google_workspace import GoogleWorkspaceCollector
from demo.fakes.google_workspace import (
    DIRECTORY_SCOPE,
    REPORTS_SCOPE,
    activity,
    demo_google_workspace_data,
    google_error,
    make_google_workspace_fake,
    make_service_account_key,
    rate_limited,
)
from tests.collectors.store_rows import stored
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import Identity, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem
from vaultward.contract.testing import run_check
from vaultward.pipeline.collection import run_scope

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LOGIN = "/admin/reports/v1/activity/users/all/applications/login"
ADMIN = "/admin/reports/v1/activity/users/all/applications/admin"
USER_ACCOUNTS = "/admin/reports/v1/activity/users/all/applications/user_accounts"
ACCESS_TOKEN = "ya29.test-access-token-7c2e0a"  # noqa: S105 - the fake's dummy token
SCOPE = "google_workspace:my_customer"


@pytest.fixture(scope="session")
def service_account():
    return make_service_account_key()


@pytest.fixture
def key_file(service_account, tmp_path, monkeypatch):
    key, _ = service_account
    path = tmp_path / "acme-security-reader.json"
    path.write_text(json.dumps(key))
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_FILE", str(path))
    return path


def data() -> dict:
    """The demo's Workspace at NOW, plus admin audit: Alice turns off Bob's 2SV and revokes his
    security key (one activity, two events), issues Carol backup codes, and changes Erin's
    password (not a factor change)."""
    served = demo_google_workspace_data(NOW)
    settings = "USER_SETTINGS"
    served["activities"]["admin"] = [
        activity(
            "-3101",
            "admin",
            NOW - 2 * DAY,
            "alice@acme.example",
            [
                (settings, "TURN_OFF_2_STEP_VERIFICATION", {"USER_EMAIL": "bob@acme.example"}),
                (settings, "REVOKE_SECURITY_KEY", {"USER_EMAIL": "bob@acme.example"}),
            ],
            "198.51.100.21",
        ),
        activity(
            "-3102",
            "admin",
            NOW - 3 * DAY,
            "alice@acme.example",
            [(settings, "GENERATE_2SV_SCRATCH_CODES", {"USER_EMAIL": "carol@acme.example"})],
            "198.51.100.21",
        ),
        activity(
            "-3103",
            "admin",
            NOW - 5 * DAY,
            "alice@acme.example",
            [(settings, "CHANGE_PASSWORD", {"USER_EMAIL": "erin@acme.example"})],
            "198.51.100.21",
        ),
    ]
    return served


def serve(service_account, **options):
    _, public_key = service_account
    return make_google_workspace_fake(data(), public_key, token=ACCESS_TOKEN, page_size=3, **options)


@pytest.fixture
def fake(service_account):
    with serve(service_account) as api:
        yield api


def collector(fake, sleeps: list[float] | None = None, **options) -> GoogleWorkspaceCollector:
    section = {
        "admin_subject": "alice@acme.example",
        "directory_url": fake.base_url,
        "token_url": f"{fake.base_url}/token",
        **options,
    }
    instance = GoogleWorkspaceCollector(parse_settings({"sources": {"google_workspace": section}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    instance.clock = NOW.timestamp
    return instance


def event(
    qualifier: str, name: str, event_type: str, user: str, at: datetime, ip: str, **fields
) -> SigninEvent:
    return SigninEvent(
        key=f"google_workspace:event:{qualifier}",
        name=f"{name} {user}",
        scope=SCOPE,
        source="google_workspace",
        event_type=event_type,
        vendor_event=name,
        user=user,
        at=at,
        ip=ip,
        **fields,
    )


def expected_events() -> list[SigninEvent]:
    ordinary = [
        ("alice", 0.5, "198.51.100.21"),
        ("bob", 1.5, "198.51.100.34"),
        ("erin", 2.2, "198.51.100.40"),
        ("alice", 3.1, "198.51.100.21"),
        ("carol", 4.2, "198.51.100.52"),
        ("bob", 7.3, "198.51.100.34"),
        ("erin", 9.6, "198.51.100.40"),
        ("alice", 12.8, "198.51.100.21"),
    ]
    login = "-52089362473154230"
    events = [
        event(f"{login}{n:02d}-0", "login_success", "signin", f"{local}@acme.example", NOW - days * DAY, ip,
              outcome="success")
        for n, (local, days, ip) in enumerate(ordinary, start=1)
    ]  # fmt: skip
    tor = "185.220.101.7"
    events += [
        event(f"user_accounts:{login}20-0", "2sv_enroll", "factor_enrolled", "carol@acme.example", NOW - 4 * DAY,
              "198.51.100.52"),
        event(f"{login}21-0", "login_success", "signin", "dave@acme.example", NOW - DAY, tor,
              outcome="success", risks=["is_suspicious"]),
        event(f"{login}22-0", "suspicious_login", "signin", "dave@acme.example",
              NOW - DAY + timedelta(minutes=2), tor, risks=["suspicious_login"]),
        event(f"{login}23-0", "gov_attack_warning", "signin", "peggy@acme.example", NOW - 6 * DAY,
              "198.51.100.77", risks=["gov_attack_warning"]),
        event("-3101-0", "TURN_OFF_2_STEP_VERIFICATION", "factor_removed", "bob@acme.example", NOW - 2 * DAY,
              "198.51.100.21", actor="alice@acme.example"),
        event("-3101-1", "REVOKE_SECURITY_KEY", "factor_removed", "bob@acme.example", NOW - 2 * DAY,
              "198.51.100.21", actor="alice@acme.example"),
        event("-3102-0", "GENERATE_2SV_SCRATCH_CODES", "factor_reset", "carol@acme.example", NOW - 3 * DAY,
              "198.51.100.21", actor="alice@acme.example"),
    ]  # fmt: skip
    return sorted(events, key=lambda e: e.key)


def signin_log(events_read: int = 15, complete: bool = True, reason: str = "") -> SigninLog:
    return SigninLog(
        key="google_workspace:signin_log:my_customer",
        name="Google Workspace login, user accounts and admin audit of my_customer",
        scope=SCOPE,
        source="google_workspace",
        covers_from=NOW - 14 * DAY,
        covers_to=NOW - timedelta(hours=4),
        events_read=events_read,
        complete=complete,
        reason=reason,
        event_types=[
            "login_success",
            "login_failure",
            "2sv_enroll",
            "2sv_disable",
            "suspicious_login",
            "suspicious_login_less_secure_app",
            "suspicious_programmatic_login",
            "gov_attack_warning",
            "TURN_OFF_2_STEP_VERIFICATION",
            "REVOKE_SECURITY_KEY",
            "DELETE_2SV_SCRATCH_CODES",
            "GENERATE_2SV_SCRATCH_CODES",
        ],
    )


def split(records) -> tuple[list[Identity], list[SigninEvent], list[SigninLog], list[Problem]]:
    records = list(records)
    return (
        [r for r in records if isinstance(r, Identity)],
        sorted((r for r in records if isinstance(r, SigninEvent)), key=lambda e: e.key),
        [r for r in records if isinstance(r, SigninLog)],
        [r for r in records if isinstance(r, Problem)],
    )


def requests_under(fake, path: str) -> list[tuple[str, int]]:
    return [(logged, status) for _, logged, status in fake.log if logged.startswith(path)]


def test_reads_every_page_of_the_window_exactly(fake, key_file):
    instance = collector(fake)
    users, events, logs, problems = split(instance.collect(instance.scopes()[0]))
    assert len(users) == 7 and problems == []
    assert events == expected_events()
    assert logs == [signin_log()]
    window = "startTime=2026-11-23T12%3A00%3A00.000Z&endTime=2026-12-07T12%3A00%3A00.000Z&maxResults=1000"
    login = requests_under(fake, LOGIN)
    # 12 login activities in the window (8 sign-ins, Dave's two, Peggy's, a logout), 3 a page:
    # 4 pages; the sign-in 20 days ago is never asked for nor served.
    assert [(path.split("&pageToken")[0], status) for path, status in login] == [
        (f"{LOGIN}?{window}", 200)
    ] * 4
    # The three applications, each for the same window: Carol's 2SV enrolment and Erin's
    # password change are under user_accounts, where Google now logs them.
    assert requests_under(fake, USER_ACCOUNTS) == [(f"{USER_ACCOUNTS}?{window}", 200)]
    assert requests_under(fake, ADMIN) == [(f"{ADMIN}?{window}", 200)]
    reads = [path.split("?")[0] for method, path, _ in fake.log if method == "GET" and "/reports/" in path]
    assert list(dict.fromkeys(reads)) == [LOGIN, USER_ACCOUNTS, ADMIN]
    assert "-5208936247315423025" not in json.dumps([e.model_dump(mode="json") for e in events])
    # Two token requests: the Directory scope's, then the Reports scope's apart.
    assert [status for method, _, status in fake.log if method == "POST"] == [200, 200]


def test_the_window_follows_signin_log_days(fake, key_file):
    instance = collector(fake, signin_log_days=3)
    _, events, [log], _ = split(instance.collect(instance.scopes()[0]))
    assert log.covers_from == NOW - 3 * DAY
    assert {e.vendor_event for e in events} == {"login_success", "suspicious_login", "TURN_OFF_2_STEP_VERIFICATION",
                                                "REVOKE_SECURITY_KEY", "GENERATE_2SV_SCRATCH_CODES"}  # fmt: skip
    assert all(e.at >= NOW - 3 * DAY for e in events)
    for days in (0, 181):
        with pytest.raises(ConfigError, match=r"sources\.google_workspace\.signin_log_days"):
            collector(fake, signin_log_days=days)


def test_reports_429_and_403_quota_answers_are_retried(fake, key_file):
    sleeps: list[float] = []
    fake.inject(LOGIN, 429, {"Retry-After": "3"}, {"error": {"code": 429, "message": "Too many requests"}})
    quota = rate_limited()
    fake.inject(ADMIN, quota.status, quota.headers, quota.body)
    instance = collector(fake, sleeps)
    _, events, logs, problems = split(instance.collect(instance.scopes()[0]))
    assert (events, logs, problems) == (expected_events(), [signin_log()], [])
    assert sleeps[0] == 3.0 and len(sleeps) == 2
    assert [status for _, status in requests_under(fake, LOGIN)][:2] == [429, 200]
    assert [status for _, status in requests_under(fake, ADMIN)] == [403, 200]


def test_a_malformed_page_is_retried(fake, key_file):
    fake.inject(LOGIN, 200, body="<html>Bad gateway</html>")
    instance = collector(fake)
    _, events, logs, _ = split(instance.collect(instance.scopes()[0]))
    assert (events, logs) == (expected_events(), [signin_log()])


def test_reports_scope_not_delegated_leaves_only_signins_incomplete(engine, service_account, key_file):
    with serve(service_account, granted=(DIRECTORY_SCOPE,)) as fake:
        instance = collector(fake)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "partial"
    runs, facts = stored(engine)
    assert sorted(f.kind for f in facts) == ["identity"] * 7 + ["signin_log"]
    [log] = [SigninLog.model_validate(f.data) for f in facts if f.kind == "signin_log"]
    reason = (
        "google_workspace: POST /token: HTTP 401, credentials refused (check the credential in "
        "GOOGLE_SERVICE_ACCOUNT_FILE); the audit logs were not read: grant "
        f"{REPORTS_SCOPE} to the service account's domain-wide delegation (and let admin_subject read reports)"
    )
    assert log == signin_log(0, False, reason).model_copy(update={"scope": ""})  # scope: its own column
    assert runs[-1].gaps == [{"reason": reason, "kinds": ["signin_event"], "fields": [], "resource": ""}]


def test_a_subject_refused_the_reports_leaves_only_signins_incomplete(engine, fake, key_file):
    fake.inject(LOGIN, 403, body=google_error(403, "Not Authorized to access this resource/api",
                                              "PERMISSION_DENIED", "forbidden").body)  # fmt: skip
    instance = collector(fake)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "partial"
    _, facts = stored(engine)
    assert [f.kind for f in facts].count("identity") == 7
    assert [f.kind for f in facts].count("signin_event") == 0
    [log] = [SigninLog.model_validate(f.data) for f in facts if f.kind == "signin_log"]
    assert not log.complete and "HTTP 403, credentials refused" in log.reason


def test_a_listing_that_breaks_keeps_what_was_read(fake, key_file):
    fake.inject(ADMIN, 503, body={"error": {"code": 503, "message": "Backend Error"}}, times=5)
    instance = collector(fake)
    users, events, [log], [problem] = split(instance.collect(instance.scopes()[0]))
    assert len(users) == 7
    assert events == [e for e in expected_events() if not e.key.startswith("google_workspace:event:-31")]
    assert log == signin_log(12, False, problem.reason)
    assert problem.kinds == ("signin_event",)
    assert problem.reason.startswith(f"google_workspace: GET {ADMIN}: HTTP 503 after 5 attempts")


def test_a_401_on_the_reports_fails_the_run(engine, fake, key_file):
    fake.inject(LOGIN, 401, body={"error": {"code": 401, "message": "Invalid Credentials"}})
    instance = collector(fake)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error.endswith(
        "HTTP 401, credentials refused (check the credential in GOOGLE_SERVICE_ACCOUNT_FILE)"
    )


def test_a_domain_scope_keeps_its_domains_events(fake, key_file):
    instance = collector(fake, domain="acme.example")
    fake.log.clear()
    _, events, [log], _ = split(instance.collect(instance.scopes()[0]))
    assert events == [
        e.model_copy(update={"scope": "google_workspace:acme.example"}) for e in expected_events()
    ]
    assert log.key == "google_workspace:signin_log:acme.example"
    other = collector(fake, domain="acme-labs.example")
    _, events, [log], _ = split(other.collect(other.scopes()[0]))
    assert events == [] and log.complete and log.events_read == 0


def test_a_lost_user_accounts_page_leaves_the_log_incomplete_and_the_check_unpassed(fake, key_file):
    """Google now logs a user's own 2SV changes under user_accounts: a page of it lost past its
    retries must not leave a log that says "complete", nor a takeover check that passes."""
    first = {
        "kind": "admin#reports#activities",
        "items": [activity("-4101", "user_accounts", NOW - DAY, "erin@acme.example",
                           [("password_change", "password_edit", {})])],
        "nextPageToken": "eyJvIjogMX0",
    }  # fmt: skip
    fake.inject(USER_ACCOUNTS, 200, body=first)
    fake.inject(USER_ACCOUNTS, 503, body={"error": {"code": 503, "message": "Backend Error"}}, times=5)
    instance = collector(fake)
    records = list(instance.collect(instance.scopes()[0]))
    _, events, [log], [problem] = split(records)
    assert not log.complete and log.reason == problem.reason
    assert problem.reason.startswith(f"google_workspace: GET {USER_ACCOUNTS}: HTTP 503 after 5 attempts")
    assert problem.kinds == ("signin_event",)
    assert "carol@acme.example" not in {e.user for e in events if e.event_type == "factor_enrolled"}
    found = {
        r.resource: r
        for r in run_check(
            account_takeover_signals, [r for r in records if not isinstance(r, Problem)], None, NOW
        )
    }
    assert found["carol@acme.example"].status == "unknown"


def test_a_2sv_enrolment_under_user_accounts_fails_the_takeover_check(fake, key_file):
    instance = collector(fake)
    records = [r for r in instance.collect(instance.scopes()[0]) if not isinstance(r, Problem)]
    found = {r.resource: r for r in run_check(account_takeover_signals, records, None, NOW)}
    assert found["carol@acme.example"].status == "fail"
    assert "factor enrolled: 2sv_enroll (google_workspace" in found["carol@acme.example"].reason
