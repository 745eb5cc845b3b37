"""Smoke run of benchmarks/signin_logs.py (no timing assertions): each sign-in log source's real
collector, with its default pace, stores every one of 2,000 events the lazy fake serves, in
an ok Run, with no window of the fake's log requests above the pace or the documented limit
and no request refused; then a second Run reads on from the first's cursor: one page per
listing (only the overlap and what came since), the rest of the window carried, every event
the fake's log holds in its window stored. The peak memory is printed, not asserted (the
smoke size says nothing)."""

from __future__ import annotations

import pytest

from benchmarks.signin_logs import SMOKE_EVENTS, SOURCES, measure
from benchmarks.synthetic.signin_logs import entra_split, google_split, most_within
from tests.benchmarks.command import run_benchmark


@pytest.mark.slow
@pytest.mark.parametrize("source", list(SOURCES))
def test_every_event_is_stored_within_the_pace(source, tmp_path):
    figures, second = measure(source, SMOKE_EVENTS, latency=0.0, folder=tmp_path)
    spec = SOURCES[source]
    assert (figures.child.status, figures.child.events_stored) == ("ok", SMOKE_EVENTS), figures
    # each listing pages apart (Google: the login and admin audits, plus the user listing,
    # which counts in the same quota, and the user accounts audit, empty here but one request;
    # Entra: the sign-in and audit logs)
    listings = {
        "okta": [SMOKE_EVENTS],
        "google_workspace": [*google_split(SMOKE_EVENTS).values(), 1, 1],
        "entra": list(entra_split(SMOKE_EVENTS).values()),
    }[source]
    assert figures.requests == sum(-(-count // spec.page_size) for count in listings)
    assert figures.paced[0] >= figures.requests  # every one of them waited for the pacer
    assert figures.paced[1] <= min(spec.pace, spec.limit_per_minute)  # by the pacer's clock
    assert spec.limit_per_10s is None or figures.paced[2] <= spec.limit_per_10s
    assert figures.rate_limited == 0
    assert figures.problems() == []
    # the second Run reads on: a page per listing, most of the window carried, none lost
    assert (second.run, second.child.status) == ("second", "ok")
    assert second.requests == len(listings)
    assert second.child.events_read < SMOKE_EVENTS // 4
    assert second.events >= SMOKE_EVENTS - 10  # the window moved by seconds at most
    assert second.child.events_stored == second.events
    assert second.child.events_carried == second.events - second.child.events_read
    assert second.problems() == []


@pytest.mark.slow
def test_the_command_runs_as_its_readme_says():
    done = run_benchmark("signin_logs.py", "--source", "okta")
    assert f"okta: {SMOKE_EVENTS:,} of {SMOKE_EVENTS:,} events stored, Run ok" in done.stdout
    assert "okta, second Run reading on: " in done.stdout and "carried), Run ok" in done.stdout
    assert "target: every window within the pace" in done.stdout and ": met" in done.stdout


def test_most_within_counts_a_sliding_window():
    assert most_within([], 60) == 0
    assert most_within([0, 30, 59.9, 60, 119], 60) == 3  # 30, 59.9 and 60 (0 left at 60)
    assert most_within([5, 1, 3], 10) == 3
