"""Retention: the findings of old evaluations and the facts of superseded Runs are deleted
after a while, so the store grows with the organisation, not with time.

Kept for ever: every Evaluation with its mitigation and check scores (trends), every Run
row (the Sources page), the findings and inventories (people, wallets) of each ISO week's
last evaluation (any week's report
can be rebuilt, and compared with the week before), and the facts of each scope's latest
usable Run (what the next evaluation reads), with, where that Run's listing was incomplete,
the earlier Runs it may carry forward. Deleting goes one evaluation or one Run per
transaction, so a prune never holds the store for long.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, SQLModel, col, select

from vaultward.config.settings import RetentionConfig
from vaultward.pipeline.evidence import earlier_runs
from vaultward.pipeline.gaps import run_gaps
from vaultward.reporting.content import iso_week_of
from vaultward.store.models import (
    CollectionRound,
    Evaluation,
    Fact,
    Finding,
    InventoryCustody,
    InventoryIssue,
    InventoryPerson,
    RoundTask,
    Run,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pruned:
    evaluations: int  # evaluations whose findings were deleted
    findings: int
    runs: int  # runs whose facts were deleted
    facts: int
    rounds: int = 0  # completed task-queue rounds deleted with their tasks

    def line(self) -> str:
        return (
            f"pruned {self.findings:,} findings of {self.evaluations} evaluation(s) and "
            f"{self.facts:,} facts of {self.runs} superseded run(s)"
            + (f", and {self.rounds} completed queue round(s)" if self.rounds else "")
        )


def weekly_evaluations(session: Session) -> set[int]:
    """The last evaluation of every ISO week (UTC), as the weekly report picks it."""
    last: dict[str, tuple[datetime, int]] = {}
    for evaluation_id, started_at in session.exec(select(Evaluation.id, Evaluation.started_at)).all():
        assert evaluation_id is not None  # a stored row
        week = iso_week_of(started_at)
        if week not in last or (started_at, evaluation_id) > last[week]:
            last[week] = (started_at, evaluation_id)
    return {evaluation_id for _, evaluation_id in last.values()}


def expired_evaluations(session: Session, before: datetime) -> list[int]:
    """Evaluations started before `before` that still have findings or inventories and are
    not a week's last."""
    kept = weekly_evaluations(session)
    held: set[int] = set()
    for model in (Finding, InventoryPerson, InventoryCustody, InventoryIssue):
        held.update(
            session.exec(
                select(model.evaluation_id)
                .join(Evaluation, col(Evaluation.id) == col(model.evaluation_id))
                .where(col(Evaluation.started_at) < before)
                .distinct()
            ).all()
        )
    return sorted(held - kept)


def superseded_runs(session: Session, before: datetime) -> list[int]:
    """Runs finished before `before` that still have facts, of scopes with a later usable Run."""
    latest_usable = (
        select(func.max(Run.id))
        .where(col(Run.status).in_(("ok", "partial")))
        .group_by(col(Run.collector), col(Run.scope))
    )
    old = session.exec(
        select(Run.id).where(col(Run.finished_at) < before, col(Run.id).not_in(latest_usable))
    ).all()
    if not old:
        return []
    with_facts = session.exec(select(Fact.run_id).where(col(Fact.run_id).in_(old)).distinct()).all()
    latest = [run_id for run_id in session.exec(latest_usable).all() if run_id is not None]
    return sorted(set(with_facts) - _carried_from(session, latest))


def _carried_from(session: Session, latest: list[int]) -> set[int]:
    """Earlier Runs an incomplete latest Run may carry forward (see vaultward/pipeline/evidence.py):
    of each scope whose latest usable Run has a listing gap, the usable Runs before it back
    to the latest complete one."""
    kept: set[int] = set()
    partial = session.exec(select(Run).where(col(Run.id).in_(latest), Run.status == "partial")).all()
    for run in partial:
        if not any(gap.listing for gap in run_gaps(run)):
            continue
        earlier = earlier_runs(session, run)
        for previous in earlier:
            kept.add(previous.id)  # type: ignore[arg-type]
            if not any(gap.listing for gap in run_gaps(previous)):
                break
    return kept


def prune(engine: Engine, config: RetentionConfig, now: datetime, dry_run: bool = False) -> Pruned:
    """Delete what `config` no longer keeps; with `dry_run`, only count it."""
    evaluations: list[int] = []
    runs: list[int] = []
    with Session(engine) as session:
        if config.findings_days:
            evaluations = expired_evaluations(session, now - timedelta(days=config.findings_days))
        if config.facts_days:
            runs = superseded_runs(session, now - timedelta(days=config.facts_days))
    findings = sum(_delete(engine, Finding, col(Finding.evaluation_id) == e, dry_run) for e in evaluations)
    for model in (InventoryPerson, InventoryCustody, InventoryIssue):  # its people and wallets go with it
        for evaluation_id in evaluations:
            _delete(engine, model, col(model.evaluation_id) == evaluation_id, dry_run)
    facts = sum(_delete(engine, Fact, col(Fact.run_id) == r, dry_run) for r in runs)
    rounds = (
        _prune_rounds(engine, now - timedelta(days=config.facts_days), dry_run) if config.facts_days else 0
    )
    pruned = Pruned(len(evaluations), findings, len(runs), facts, rounds)
    log.info("%s%s", "would have " if dry_run else "", pruned.line())
    return pruned


def _prune_rounds(engine: Engine, before: datetime, dry_run: bool) -> int:
    """Task-queue rounds completed before `before`, with their tasks: the bookkeeping of
    collections long done (the Runs they made stay)."""
    with Session(engine) as session:
        done = session.exec(
            select(CollectionRound.id).where(col(CollectionRound.completed_at) < before)
        ).all()
    for round_id in done if not dry_run else ():
        with engine.begin() as connection:
            connection.execute(delete(RoundTask).where(col(RoundTask.round_id) == round_id))
            connection.execute(delete(CollectionRound).where(col(CollectionRound.id) == round_id))
    return len(done)


def _delete(engine: Engine, model: type[SQLModel], condition, dry_run: bool) -> int:
    """Delete (or count) the rows matching `condition` in one transaction of their own."""
    with engine.begin() as connection:
        if dry_run:
            return connection.execute(select(func.count()).select_from(model).where(condition)).scalar_one()
        return connection.execute(delete(model).where(condition)).rowcount
