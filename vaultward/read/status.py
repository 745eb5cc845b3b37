"""What `vaultward status` shows: the latest runs, their freshness, the latest scores."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vaultward.config.settings import Settings
from vaultward.pipeline.freshness import scope_states
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import format_score
from vaultward.read.gap_report import gap_rows
from vaultward.store.models import Evaluation, MitigationScore, Run, utcnow


@dataclass
class StatusReport:
    runs: list[tuple[str, ...]] = field(default_factory=list)
    gaps: list[tuple[str, ...]] = field(default_factory=list)  # gap_report.COLUMNS
    evaluation: str | None = None
    scores: list[tuple[str, ...]] = field(default_factory=list)


def latest_status(settings: Settings, engine: Engine, registry: Registry) -> StatusReport:
    now = utcnow()
    report = StatusReport()
    with Session(engine) as session:
        states = scope_states(session, settings, sorted(registry.collectors), now)
        latest_ids = {}
        for run in session.exec(select(Run).order_by(col(Run.id))).all():
            latest_ids[(run.collector, run.scope)] = run
        for state in states:
            last = latest_ids[(state.collector, state.scope)]
            if state.run is None:
                freshness = "never collected"
            elif state.stale_reason:
                freshness = "stale"
            else:
                freshness = "fresh"
            finished = last.finished_at.strftime("%Y-%m-%d %H:%M") if last.finished_at else "running"
            report.runs.append(
                (
                    state.collector,
                    state.scope,
                    last.status,
                    finished,
                    str(last.item_count),
                    freshness,
                    last.error or "",
                )
            )
        report.gaps = [row.cells() for row in gap_rows(settings, engine, registry, now)]
        evaluation = session.exec(select(Evaluation).order_by(col(Evaluation.id).desc()).limit(1)).first()
        if evaluation is None:
            return report
        overall = format_score(evaluation.overall_score)
        report.evaluation = f"{overall}/100 ({evaluation.band}) at {evaluation.started_at:%Y-%m-%d %H:%M} UTC"
        scores = session.exec(
            select(MitigationScore)
            .where(MitigationScore.evaluation_id == evaluation.id)
            .order_by(MitigationScore.mitigation)
        ).all()
        for score in scores:
            value = format_score(score.score)
            if not score.measured:
                value += " (no data)"
            report.scores.append(
                (
                    score.mitigation,
                    value,
                    str(score.check_count),
                    str(score.passed),
                    str(score.failed),
                    str(score.unknown),
                    str(score.waived),
                )
            )
    return report
