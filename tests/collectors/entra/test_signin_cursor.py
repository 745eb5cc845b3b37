"""The entra collector's sign-in and Authentication Methods audit logs read on from a stored
cursor, through run_scope on both stores: the second Run's $filter asks only from the earlier
log's end less LOG_OVERLAP, the earlier events are kept, an entry the overlap returns again is
stored once (the new copy), an incomplete earlier log makes the next Run read the whole
window, and a failed new read leaves the log incomplete."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from collectors.entra import LOG_LAG, LOG_OVERLAP
from collectors.entra.client import odata_time
from demo.fakes.entra import DEMO_CLIENT_ID, demo_entra_data, make_entra_fake
from tests.collectors.entra.test_signin_log import (
    ACCESS_TOKEN,
    AUDITS,
    FRANK_ENROLLED,
    NOW,
    SECRET,
    SIGN_INS,
    collector,
)
from tests.collectors.signin_records import events, the_log
from tests.collectors.store_rows import stored
from vaultward.contract.records import RECORD_KINDS, Record, SigninEvent
from vaultward.pipeline.collection import run_scope

LATER = NOW + timedelta(hours=3)
NEW_ID = "6b1f0c2e-0090-4e5d-9a1b-acmesignin90"
LATE_ID = "6b1f0c2e-0091-4e5d-9a1b-acmesignin91"


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    monkeypatch.setenv("ENTRA_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", SECRET)


@pytest.fixture
def data():
    return demo_entra_data(NOW)


@pytest.fixture
def fake(data):
    with make_entra_fake(data, SECRET, token=ACCESS_TOKEN, page_size=3) as api:
        yield api


def sign_in(data, number: int, at: datetime, entry_id: str) -> dict:
    """A copy of the demo's sign-in `number`, made a new entry at `at`."""
    row = copy.deepcopy(data["sign_ins"][number - 1])
    row["id"], row["createdDateTime"] = entry_id, at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return row


def collect(engine, fake, at: datetime = NOW):
    instance = collector(fake)
    instance.clock = at.timestamp
    fake.log.clear()
    outcome = run_scope(engine, instance, instance.scopes()[0])
    return outcome, of_run(engine, outcome.run_id)


def of_run(engine, run_id: int) -> list[Record]:
    _, facts = stored(engine)
    return [
        RECORD_KINDS[f.kind].model_validate({**f.data, "key": f.key, "scope": f.scope})
        for f in facts
        if f.run_id == run_id
    ]


def filters(fake, path: str) -> set[str]:
    return {
        parse_qs(urlsplit(url).query)["$filter"][0]
        for _, url, _ in fake.log
        if url.startswith(path) and "$skiptoken" not in url
    }


def test_the_second_run_asks_only_from_the_earlier_logs_end_less_the_overlap(engine, fake, data):
    outcome, first = collect(engine, fake)
    assert outcome.status == "ok"
    assert filters(fake, SIGN_INS) == {f"createdDateTime ge {odata_time(NOW - timedelta(days=14))}"}
    data["sign_ins"][:] = [sign_in(data, 1, NOW + timedelta(hours=1), NEW_ID)]
    data["directory_audits"][:] = []
    outcome, second = collect(engine, fake, LATER)
    assert outcome.status == "ok"
    read_from = NOW - LOG_LAG - LOG_OVERLAP
    assert filters(fake, SIGN_INS) == {f"createdDateTime ge {odata_time(read_from)}"}
    assert filters(fake, AUDITS) == {
        f"activityDateTime ge {odata_time(read_from)} and loggedByService eq 'Authentication Methods'"
    }
    start = LATER - timedelta(days=14)
    carried = {key for key, event in events(first).items() if event.at >= start}
    assert FRANK_ENROLLED in carried  # the audit entry, five days old: kept, not asked for again
    assert set(events(second)) == carried | {f"entra:event:{NEW_ID}"}
    log = the_log(second)
    assert (log.covers_from, log.covers_to, log.complete) == (start, LATER - LOG_LAG, True)
    assert (log.read_from, log.events_read, log.events_carried) == (read_from, 1, len(carried))


def test_an_entry_the_overlap_returns_again_is_stored_once_as_graph_now_gives_it(engine, fake, data):
    late = NOW - timedelta(minutes=30)  # inside the first log's lag, and the second Run's overlap
    data["sign_ins"].append(sign_in(data, 3, late, LATE_ID))
    _, first = collect(engine, fake)
    assert f"entra:event:{LATE_ID}" in events(first)
    data["sign_ins"][-1]["ipAddress"] = "203.0.113.99"
    _, second = collect(engine, fake, LATER)
    counted = Counter(r.key for r in second if isinstance(r, SigninEvent))
    assert counted[f"entra:event:{LATE_ID}"] == 1 and max(counted.values()) == 1
    assert events(second)[f"entra:event:{LATE_ID}"].ip == "203.0.113.99"


def test_an_incomplete_earlier_log_makes_the_next_run_read_the_whole_window(engine, fake):
    fake.inject(SIGN_INS, 503, body={"error": {"code": "UnknownError", "message": "down"}}, times=5)
    outcome, first = collect(engine, fake)
    assert outcome.status == "partial" and not the_log(first).complete
    collect(engine, fake, LATER)
    assert filters(fake, SIGN_INS) == {f"createdDateTime ge {odata_time(LATER - timedelta(days=14))}"}


def test_a_failed_new_read_leaves_the_log_incomplete(engine, fake):
    collect(engine, fake)
    fake.inject(AUDITS, 403, body={"error": {"code": "Authorization_RequestDenied", "message": "no"}})
    outcome, second = collect(engine, fake, LATER)
    log = the_log(second)
    assert outcome.status == "partial" and not log.complete
    assert "Authentication Methods audit log" in log.reason
    assert log.read_from == NOW - LOG_LAG - LOG_OVERLAP and log.events_carried > 0
