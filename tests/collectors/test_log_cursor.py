"""collectors/log_cursor.py: when a Run may read a sign-in log on from the previous Run's,
and what it keeps of it. Each case that forces a whole read is tested against one that
reads on, so a test fails if the condition is dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.log_cursor import LogCursor, plan
from vaultward.contract.records import SigninEvent, SigninLog
from vaultward.contract.sdk import NO_PRIOR, Prior

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
KEY = "okta:signin_log:acme"
TYPES = ("user.session.start", "user.mfa.factor.activate")
OVERLAP = timedelta(hours=1)
RETENTION = 90 * DAY
START = NOW - 14 * DAY


def log(**changes) -> SigninLog:
    values = dict(
        key=KEY,
        source="okta",
        covers_from=NOW - DAY - 14 * DAY,
        covers_to=NOW - DAY,
        events_read=3,
        complete=True,
        event_types=list(TYPES),
    )
    return SigninLog(**{**values, **changes})


def event(n: int, at: datetime, source: str = "okta") -> SigninEvent:
    return SigninEvent(
        key=f"{source}:event:{n}", source=source, event_type="signin", vendor_event="v", user="a@x", at=at
    )


EVENTS = (
    event(1, NOW - 15 * DAY + timedelta(hours=12)),
    event(2, NOW - 3 * DAY),
    event(3, NOW - DAY - OVERLAP / 2),
)


def cursor(*records, start=START, now=NOW, types=TYPES) -> LogCursor:
    prior = Prior.holding(7, records)
    return plan(prior, KEY, types, start, now, retention=RETENTION, overlap=OVERLAP)


def test_a_complete_earlier_log_is_read_on_from_its_end_less_the_overlap():
    found = cursor(log(), *EVENTS)
    assert found.reads_on and found.full_read_because == ""
    assert (found.start, found.read_from) == (START, NOW - DAY - OVERLAP)
    # event 1 is before this window: dropped; another source's events are never carried
    assert [e.key for e in found.carried()] == ["okta:event:2", "okta:event:3"]
    assert [e.key for e in cursor(log(), event(9, NOW - DAY, "entra")).carried()] == []


@pytest.mark.parametrize(
    ("earlier", "why"),
    [
        (None, "no earlier log"),
        (log(key="okta:signin_log:other"), "no earlier log"),
        (log(complete=False, reason="page 2 lost"), "the earlier log is incomplete"),
        (log(event_types=["user.session.start"]), "the event types asked for changed"),
        (log(covers_from=START + timedelta(seconds=1)), "signin_log_days grew"),
        (log(covers_to=NOW + timedelta(seconds=1)), "the clock went back"),
        (log(covers_from=NOW - 200 * DAY, covers_to=NOW - RETENTION), "retention"),
        (log(covers_to=START + OVERLAP), "ends before this window"),
    ],
)
def test_what_forces_a_whole_read(earlier, why):
    found = cursor(*(() if earlier is None else (earlier,)), *EVENTS)
    assert not found.reads_on and found.read_from == START and list(found.carried()) == []
    assert why in found.full_read_because


def test_a_shorter_window_reads_on_since_the_earlier_log_covers_it():
    found = cursor(log(), *EVENTS, start=NOW - 7 * DAY)
    assert found.reads_on and [e.key for e in found.carried()] == ["okta:event:2", "okta:event:3"]


def test_no_prior_reads_the_whole_window():
    found = plan(NO_PRIOR, KEY, TYPES, START, NOW, retention=RETENTION, overlap=OVERLAP)
    assert (found.read_from, list(found.carried()), found.full_read_because) == (START, [], "no earlier log")


def test_the_new_read_wins_and_the_merged_log_stays_this_runs_read():
    found = cursor(log(), *EVENTS)
    seen = {"okta:event:3"}  # this Run's read returned event 3 again
    assert [e.key for e in found.carried_beside(seen)] == ["okta:event:2"]
    this_run = log(covers_from=START, covers_to=NOW, events_read=1, complete=False, reason="page 2 lost")
    stamped = found.stamped(this_run, 1)
    assert (stamped.read_from, stamped.events_carried) == (NOW - DAY - OVERLAP, 1)
    # never more complete or fresher than this Run's own read
    assert (stamped.complete, stamped.covers_to, stamped.reason) == (False, NOW, "page 2 lost")
    whole = cursor()
    assert whole.stamped(this_run, 0) == this_run  # a whole read says nothing of a cursor


def test_the_carried_events_are_read_from_the_prior_one_at_a_time():
    prior = Prior.holding(7, [log(), *EVENTS])
    found = plan(prior, KEY, TYPES, START, NOW, retention=RETENTION, overlap=OVERLAP)
    # the cursor keeps the prior and the filter, never a copy of the events
    assert (found.prior, found.source) == (prior, "okta")
    assert not any(isinstance(value, (tuple, list)) for value in vars(found).values())
    lazily = found.carried_beside(set())
    assert next(lazily).key == "okta:event:2"  # typed as it is reached
    assert [e.key for e in lazily] == ["okta:event:3"]


def test_a_carried_event_that_no_longer_validates_is_left_out():
    good = Prior.holding(7, [log(), *EVENTS])
    texts = list(good.texts(SigninEvent))
    texts[1] = texts[1].replace('"user":"a@x"', '"user":null')  # event 2, as if the model changed
    prior = Prior.of_texts(
        7,
        [
            *((SigninEvent.kind, text) for text in texts),
            *((SigninLog.kind, t) for t in good.texts(SigninLog)),
        ],
    )
    found = plan(prior, KEY, TYPES, START, NOW, retention=RETENTION, overlap=OVERLAP)
    assert [e.key for e in found.carried_beside(set())] == ["okta:event:3"]
    assert [e.key for e in good.of(SigninEvent)][1] == "okta:event:2"  # the unbroken one is read
