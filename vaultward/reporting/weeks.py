"""The ISO weeks reports cover, named and bounded one way everywhere: a week runs from Monday
00:00 UTC up to the next Monday 00:00 (`week_bounds`, a half-open interval for queries), and
people read it as Monday to Sunday, both days included (`week_range`, for every text: the
CLI, the report's header, the e-mail)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.read.evaluations import evaluation_in, evaluations_around, latest_evaluation

ISO_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")


class ReportError(ValueError):
    pass


def week_bounds(iso_week: str) -> tuple[datetime, datetime]:
    """`2026-W47` -> (Monday 00:00 UTC, the next Monday 00:00 UTC), the end excluded."""
    try:
        # One spelling only: the week names report files and records (" 2026-W047" is not it).
        if not ISO_WEEK.fullmatch(iso_week):
            raise ValueError(iso_week)
        year, week = iso_week.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ReportError(f"week {iso_week!r}: expected an ISO week like 2026-W47") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def week_days(iso_week: str) -> tuple[date, date]:
    """The week's Monday and Sunday, both included."""
    start, end = week_bounds(iso_week)
    return start.date(), (end - timedelta(days=1)).date()


def week_range(iso_week: str, date_format: str = "%Y-%m-%d") -> str:
    """`2026-W47` -> "2026-11-16 to 2026-11-22": Monday to Sunday, as every text shows a week."""
    monday, sunday = week_days(iso_week)
    return f"{monday.strftime(date_format)} to {sunday.strftime(date_format)}"


def iso_week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def nearest_weeks(session: Session, iso_week: str) -> list[str]:
    """The nearest weeks before and after `iso_week` that have an evaluation, oldest first."""
    start, end = week_bounds(iso_week)
    return [iso_week_of(moment) for moment in evaluations_around(session, start, end) if moment is not None]


def no_evaluation_message(session: Session, iso_week: str) -> str:
    """Why `iso_week` has no report, and which weeks have one."""
    text = f"no evaluation in {iso_week} ({week_range(iso_week)}): nothing to report"
    nearest = nearest_weeks(session, iso_week)
    if nearest:
        return text + f"; nearest week(s) with one: {', '.join(nearest)} (--week {nearest[-1]})"
    return text + "; the store has no evaluation yet: run `vaultward evaluate`"


def default_week(engine: Engine, last_complete: str) -> tuple[str, str]:
    """The week to report when none is asked, and why: the last complete week (`last_complete`)
    when it has an evaluation, else the week of the latest evaluation (the current one, in
    progress, right after `vaultward demo`), else `last_complete` (whose report then says
    there is nothing)."""
    start, end = week_bounds(last_complete)
    with Session(engine) as session:
        if evaluation_in(session, start, end) is not None:
            return last_complete, "the last complete week"
        latest = latest_evaluation(session)
    if latest is None:
        return last_complete, "the last complete week"
    week = iso_week_of(latest.started_at)
    return week, f"the last week with an evaluation ({last_complete}, the last complete week, has none)"
