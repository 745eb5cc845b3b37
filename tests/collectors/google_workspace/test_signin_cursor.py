"""The Google Workspace collector's Reports API audit read on from a stored cursor, through
run_scope on both stores: the second Run's startTime is the earlier log's end less
LOG_OVERLAP for each application, the earlier events are kept and still fail the takeover
check, an activity the overlap returns again is stored once (the new copy), an incomplete
earlier log makes the next Run read the whole window, and a failed new read leaves the log
incomplete with no takeover pass."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from checks.access.account_takeover_signals import account_takeover_signals
from collectors.google_workspace import LOG_OVERLAP, LOGIN_LAG
from demo.fakes.google_workspace import activity, make_google_workspace_fake
from tests.collectors.google_workspace import test_signins
from tests.collectors.google_workspace.test_signins import (
    ACCESS_TOKEN,
    ADMIN,
    DAY,
    LOGIN,
    NOW,
    USER_ACCOUNTS,
    collector,
    data,
)
from tests.collectors.signin_records import events, the_log
from tests.collectors.store_rows import stored
from vaultward.contract.records import RECORD_KINDS, Record, SigninEvent
from vaultward.contract.testing import run_check
from vaultward.pipeline.collection import run_scope

service_account, key_file = test_signins.service_account, test_signins.key_file  # the fixtures
LATER = NOW + timedelta(hours=6)
CAROL_ENROLLED = "google_workspace:event:user_accounts:-5208936247315423020-0"


@pytest.fixture
def served():
    return data()


@pytest.fixture
def fake(service_account, key_file, served):
    _, public_key = service_account
    with make_google_workspace_fake(served, public_key, token=ACCESS_TOKEN, page_size=3) as api:
        yield api


def collect(engine, fake, at=NOW):
    instance = collector(fake)
    instance.clock = at.timestamp
    fake.log.clear()
    outcome = run_scope(engine, instance, instance.scopes()[0])
    _, facts = stored(engine)
    records: list[Record] = [
        RECORD_KINDS[f.kind].model_validate({**f.data, "key": f.key, "scope": f.scope})
        for f in facts
        if f.run_id == outcome.run_id
    ]
    return outcome, records


def start_times(fake, path: str) -> set[str]:
    return {
        parse_qs(urlsplit(url).query)["startTime"][0] for _, url, _ in fake.log if url.startswith(path + "?")
    }


def google_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def login(qualifier: str, at, user: str, ip: str) -> dict:
    return activity(
        qualifier, "login", at, user, [("login", "login_success", {"login_type": "google_password"})], ip
    )


def test_the_second_run_asks_each_application_from_the_earlier_logs_end(engine, fake, served):
    outcome, first = collect(engine, fake)
    assert outcome.status == "ok" and CAROL_ENROLLED in events(first)
    for application in served["activities"]:
        served["activities"][application] = []
    served["activities"]["login"] = [
        login("-7001", NOW + timedelta(hours=1), "erin@acme.example", "198.51.100.40")
    ]
    outcome, second = collect(engine, fake, LATER)
    assert outcome.status == "ok"
    read_from = NOW - LOGIN_LAG - LOG_OVERLAP
    for path in (LOGIN, USER_ACCOUNTS, ADMIN):
        assert start_times(fake, path) == {google_time(read_from)}
    start = LATER - 14 * DAY
    carried = {key for key, event in events(first).items() if event.at >= start}
    [new] = set(events(second)) - carried
    assert "-7001" in new and set(events(second)) == carried | {new}
    log = the_log(second)
    assert (log.covers_from, log.covers_to, log.complete) == (start, LATER - LOGIN_LAG, True)
    assert (log.read_from, log.events_read, log.events_carried) == (read_from, 1, len(carried))
    # Carol's 2SV enrolment, four days old and not asked for again, still fails the check
    found = {r.resource: r for r in run_check(account_takeover_signals, second, None, LATER)}
    assert found["carol@acme.example"].status == "fail"


def test_an_activity_the_overlap_returns_again_is_stored_once_as_google_now_gives_it(engine, fake, served):
    late = NOW - timedelta(hours=5)  # before the first log's end (4 h lag), inside the overlap
    served["activities"]["login"].append(login("-7002", late, "erin@acme.example", "198.51.100.40"))
    _, first = collect(engine, fake)
    [key] = [k for k in events(first) if "-7002" in k]
    served["activities"]["login"][-1] = login("-7002", late, "erin@acme.example", "203.0.113.99")
    _, second = collect(engine, fake, LATER)
    counted = Counter(r.key for r in second if isinstance(r, SigninEvent))
    assert counted[key] == 1 and max(counted.values()) == 1
    assert events(second)[key].ip == "203.0.113.99"


def test_an_incomplete_earlier_log_makes_the_next_run_read_the_whole_window(engine, fake):
    fake.inject(ADMIN, 503, body={"error": {"code": 503, "message": "Backend Error"}}, times=5)
    outcome, first = collect(engine, fake)
    assert outcome.status == "partial" and not the_log(first).complete
    collect(engine, fake, LATER)
    assert start_times(fake, LOGIN) == {google_time(LATER - 14 * DAY)}


def test_a_failed_new_read_leaves_the_log_incomplete_and_no_pass(engine, fake):
    _, first = collect(engine, fake)
    passed = {r.resource for r in run_check(account_takeover_signals, first, None, NOW) if r.status == "pass"}
    assert passed  # someone the complete log vouched for
    fake.inject(LOGIN, 503, body={"error": {"code": 503, "message": "Backend Error"}}, times=5)
    outcome, second = collect(engine, fake, LATER)
    log = the_log(second)
    assert outcome.status == "partial" and not log.complete and log.read_from is not None
    found = {r.resource: r.status for r in run_check(account_takeover_signals, second, None, LATER)}
    assert "pass" not in found.values()
    assert all(found[resource] == "unknown" for resource in passed)
