"""The demo's past: one collection and evaluation per simulated week, through the real path.

The process clock (time-machine: `datetime.now`, `time.time` in every thread, moto's server
and the vendor fakes included; not the monotonic clock, so timeouts and request pacing
still work) is set to each week in turn, oldest first; the organisation is seeded at the
first week and changes week by week as demo/story.py tells, so the Trends page, the
Overview's trend and the weekly report's sparklines and "since last week" have a history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.story import Estate, rewind, show_week
from vaultward.pipeline.collection import RunOutcome
from vaultward.pipeline.evaluation import EvaluationSummary

# The weeks are simulated at the current weekday and time, but no later than this before the
# week ends, so that each week's collection and evaluation (seconds) stay inside its ISO week.
WEEK_END_MARGIN = timedelta(minutes=15)
QUIET = ("vaultward.pipeline", "vaultward.store")  # their per-scope lines, a week at a time


def week_moments(now: datetime, weeks: int) -> list[datetime]:
    """The moment each simulated week is collected, oldest first, the last in `now`'s ISO
    week: one a week apart, each in its own ISO week."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    last = min(now, monday + timedelta(weeks=1) - WEEK_END_MARGIN)
    return [last - timedelta(weeks=back) for back in reversed(range(weeks))]


@dataclass(frozen=True)
class Week:
    moment: datetime
    weeks_ago: int
    outcomes: list[RunOutcome]
    summary: EvaluationSummary
    changes: list[str]

    def line(self) -> str:
        iso = self.moment.isocalendar()
        ok = sum(outcome.status == "ok" for outcome in self.outcomes)
        facts = sum(outcome.items for outcome in self.outcomes)
        score = "n/a" if self.summary.overall is None else f"{self.summary.overall:.1f}"
        when = {0: "this week", 1: "last week"}.get(self.weeks_ago, f"{self.weeks_ago} weeks ago")
        line = (
            f"week {iso.year}-W{iso.week:02d} ({when}): {facts} facts from "
            f"{len(self.outcomes)} scopes ({ok} ok), readiness {score} ({self.summary.band})"
        )
        return line + "".join(f"; {change}" for change in self.changes)


def simulate(
    estate: Estate,
    moments: list[datetime],
    move_to: Callable[[datetime], None],
    collect_and_evaluate: Callable[[], tuple[list[RunOutcome], EvaluationSummary]],
    report: Callable[[Week], None],
) -> Week:
    """Rewind the estate to the first week, then at each week's moment make that week's
    changes, collect and evaluate; `report` hears of each week. Returns the last week."""
    rewind(estate, len(moments) - 1)
    quiet = not logging.getLogger().isEnabledFor(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in QUIET}
    week = None
    try:
        if quiet:
            for name in QUIET:
                logging.getLogger(name).setLevel(logging.WARNING)
        for index, moment in enumerate(moments):
            weeks_ago = len(moments) - 1 - index
            move_to(moment)
            changes = show_week(estate, weeks_ago, moment, first=index == 0)
            outcomes, summary = collect_and_evaluate()
            week = Week(moment, weeks_ago, outcomes, summary, changes)
            report(week)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    assert week is not None  # at least one week
    return week
