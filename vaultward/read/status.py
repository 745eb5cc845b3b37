"""What `vaultward status` shows: the latest runs, their freshness, the latest scores."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.settings import Settings
from vaultward.pipeline.freshness import scope_states
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import format_score
from vaultward.read.evaluations import latest_evaluation
from vaultward.read.gap_report import gap_rows
from vaultward.read.runs import latest_runs
from vaultward.read.scores import mitigation_scores
from vaultward.store.models import utcnow


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
        latest = {(run.collector, run.scope): run for run in latest_runs(session)}
        ended = {(run.collector, run.scope): run for run in latest_runs(session, finished=True)}
        for state in states:
            # The Run the scope's data stands on, and one in progress beside it
            newest = latest[(state.collector, state.scope)]  # a dead process's Run reads as failed
            last = ended.get((state.collector, state.scope), newest) if newest.status == "running" else newest
            outcome = last.status
            if newest.status == "running" and last is not newest:
                outcome += f"; a Run in progress since {newest.started_at:%Y-%m-%d %H:%M}"
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
                    outcome,
                    finished,
                    str(last.item_count),
                    freshness,
                    last.error or "",
                )
            )
        report.gaps = [row.cells() for row in gap_rows(settings, engine, registry, now)]
        evaluation = latest_evaluation(session)
        if evaluation is None:
            return report
        overall = format_score(evaluation.overall_score)
        report.evaluation = f"{overall}/100 ({evaluation.band}) at {evaluation.started_at:%Y-%m-%d %H:%M} UTC"
        for score in sorted(mitigation_scores(session, evaluation.id), key=lambda s: s.mitigation):
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
