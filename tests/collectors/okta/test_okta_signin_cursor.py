"""The Okta System Log read on from a stored cursor, through `run_scope` on both stores: a
second Run asks Okta only for what came since the first (less LOG_OVERLAP), keeps the first
Run's events (their signals too), stores an event the overlap returns twice once (the new
copy); an incomplete earlier log, a longer window or an earlier log past Okta's retention
make it read the whole window; a failed new read leaves the log incomplete, so the takeover
check cannot pass."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from checks.access.account_takeover_signals import account_takeover_signals
from collectors.okta import LOG_OVERLAP, LOG_RETENTION_DAYS
from demo.fakes.okta import DEMO_TOKEN, demo_okta_data, make_okta_fake, okta_error
from demo.fakes.okta_demo import event_uuid, log_event
from tests.collectors.okta.test_okta_collector import NOW, collector_for, stored
from tests.collectors.signin_records import events, the_log
from vaultward.contract.records import SigninEvent
from vaultward.contract.testing import run_check
from vaultward.pipeline.collection import run_scope

LOGS = "/api/v1/logs"
LATER = NOW + timedelta(hours=3)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_OKTA_TOKEN", DEMO_TOKEN)


@pytest.fixture
def fake():
    data = demo_okta_data(NOW)
    with make_okta_fake(data) as api:
        api.okta = data  # type: ignore[attr-defined]  # its System Log, changed between Runs
        yield api


def collect(engine, fake, at: datetime = NOW, **options):
    collector = collector_for(fake.base_url, signin_log_page_size=5, **options)
    collector.clock = at.timestamp
    fake.log.clear()
    outcome = run_scope(engine, collector, collector.scopes()[0])
    return outcome, stored(engine, outcome.run_id)


def first_since(fake) -> str:
    """The `since` of the Run's first System Log request, as sent."""
    [since] = [path.split("since=")[1].split("&")[0] for _, path, _ in fake.log if path.startswith(LOGS)][:1]
    return since.replace("%3A", ":")


def okta_instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_second_run_asks_only_for_the_new_span_and_keeps_the_first_runs_events(engine, fake):
    outcome, first = collect(engine, fake)
    assert outcome.status == "ok" and first_since(fake) == okta_instant(NOW - timedelta(days=14))
    # Okta now holds only an event after the first Run: what the second keeps of the rest is carried
    fake.okta.events[:] = [log_event(90, NOW + timedelta(hours=1), "user.session.start", "erin@acme.example")]
    outcome, second = collect(engine, fake, LATER)
    assert outcome.status == "ok"
    assert first_since(fake) == okta_instant(NOW - LOG_OVERLAP)  # not the window's start
    assert {path.split("&until=")[1].split("&")[0] for _, path, _ in fake.log if path.startswith(LOGS)} == {
        okta_instant(LATER).replace(":", "%3A")
    }
    carried = {key for key, event in events(first).items() if event.at >= LATER - timedelta(days=14)}
    assert set(events(second)) == carried | {f"okta:event:{event_uuid(90)}"}
    log = the_log(second)
    assert (log.covers_from, log.covers_to, log.complete) == (LATER - timedelta(days=14), LATER, True)
    assert (log.read_from, log.events_read, log.events_carried) == (NOW - LOG_OVERLAP, 1, len(carried))
    # the carried events still make the signals: alice's impossible travel, bob's factors reset
    found = {r.resource: r for r in run_check(account_takeover_signals, second, None, LATER)}
    assert found["alice@acme.example"].status == "fail"
    assert "impossible travel: Lisbon, Portugal to Singapore" in found["alice@acme.example"].reason
    assert found["bob@acme.example"].status == "fail"
    assert "factor reset by alice@acme.example" in found["bob@acme.example"].reason


def test_an_event_the_overlap_returns_again_is_stored_once_as_okta_now_gives_it(engine, fake):
    collect(engine, fake)
    latest = max(fake.okta.events, key=lambda e: e["published"])  # alice, 2 hours before NOW
    assert okta_instant(NOW - LOG_OVERLAP) > latest["published"]  # outside the overlap: carried
    inside = log_event(91, NOW - timedelta(minutes=30), "user.session.start", "grace@acme.example")
    fake.okta.events.append(inside)
    outcome, _ = collect(engine, fake, NOW + timedelta(seconds=1))  # reads inside's span once
    # Okta now gives that event with another city: the next Run's overlap reads it again
    fake.okta.events[-1] = log_event(
        91, NOW - timedelta(minutes=30), "user.session.start", "grace@acme.example", place="lisbon"
    )
    outcome, records = collect(engine, fake, NOW + timedelta(minutes=20))
    assert first_since(fake) == okta_instant(NOW + timedelta(seconds=1) - LOG_OVERLAP)
    counted = Counter(r.key for r in records if isinstance(r, SigninEvent))
    assert counted and max(counted.values()) == 1
    assert events(records)[f"okta:event:{event_uuid(91)}"].city == "Lisbon"  # the new read wins
    assert the_log(records).events_read == 1


def test_an_incomplete_earlier_log_makes_the_next_run_read_the_whole_window(engine, fake):
    fake.inject(LOGS, 403, body=okta_error("E0000006", "You do not have permission"))
    outcome, first = collect(engine, fake)
    assert outcome.status == "partial" and not the_log(first).complete
    outcome, second = collect(engine, fake, LATER)
    assert first_since(fake) == okta_instant(LATER - timedelta(days=14))
    log = the_log(second)
    assert (log.complete, log.read_from, log.events_carried) == (True, None, 0)


def test_a_longer_window_reads_it_whole(engine, fake):
    collect(engine, fake)
    _, records = collect(engine, fake, LATER, signin_log_days=30)
    assert first_since(fake) == okta_instant(LATER - timedelta(days=30))
    assert f"okta:event:{event_uuid(1)}" in events(records)  # dave, 20 days ago: only a full read has it
    assert the_log(records).read_from is None


def test_an_earlier_log_past_oktas_retention_is_not_read_on_from(engine, fake):
    collect(engine, fake)
    much_later = NOW + timedelta(days=LOG_RETENTION_DAYS, hours=1)
    _, records = collect(engine, fake, much_later)
    assert first_since(fake) == okta_instant(much_later - timedelta(days=14))
    log = the_log(records)
    assert (log.read_from, log.events_carried, log.complete) == (None, 0, True)
    assert not events(records)  # nothing of the first Run is carried that far


def test_a_failed_new_read_leaves_the_log_incomplete_and_the_check_unpassed(engine, fake):
    outcome, first = collect(engine, fake)
    before = {r.resource: r.status for r in run_check(account_takeover_signals, first, None, NOW)}
    assert before["grace@acme.example"] == before["peggy@acme.example"] == "pass"
    fake.inject(LOGS, 500, body=okta_error("E0000009", "Internal Server Error"), times=5)
    outcome, second = collect(engine, fake, LATER)
    assert outcome.status == "partial"
    log = the_log(second)
    assert not log.complete and log.covers_to == LATER and log.reason == outcome.error
    assert log.read_from == NOW - LOG_OVERLAP
    found = {r.resource: r.status for r in run_check(account_takeover_signals, second, None, LATER)}
    assert "pass" not in found.values()
    assert {resource for resource, status in before.items() if status == "pass"} <= {
        resource for resource, status in found.items() if status == "unknown"
    }
    # carried events still stand (a signal found stays found)
    assert found["alice@acme.example"] == found["bob@acme.example"] == "fail"
    # and the Run after reads the whole window again
    collect(engine, fake, LATER + timedelta(hours=1))
    assert first_since(fake) == okta_instant(LATER + timedelta(hours=1) - timedelta(days=14))
