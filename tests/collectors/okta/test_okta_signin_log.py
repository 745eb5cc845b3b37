"""The Okta collector's System Log read against the loopback Okta fake, stored through
`run_scope`: a bounded window over three pages, Okta's 429 on /api/v1/logs, 5xx, a refused
token, a refused (403) and a malformed log, an empty page that still links on; a broken log
leaves only signin_event / signin_log incomplete, never the users."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session

from demo.fakes.okta import DEMO_TOKEN, demo_okta_data, inject_rate_limit, make_okta_fake, okta_error
from demo.fakes.okta_demo import event_uuid
from demo.fakes.server import Reply
from tests.collectors.okta.signin_log_demo import signin_records
from tests.collectors.okta.test_okta_collector import (
    NOW,
    account_of,
    collector_for,
    demo_records,
    stored,
    without_log,
)
from tests.collectors.signin_records import the_log
from vaultward.config.settings import ConfigError
from vaultward.contract.records import Identity, SigninEvent, SigninLog
from vaultward.pipeline.collection import run_scope
from vaultward.store.models import Run

LOGS = "/api/v1/logs"
FILTER = (
    "eventType+eq+%22user.session.start%22+or+eventType+eq+%22user.mfa.factor.activate%22+or+"
    "eventType+eq+%22user.mfa.factor.deactivate%22+or+eventType+eq+%22user.mfa.factor.reset_all%22"
)


def okta_instant(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H%%3A%M%%3A%S.000Z")


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ACME_OKTA_TOKEN", DEMO_TOKEN)
    return DEMO_TOKEN


@pytest.fixture
def fake():
    with make_okta_fake(demo_okta_data(NOW)) as api:
        yield api


def log_requests(fake) -> list[tuple[str, int]]:
    return [(path, status) for _, path, status in fake.log if path.startswith(LOGS)]


def collect(engine, fake, sleeps: list[float] | None = None, **options):
    collector = collector_for(fake.base_url, sleeps, signin_log_page_size=5, **options)
    outcome = run_scope(engine, collector, collector.scopes()[0])
    return outcome, stored(engine, outcome.run_id)


def gaps(engine, run_id: int) -> list[dict]:
    with Session(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None
        return list(run.gaps or [])


def signins(records) -> list:
    return [r for r in records if isinstance(r, SigninEvent)]


def test_reads_the_bounded_window_over_three_pages_asking_only_for_the_event_types(engine, fake, token):
    outcome, records = collect(engine, fake)
    assert (outcome.status, outcome.error) == ("ok", None)
    expected = signin_records(account_of(fake), NOW)
    assert [r for r in records if isinstance(r, SigninEvent | SigninLog)] == expected
    first = (
        f"{LOGS}?since={okta_instant(NOW - timedelta(days=14))}&until={okta_instant(NOW)}"
        f"&filter={FILTER}&limit=5&sortOrder=ASCENDING"
    )
    assert log_requests(fake) == [
        (first, 200),
        (f"{first}&after={event_uuid(6)}", 200),
        (f"{first}&after={event_uuid(11)}", 200),  # the last page has no next link: done
    ]
    # the event older than the window (dave, 20 days ago) was never asked for
    assert f"okta:event:{event_uuid(1)}" not in {r.key for r in records}


def test_a_longer_window_reads_the_older_event(engine, fake, token):
    _, records = collect(engine, fake, signin_log_days=30)
    assert signins(records)[0].key == f"okta:event:{event_uuid(1)}"
    log = the_log(records)
    assert (log.covers_from, log.events_read, log.complete) == (NOW - timedelta(days=30), 15, True)


def test_okta_429_on_the_log_is_retried_after_its_reset(engine, fake, token):
    sleeps: list[float] = []
    inject_rate_limit(fake, LOGS, reset_in=2, times=1)
    outcome, records = collect(engine, fake, sleeps)
    assert outcome.status == "ok" and the_log(records).complete
    assert [status for _, status in log_requests(fake)] == [429, 200, 200, 200]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 3  # X-Rate-Limit-Reset: epoch seconds


def test_a_5xx_is_retried(engine, fake, token):
    fake.inject(LOGS, 500, body=okta_error("E0000009", "Your last request took too long to complete."))
    outcome, records = collect(engine, fake)
    assert outcome.status == "ok"
    assert [r for r in records if isinstance(r, SigninEvent | SigninLog)] == signin_records(
        account_of(fake), NOW
    )


def test_a_page_lost_after_its_retries_leaves_only_the_log_incomplete(engine, fake, token):
    original = fake.handle
    answered: list[int] = []

    def second_page_fails(request):
        if request.path == LOGS and "after" in request.query:
            answered.append(503)
            return Reply(503, okta_error("E0000009", "Service unavailable"))
        return original(request)

    fake.handle = second_page_fails  # type: ignore[method-assign]
    outcome, records = collect(engine, fake)
    assert outcome.status == "partial" and answered == [503] * 5
    assert outcome.error.startswith(f"okta: GET {LOGS}?since=")
    assert outcome.error.endswith(": HTTP 503 after 5 attempts (page 2; the listing is incomplete)")
    # the users and policies are all there; the first page's events stand
    assert without_log([r for r in records if not isinstance(r, SigninEvent)]) == without_log(
        [r for r in _demo(fake) if not isinstance(r, SigninEvent)]
    )
    assert signins(records) == signins(signin_records(account_of(fake), NOW))[:5]
    log = the_log(records)
    assert (log.complete, log.events_read, log.reason) == (False, 5, outcome.error)
    assert gaps(engine, outcome.run_id) == [
        {"reason": outcome.error, "kinds": ["signin_event", "signin_log"], "fields": [], "resource": ""}
    ]


def _demo(fake):
    return demo_records(account_of(fake))


def test_a_refused_log_403_leaves_only_the_log_incomplete(engine, fake, token):
    fake.inject(
        LOGS, 403, body=okta_error("E0000006", "You do not have permission to perform the requested action")
    )
    outcome, records = collect(engine, fake)
    assert outcome.status == "partial"
    assert (
        outcome.error
        == f"okta: GET {LOGS}: HTTP 403, credentials refused (check the credential in ACME_OKTA_TOKEN)"
    )
    identities = [r for r in records if isinstance(r, Identity)]
    assert len(identities) == 13 and signins(records) == []
    log = the_log(records)
    assert (log.complete, log.events_read, log.reason) == (False, 0, outcome.error)
    assert [g["kinds"] for g in gaps(engine, outcome.run_id)] == [["signin_event", "signin_log"]]


def test_a_refused_token_on_the_log_fails_the_run(engine, fake, token):
    fake.inject(LOGS, 401, body=okta_error("E0000011", "Invalid token provided"))
    outcome, records = collect(engine, fake)
    assert outcome.status == "failed"
    assert "HTTP 401, credentials refused (check the credential in ACME_OKTA_TOKEN)" in (outcome.error or "")
    assert records == []  # nothing half-written


def test_a_malformed_log_page_is_retried_then_leaves_the_log_incomplete(engine, fake, token):
    fake.inject(LOGS, 200, {"Content-Type": "text/html"}, b"<html>Okta is down", times=5)
    outcome, records = collect(engine, fake)
    assert outcome.status == "partial"
    assert "malformed JSON in the response (text/html, 18 bytes) after 5 attempts" in (outcome.error or "")
    assert len([r for r in records if isinstance(r, Identity)]) == 13
    assert the_log(records).complete is False


def test_an_event_that_is_not_an_object_breaks_the_listing(engine, fake, token):
    fake.inject(LOGS, 200, body=["not an event"])
    outcome, records = collect(engine, fake)
    assert outcome.status == "partial"
    assert outcome.error == f"okta: GET {LOGS}: expected objects in the list, got str"
    assert the_log(records).complete is False


def test_an_event_without_a_user_is_skipped_and_the_log_is_not_complete(engine, fake, token):
    orphan = {"uuid": "u-1", "published": "2026-01-01T00:00:00.000Z", "eventType": "user.mfa.factor.activate"}
    fake.inject(LOGS, 200, body=[orphan])
    outcome, records = collect(engine, fake)
    assert outcome.status == "partial"
    log = the_log(records)
    assert (log.complete, log.events_read) == (False, 1)
    assert log.reason == (
        "1 of 1 events could not be recorded: okta log event u-1 (user.mfa.factor.activate): "
        "no user (actor or User target with an alternateId), skipped"
    )


def test_an_empty_page_ends_the_listing_even_with_a_next_link(engine, fake, token):
    # (as polling requests always link on: the listing never loops)
    fake.inject(LOGS, 200, {"Link": f'<{fake.base_url}{LOGS}?after=x>; rel="next"'}, [], times=1)
    outcome, records = collect(engine, fake)
    assert outcome.status == "ok" and len(log_requests(fake)) == 1
    log = the_log(records)
    assert (log.complete, log.events_read) == (True, 0)


# --- options and pace -----------------------------------------------------------------------


def test_window_and_pace_options():
    collector = collector_for("https://acme.okta.com")
    assert (collector.options.signin_log_days, collector.options.signin_log_page_size) == (14, 1000)
    assert collector.log_pacer().per_minute == 50  # Okta Enterprise's limit for /api/v1/logs
    assert collector.log_pacer() is collector.log_pacer()  # shared by the collector's threads
    assert (
        collector_for("https://acme.okta.com", signin_log_rate_limit_per_minute=120).log_pacer().per_minute
        == 120
    )
    assert collector_for("https://acme.okta.com", rate_limit_per_minute=0).log_pacer().per_minute is None
    for days in (0, 91):  # Okta keeps 90 days
        with pytest.raises(ConfigError, match=r"sources.okta.signin_log_days"):
            collector_for("https://acme.okta.com", signin_log_days=days)
    with pytest.raises(ConfigError, match=r"sources.okta.signin_log_page_size"):
        collector_for("https://acme.okta.com", signin_log_page_size=1001)


# --- the fake speaks Okta's System Log ------------------------------------------------------


def test_fake_log_bucket_polling_and_errors(fake):
    auth = {"Authorization": f"SSWS {DEMO_TOKEN}"}
    bounded = httpx.get(
        f"{fake.base_url}{LOGS}",
        params={"since": "2020-01-01T00:00:00Z", "until": "2020-01-02T00:00:00Z"},
        headers=auth,
    )
    assert bounded.status_code == 400 and bounded.json()["errorCode"] == "E0000053"  # over 180 days
    polling = httpx.get(f"{fake.base_url}{LOGS}", params={"limit": 1000}, headers=auth)
    assert polling.status_code == 200 and "next" in polling.links  # polling: always a next link
    assert polling.headers["X-Rate-Limit-Limit"] == "50"  # the System Log's own bucket
    users = httpx.get(f"{fake.base_url}/api/v1/users", headers=auth)
    assert users.headers["X-Rate-Limit-Limit"] == "600"
    assert int(users.headers["X-Rate-Limit-Remaining"]) == 599  # the log's requests not counted
    bad = httpx.get(f"{fake.base_url}{LOGS}", params={"filter": 'display_message eqq "x"'}, headers=auth)
    assert bad.status_code == 400 and bad.json()["errorCode"] == "E0000053"
