"""Which evaluation a reader looks at: the latest, the one a week is reported from, and THE
baseline it is compared with (one definition for the dashboard, `status` and the report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from vaultward.store.models import Evaluation

BASELINE_AGE = timedelta(days=7)


@dataclass(frozen=True)
class EvaluationRow:
    """One stored evaluation, without its runs (readers never need them)."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    overall_score: float | None
    band: str
    check_count: int
    finding_count: int
    problems: tuple[str, ...] = ()
    people: dict[str, Any] = field(default_factory=dict)  # the census, {} before it was stored

    @classmethod
    def of(cls, evaluation: Evaluation) -> EvaluationRow:
        assert evaluation.id is not None  # a stored row
        return cls(
            id=evaluation.id,
            started_at=evaluation.started_at,
            finished_at=evaluation.finished_at,
            overall_score=evaluation.overall_score,
            band=evaluation.band,
            check_count=evaluation.check_count,
            finding_count=evaluation.finding_count,
            problems=tuple(evaluation.problems),
            people=dict(evaluation.people),
        )


def _newest_first() -> tuple[Any, Any]:
    return col(Evaluation.started_at).desc(), col(Evaluation.id).desc()


def _row(evaluation: Evaluation | None) -> EvaluationRow | None:
    return None if evaluation is None else EvaluationRow.of(evaluation)


def latest_evaluation(session: Session) -> EvaluationRow | None:
    """The newest evaluation by start (then id), or None for an empty store."""
    return _row(session.exec(select(Evaluation).order_by(*_newest_first()).limit(1)).first())


def latest_evaluation_id(session: Session) -> int | None:
    """The newest evaluation's id (as `latest_evaluation` picks it): a cheap cache key."""
    return session.exec(select(Evaluation.id).order_by(*_newest_first()).limit(1)).first()


def evaluation_in(session: Session, start: datetime, end: datetime) -> EvaluationRow | None:
    """The last evaluation that started in [start, end): the one a period is reported from."""
    query = (
        select(Evaluation)
        .where(col(Evaluation.started_at) >= start, col(Evaluation.started_at) < end)
        .order_by(*_newest_first())
        .limit(1)
    )
    return _row(session.exec(query).first())


def baseline_evaluation(
    session: Session, evaluation: EvaluationRow, period: tuple[datetime, datetime] | None = None
) -> EvaluationRow | None:
    """The evaluation `evaluation` is compared with, None when there is none.

    THE baseline: the earlier evaluation nearest to seven days before `evaluation` (on either
    side of that moment), so "change over a week" means the same on any weekday.
    A report of a `period` (an ISO week's [start, end)) compares period with period instead:
    the last evaluation of the period of the same length just before it, never an earlier
    evaluation of the period itself."""
    if period is not None:
        start, end = period
        return evaluation_in(session, start - (end - start), start)
    target = evaluation.started_at - BASELINE_AGE
    # Only the nearest candidate on each side of the target can be the closest.
    before = session.exec(
        select(Evaluation).where(col(Evaluation.started_at) <= target).order_by(*_newest_first()).limit(1)
    ).first()
    after = session.exec(
        select(Evaluation)
        .where(col(Evaluation.started_at) > target, col(Evaluation.started_at) < evaluation.started_at)
        .order_by(col(Evaluation.started_at).asc())
        .limit(1)
    ).first()
    candidates = [e for e in (before, after) if e is not None]
    if not candidates:
        return None
    return EvaluationRow.of(min(candidates, key=lambda e: abs(e.started_at - target)))


def previous_evaluation(session: Session, evaluation: EvaluationRow | Evaluation) -> int | None:
    """The id of the evaluation just before `evaluation`: what an alert's score drop is
    measured against (a drop is news at the evaluation it happens, not a week later)."""
    return session.exec(
        select(Evaluation.id)
        .where(col(Evaluation.started_at) < evaluation.started_at)
        .order_by(col(Evaluation.started_at).desc())
        .limit(1)
    ).first()


def overall_history(session: Session, since: datetime) -> list[tuple[datetime, float | None]]:
    """(started_at, overall score) of every evaluation started since `since`, oldest first."""
    rows = session.exec(
        select(Evaluation.started_at, Evaluation.overall_score)
        .where(col(Evaluation.started_at) >= since)
        .order_by(col(Evaluation.started_at))
    ).all()
    return [(started, overall) for started, overall in rows]


def evaluations_around(
    session: Session, start: datetime, end: datetime
) -> tuple[datetime | None, datetime | None]:
    """When the last evaluation before `start` and the first from `end` on started (None where
    there is none): the nearest periods a reader can be sent to when [start, end) has none."""
    before = session.exec(
        select(Evaluation.started_at)
        .where(col(Evaluation.started_at) < start)
        .order_by(col(Evaluation.started_at).desc())
        .limit(1)
    ).first()
    after = session.exec(
        select(Evaluation.started_at)
        .where(col(Evaluation.started_at) >= end)
        .order_by(col(Evaluation.started_at).asc())
        .limit(1)
    ).first()
    return before, after
