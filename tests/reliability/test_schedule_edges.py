"""Clock and calendar edges: the weekly report's Monday 07:00 Europe/Zurich across both DST
changes, a cron time in the hour that repeats, ISO week 53 of 2026 and year boundaries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vaultward.config.settings import parse_settings
from vaultward.reporting.content import ReportError, iso_week_of, week_bounds
from vaultward.reporting.weekly import last_complete_week

ZURICH = ZoneInfo("Europe/Zurich")


def firings(cron: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` firings as the worker's scheduler computes them (each from the last)."""
    trigger = parse_settings(
        {"report": {"schedule": {"cron": cron, "timezone": timezone}}}
    ).report.schedule.trigger()
    fired, previous, now = [], None, after
    for _ in range(count):
        previous = now = trigger.get_next_fire_time(previous, now)
        fired.append(now.astimezone(UTC))
    return fired


def test_the_weekly_report_fires_once_at_seven_local_across_the_march_change():
    # Clocks go forward on Sunday 29 March 2026: 07:00 is 06:00 UTC before, 05:00 UTC after.
    assert firings("0 7 * * mon", "Europe/Zurich", datetime(2026, 3, 20, tzinfo=UTC), 3) == [
        datetime(2026, 3, 23, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 5, 0, tzinfo=UTC),
        datetime(2026, 4, 6, 5, 0, tzinfo=UTC),
    ]


def test_the_weekly_report_fires_once_at_seven_local_across_the_october_change():
    # Clocks go back on Sunday 25 October 2026.
    assert firings("0 7 * * mon", "Europe/Zurich", datetime(2026, 10, 16, tzinfo=UTC), 3) == [
        datetime(2026, 10, 19, 5, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 6, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 0, tzinfo=UTC),
    ]


def test_a_time_in_the_repeated_hour_fires_once_and_one_in_the_skipped_hour_still_fires():
    # 02:30 happens twice on 25 October (CEST, then CET): once is enough, as with cron.
    assert firings("30 2 * * *", "Europe/Zurich", datetime(2026, 10, 24, tzinfo=UTC), 3) == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    # 02:30 does not exist on 29 March: the job still runs that night, once.
    assert firings("30 2 * * *", "Europe/Zurich", datetime(2026, 3, 28, tzinfo=UTC), 3) == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]


def test_the_report_after_each_dst_change_covers_the_week_before():
    assert last_complete_week(datetime(2026, 3, 30, 7, 0, tzinfo=ZURICH), "Europe/Zurich") == "2026-W13"
    assert last_complete_week(datetime(2026, 10, 26, 7, 0, tzinfo=ZURICH), "Europe/Zurich") == "2026-W43"


def test_2026_has_an_iso_week_53_and_its_report_runs_in_january():
    assert datetime(2026, 12, 31).isocalendar()[:2] == (2026, 53)  # 1 January 2026 was a Thursday
    monday = datetime(2027, 1, 4, 7, 0, tzinfo=ZURICH)
    assert last_complete_week(monday, "Europe/Zurich") == "2026-W53"
    assert week_bounds("2026-W53") == (datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC))
    assert week_bounds("2027-W01")[0] == datetime(2027, 1, 4, tzinfo=UTC)
    assert iso_week_of(datetime(2027, 1, 3, 23, 59, tzinfo=UTC)) == "2026-W53"
    assert iso_week_of(datetime(2027, 1, 4, 0, 0, tzinfo=UTC)) == "2027-W01"
    assert firings("0 7 * * mon", "Europe/Zurich", datetime(2026, 12, 29, tzinfo=UTC), 1) == [
        datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    ]


def test_year_boundaries_follow_the_iso_calendar_and_the_schedules_timezone():
    # Week 1 of 2026 began on Monday 29 December 2025.
    assert last_complete_week(datetime(2026, 1, 5, 7, 0, tzinfo=ZURICH), "Europe/Zurich") == "2026-W01"
    assert week_bounds("2026-W01") == (datetime(2025, 12, 29, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC))
    assert last_complete_week(datetime(2026, 1, 1, 12, tzinfo=UTC), "UTC") == "2025-W52"
    # Sunday 23:30 UTC is already Monday in Zurich: a week later there than in UTC.
    sunday_night = datetime(2027, 1, 3, 23, 30, tzinfo=UTC)
    assert last_complete_week(sunday_night, "Europe/Zurich") == "2026-W53"
    assert last_complete_week(sunday_night, "UTC") == "2026-W52"


@pytest.mark.parametrize("week", ["2025-W53", "2026-W54", "2026-W00"])
def test_a_week_the_year_does_not_have_is_a_clear_error(week):
    with pytest.raises(ReportError, match=rf"week '{week}': expected an ISO week like 2026-W47"):
        week_bounds(week)
