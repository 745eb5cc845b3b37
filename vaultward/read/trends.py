"""Scores over time: every evaluation's overall and per-mitigation scores in a window, the
evaluations whose checks or sources changed, and the report's one point per ISO week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vaultward.store.models import CheckScore, Evaluation, MitigationScore, Run

OVERALL = "overall"


@dataclass(frozen=True)
class TrendPoint:
    evaluation_id: int
    started_at: datetime
    series: str  # OVERALL or a mitigation
    score: float | None  # None: not measured, a gap rather than a zero


def trend_points(session: Session, since: datetime) -> list[TrendPoint]:
    """The overall and per-mitigation scores of every evaluation started since `since`."""
    overall = session.exec(
        select(Evaluation.id, Evaluation.started_at, Evaluation.overall_score).where(
            col(Evaluation.started_at) >= since
        )
    ).all()
    per_mitigation = session.exec(
        select(  # type: ignore[call-overload]  # five columns: sqlmodel types up to four
            Evaluation.id, Evaluation.started_at, MitigationScore.mitigation, MitigationScore.score,
            MitigationScore.measured,
        )
        .join(MitigationScore, col(MitigationScore.evaluation_id) == col(Evaluation.id))
        .where(col(Evaluation.started_at) >= since)
    ).all()  # fmt: skip
    points = [TrendPoint(id_, started, OVERALL, score) for id_, started, score in overall if id_ is not None]
    points += [
        TrendPoint(id_, started, name, score if measured else None)
        for id_, started, name, score, measured in per_mitigation
        if id_ is not None
    ]
    return points


@dataclass(frozen=True)
class Change:
    """An evaluation whose checks or sources differ from the evaluation before it."""

    evaluation_id: int
    started_at: datetime
    checks_added: list[str]
    checks_removed: list[str]
    sources_added: list[str]
    sources_removed: list[str]


def changes(session: Session, since: datetime) -> list[Change]:
    """The evaluations since `since` whose check ids (of their check scores) or collectors (of
    the Runs they used) differ from the evaluation before them. One query per table, no
    findings."""
    # The last evaluation before the window is the base the first one is compared with.
    base = session.exec(
        select(Evaluation.started_at)
        .where(col(Evaluation.started_at) < since)
        .order_by(col(Evaluation.started_at).desc())
    ).first()
    start = base if base is not None else since
    evaluations = session.exec(
        select(Evaluation.id, Evaluation.started_at, Evaluation.runs)
        .where(col(Evaluation.started_at) >= start)
        .order_by(col(Evaluation.started_at), col(Evaluation.id))
    ).all()
    check_rows = session.exec(
        select(CheckScore.evaluation_id, CheckScore.check_id)
        .join(Evaluation, col(CheckScore.evaluation_id) == col(Evaluation.id))
        .where(col(Evaluation.started_at) >= start)
    ).all()
    run_ids = [run_id for _, _, runs in evaluations for run_id in runs or []]
    collectors: dict[int, str] = {}
    if run_ids:
        found = session.exec(
            select(Run.id, Run.collector).where(col(Run.id).between(min(run_ids), max(run_ids)))
        )
        collectors = {run_id: name for run_id, name in found if run_id is not None}
    checks: dict[int, set[str]] = {}
    for evaluation_id, check_id in check_rows:
        checks.setdefault(evaluation_id, set()).add(check_id)
    found_changes = []
    previous: tuple[set[str], set[str]] | None = None
    for stored_id, started_at, runs in evaluations:
        evaluation_id = stored_id or 0  # always set for stored rows
        current = (
            checks.get(evaluation_id, set()),
            {collectors[run_id] for run_id in runs or [] if run_id in collectors},
        )
        if previous is not None and started_at >= since and current != previous:
            found_changes.append(
                Change(
                    evaluation_id,
                    started_at,
                    sorted(current[0] - previous[0]),
                    sorted(previous[0] - current[0]),
                    sorted(current[1] - previous[1]),
                    sorted(previous[1] - current[1]),
                )
            )
        previous = current
    return found_changes


@dataclass(frozen=True)
class WeekPoint:
    """One week of the sparklines: the last evaluation of that ISO week, if any."""

    iso_week: str
    evaluation_id: int | None
    overall: float | None
    mitigations: dict[str, float | None]  # measured scores only: None for no evidence or no evaluation


def weekly_history(
    session: Session, labels: list[str], first: datetime, mitigations: list[str]
) -> list[WeekPoint]:
    """One point per week: `labels` are consecutive ISO weeks, the first starting at `first`."""
    rows = session.exec(
        select(Evaluation.id, Evaluation.started_at, Evaluation.overall_score)
        .where(col(Evaluation.started_at) >= first)
        .where(col(Evaluation.started_at) < first + timedelta(weeks=len(labels)))
        .order_by(col(Evaluation.started_at), col(Evaluation.id))
    ).all()
    last: dict[int, tuple[int, float | None]] = {}
    for evaluation_id, started_at, overall in rows:  # ascending: the week's last one wins
        if evaluation_id is not None:  # always, for stored rows; narrows the type
            last[(started_at - first) // timedelta(weeks=1)] = (evaluation_id, overall)
    scores: dict[tuple[int, str], float | None] = {}
    ids = [evaluation_id for evaluation_id, _ in last.values()]
    if ids:
        for row in session.exec(select(MitigationScore).where(col(MitigationScore.evaluation_id).in_(ids))):
            scores[(row.evaluation_id, row.mitigation)] = row.score if row.measured else None
    points = []
    for index, label in enumerate(labels):
        if index in last:
            evaluation_id, overall = last[index]
            points.append(
                WeekPoint(
                    label, evaluation_id, overall, {m: scores.get((evaluation_id, m)) for m in mitigations}
                )
            )
        else:
            points.append(WeekPoint(label, None, None, dict.fromkeys(mitigations)))
    return points
