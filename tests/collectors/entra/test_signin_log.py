"""The entra collector's sign-in and audit logs against the loopback fake: three pages of
sign-ins linked by @odata.nextLink that repeats the $filter, the Authentication Methods audit
entries, the window the filters ask for (older entries never answered), a tenant without
Entra ID P1 (403 Authentication_RequestFromNonPremiumTenantOrB2CTenant), AuditLog.Read.All
refused, a 429 with Retry-After, a 5xx, a malformed page, a revoked token (401), a row that
cannot be recorded, stored through run_scope on both stores."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from collectors.entra import NOT_READ, EntraCollector, signin_log, signin_mapper
from demo.fakes.entra import (
    DEMO_CLIENT_ID,
    DEMO_TENANT_ID,
    demo_entra_data,
    make_entra_fake,
    throttled,
)
from demo.fakes.server import Reply, Request
from tests.collectors.store_rows import assert_no_secret, stored
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import MfaPolicy, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

SECRET = "Qx58Q~acme-test-client-secret-9f2e71"  # noqa: S105 - the fake's dummy credential
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.test-graph-token-51c0"  # noqa: S105
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SIGN_INS = "/v1.0/auditLogs/signIns"
AUDITS = "/v1.0/auditLogs/directoryAudits"
SCOPE = f"entra:{DEMO_TENANT_ID}"
LOG_KEY = f"entra:signin_log:{DEMO_TENANT_ID}"
# The demo's sign-ins in the 14-day window, newest first (Graph's order): number, days ago
IN_WINDOW = [(1, 1), (4, 1 + 5 / 24), (2, 2), (3, 3), (5, 4), (6, 6), (7, 8)]
FRANK_ENROLLED = "entra:event:Authentication Methods_0001-acme-01"


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("ENTRA_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", SECRET)


def make_fake(**options):
    return make_entra_fake(demo_entra_data(NOW), SECRET, token=ACCESS_TOKEN, page_size=3, **options)


@pytest.fixture
def fake():
    with make_fake() as api:
        yield api


def collector(fake, sleeps: list[float] | None = None, **options) -> EntraCollector:
    section = {"tenant_id": DEMO_TENANT_ID, "graph_url": fake.base_url, "login_url": fake.base_url, **options}
    instance = EntraCollector(parse_settings({"sources": {"entra": section}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    instance.clock = NOW.timestamp
    return instance


def collect(instance: EntraCollector) -> list:
    return list(instance.collect(instance.scopes()[0]))


def log_records(records: list) -> tuple[list[SigninEvent], list[SigninLog], list[Problem]]:
    return (
        [r for r in records if isinstance(r, SigninEvent)],
        [r for r in records if isinstance(r, SigninLog)],
        [r for r in records if isinstance(r, Problem)],
    )


def expected_log(read: int = 8, reason: str = "") -> SigninLog:
    return SigninLog(
        key=LOG_KEY,
        name=f"Entra sign-in and audit logs of {DEMO_TENANT_ID}",
        scope=SCOPE,
        source="entra",
        covers_from=NOW - timedelta(days=14),
        covers_to=NOW - timedelta(minutes=5),  # Microsoft: 99% of entries within 5 minutes
        events_read=read,
        complete=not reason,
        reason=reason,
        event_types=list(signin_mapper.EVENT_TYPES),
        not_read=list(NOT_READ),
    )


def paths(fake, prefix: str) -> list[tuple[str, int]]:
    return [(path, status) for _, path, status in fake.log if path.startswith(prefix)]


def test_reads_three_pages_of_sign_ins_and_the_audit_entries_of_the_window(fake, credentials):
    events, logs, problems = log_records(collect(collector(fake)))
    assert not problems
    signins = [e for e in events if e.vendor_event == "signIn"]
    assert [(e.key, e.at) for e in signins] == [
        (f"entra:event:6b1f0c2e-{n:04d}-4e5d-9a1b-acmesignin{n:02d}", NOW - timedelta(days=days))
        for n, days in IN_WINDOW
    ]
    by_key = {e.key.split("acmesignin")[-1]: e for e in signins}
    erin = by_key["02"]
    assert (erin.user, erin.event_type, erin.anonymous_proxy, erin.risks, erin.device_managed) == (
        "erin@acme.example",
        "signin",
        True,
        ["anonymizedipaddress"],
        False,
    )
    assert (erin.ip, erin.country, erin.city) == ("198.51.100.23", "NL", "Amsterdam")
    assert {
        (e.user, e.device_managed, e.anonymous_proxy)
        for k, e in by_key.items()
        if k in ("01", "03", "05", "07")
    } == {("frank@acme.example", True, None)}
    assert by_key["04"].device_managed is True  # Henry's laptop: isManaged null, compliant
    alice = by_key["06"]
    assert (alice.user, alice.event_type, alice.outcome) == (
        "alice@acme.example",
        "signin_failed",
        "failure: 50126 Error validating credentials due to invalid username or password.",
    )
    [enrolled] = [e for e in events if e.vendor_event != "signIn"]
    assert (enrolled.key, enrolled.event_type, enrolled.user, enrolled.actor, enrolled.at) == (
        FRANK_ENROLLED,
        "factor_enrolled",
        "frank@acme.example",
        "",
        NOW - timedelta(days=5),
    )
    assert logs == [expected_log()]
    # The window is asked for, and the fake answers only it: Frank's sign-in 20 days ago and
    # the 40-day-old registration are never sent; the next links repeat the filter.
    since = "2026-11-23T09%3A30%3A00Z"
    sent = paths(fake, SIGN_INS)
    assert sent[0] == (f"{SIGN_INS}?%24filter=createdDateTime+ge+{since}&%24top=1000", 200)
    assert [path.split("&$skiptoken=")[0] for path, _ in sent[1:]] == [
        f"{SIGN_INS}?$filter=createdDateTime%20ge%202026-11-23T09:30:00Z&$top=1000"
    ] * 2
    assert paths(fake, AUDITS) == [
        (
            f"{AUDITS}?%24filter=activityDateTime+ge+{since}+and+loggedByService+eq+%27Authentication+Methods%27",
            200,
        )
    ]


def test_the_window_follows_signin_log_days(fake, credentials):
    events, [log], _ = log_records(collect(collector(fake, signin_log_days=30)))
    assert log.covers_from == NOW - timedelta(days=30)
    assert len([e for e in events if e.vendor_event == "signIn"]) == 8  # the 20-day-old one too
    assert [e.vendor_event for e in events if e.vendor_event != "signIn"] == ["User registered security info"]
    events, [log], _ = log_records(collect(collector(fake, signin_log_days=1)))
    assert [e.key[-2:] for e in events] == ["01"]  # 1 day ago exactly: `ge` keeps it
    assert log.covers_from == NOW - timedelta(days=1) and log.events_read == 1


@pytest.mark.parametrize("days", [0, 31, "two weeks"])
def test_signin_log_days_is_bounded_by_entras_retention(days):
    section = {"tenant_id": DEMO_TENANT_ID, "signin_log_days": days}
    with pytest.raises((ConfigError, ValidationError), match="signin_log_days"):
        EntraCollector(parse_settings({"sources": {"entra": section}}))


def test_a_tenant_without_entra_id_p1_keeps_its_users_and_says_why_the_log_is_incomplete(engine, credentials):
    with make_fake(premium=False) as fake:
        instance = collector(fake)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    reason = (
        "entra: the sign-in log: Graph 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant: "
        "sign-in logs need Entra ID P1 or P2"
    )
    assert (outcome.status, outcome.error) == ("partial", reason)
    runs, facts = stored(engine)
    assert [gap["kinds"] for gap in runs[0].gaps] == [["signin_event", "signin_log"]]
    kinds = [fact.kind for fact in facts]
    assert kinds.count("identity") == 7 and kinds.count(MfaPolicy.kind) == 8
    # The audit log still reads (no licence needed for it): Frank's registration stands
    assert [fact.key for fact in facts if fact.kind == "signin_event"] == [FRANK_ENROLLED]
    [log] = [SigninLog.model_validate(fact.data) for fact in facts if fact.kind == "signin_log"]
    assert log == expected_log(read=1, reason=reason).model_copy(update={"scope": ""})
    assert_no_secret(engine, outcome, SECRET, ACCESS_TOKEN)


def test_without_audit_log_read_all_the_logs_are_refused_and_named(credentials):
    # Without AuditLog.Read.All the registration report is refused too: the Run fails on the
    # main listing, as before; here only the logs' answers are looked at.
    with make_fake(permissions=("Policy.Read.All", "GroupMember.Read.All")) as fake:
        instance = collector(fake)
        client = instance.client()
        logs = signin_log.read(client, instance.scopes()[0], instance.options, NOW)
        reasons = [p.reason for p in logs if isinstance(p, Problem)]
        client.close()
    assert reasons == [
        "entra: the sign-in log: Graph 403 Authorization_RequestDenied: grant the application "
        "permission AuditLog.Read.All",
        "entra: the Authentication Methods audit log: Graph 403 Authorization_RequestDenied: grant "
        "the application permission AuditLog.Read.All",
    ]


def test_the_logs_are_paced_apart_to_graphs_identity_and_access_reports_limit(fake, credentials):
    instance = collector(fake)
    assert instance.log_pacer().per_minute == 24  # at most 4 in any 10 s: under Graph's 5
    assert instance.log_pacer() is instance.log_pacer()  # shared by the collector's threads
    with instance.client() as client:
        assert client.logs.pacer is instance.log_pacer() and client.api.pacer is not client.logs.pacer
    assert collector(fake, rate_limit_per_minute=0).log_pacer().per_minute is None


def test_a_429_waits_as_retry_after_says_and_a_5xx_is_retried(fake, credentials):
    fake.inject(SIGN_INS, *throttled(retry_after=7))
    fake.inject(AUDITS, 503, body={"error": {"code": "ServiceUnavailable", "message": "Try later."}})
    sleeps: list[float] = []
    # the pace off: more than five log requests would wait ten real seconds for the log pacer
    events, [log], problems = log_records(collect(collector(fake, sleeps, rate_limit_per_minute=0)))
    assert not problems and log == expected_log() and len(events) == 8
    assert sleeps[0] == 7.0 and len(sleeps) == 2
    assert [status for _, status in paths(fake, SIGN_INS)] == [429, 200, 200, 200]
    assert [status for _, status in paths(fake, AUDITS)] == [503, 200]


def test_a_page_lost_after_the_first_leaves_the_log_incomplete_not_the_users(engine, credentials):
    with make_fake() as fake:
        # Page 1 answers; every attempt at page 2 gets a proxy's HTML page
        original = next(handler for _, pattern, handler in fake.routes if pattern.pattern == f"^{SIGN_INS}$")
        calls: list[Request] = []

        def broken_after_the_first_page(request: Request) -> Reply:
            calls.append(request)
            return original(request) if len(calls) == 1 else Reply(200, b"<html>gateway</html>")

        fake.routes.insert(0, ("GET", re.compile(f"^{SIGN_INS}$"), broken_after_the_first_page))
        instance = collector(fake, rate_limit_per_minute=0)  # retries past the log pacer's 5 per 10 s
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "partial"
    assert outcome.error.startswith(
        "entra: the sign-in log could not be read completely (entra: GET "
        f"{SIGN_INS}?$filter=createdDateTime%20ge%202026-11-23T09:30:00Z&$top=1000&$skiptoken="
    )
    assert "malformed JSON in the response" in outcome.error and "after 5 attempts" in outcome.error
    assert len(calls) == 1 + 5
    assert outcome.error.endswith("(page 2; the listing is incomplete))")
    runs, facts = stored(engine)
    assert [gap["kinds"] for gap in runs[0].gaps] == [["signin_event", "signin_log"]]
    signins = [fact.key[-2:] for fact in facts if fact.kind == "signin_event" and "acmesignin" in fact.key]
    assert signins == ["01", "04", "02"]  # page 1 stands
    [log] = [fact.data for fact in facts if fact.kind == "signin_log"]
    assert (log["complete"], log["events_read"], log["reason"]) == (False, 4, outcome.error)
    assert sum(fact.kind == "identity" for fact in facts) == 7


def test_a_revoked_token_fails_the_run(engine, credentials):
    with make_fake() as fake:
        body = {"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}}
        fake.inject(SIGN_INS, 401, body=body, times=2)  # refused again with a new token
        instance = collector(fake)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error == (
        f"ApiError: entra: GET {SIGN_INS}: HTTP 401, credentials refused (check the credential in "
        "ENTRA_CLIENT_SECRET)"
    )
    assert_no_secret(engine, outcome, SECRET, ACCESS_TOKEN)


def test_an_entry_that_cannot_be_recorded_is_reported_and_the_log_is_incomplete(credentials):
    data = demo_entra_data(NOW)
    data["sign_ins"][0]["userPrincipalName"] = None
    data["directory_audits"][0]["activityDisplayName"] = "User registered passkey in Authenticator"
    with make_entra_fake(data, SECRET, token=ACCESS_TOKEN, page_size=3) as fake:
        events, [log], problems = log_records(collect(collector(fake)))
    reason = "entra: sign-in 6b1f0c2e-0001-4e5d-9a1b-acmesignin01 names no userPrincipalName, skipped"
    assert [(p.reason, p.kinds) for p in problems] == [(reason, ("signin_event", "signin_log"))]
    assert (log.complete, log.reason, log.events_read) == (False, reason, 7)
    [unknown] = [e for e in events if e.key == FRANK_ENROLLED]
    assert (unknown.event_type, unknown.anomalies) == (
        "factor_reset",
        ["activityDisplayName:User registered passkey in Authenticator"],
    )


def test_the_fake_refuses_a_filter_it_does_not_know(fake, credentials):
    # Graph answers 400 to a $filter clause it cannot apply; the fake too, so a collector that
    # stopped sending the window would be caught here rather than read everything.
    instance = collector(fake)
    client = instance.client()
    try:
        with pytest.raises(Exception, match="HTTP 400"):
            client.api.get_json(SIGN_INS, {"$filter": "userPrincipalName eq 'erin@acme.example'"})
    finally:
        client.close()


def test_an_entry_two_pages_repeat_is_kept_once(credentials):
    # A sign-in arriving while the log is paged can push the newest-first list along a page
    data = demo_entra_data(NOW)
    data["sign_ins"].insert(3, data["sign_ins"][2])
    with make_entra_fake(data, SECRET, token=ACCESS_TOKEN, page_size=3) as fake:
        events, [log], problems = log_records(collect(collector(fake)))
    keys = [e.key for e in events]
    assert len(keys) == len(set(keys)) == 8 and not problems
    assert (log.complete, log.events_read) == (True, 9)
