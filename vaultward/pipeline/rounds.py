"""Collection rounds in the store: what makes queue tasks, delivered at least once, collect
each scope of a scheduled firing once and evaluate the round once.

A task is claimed under a lease (`collect:<round>:<scope>`, vaultward/store/job_lease.py) that its
worker renews while collecting; a killed worker's claim expires (or, on the same host, is
taken over at once) and the next delivery of its message collects the scope again. A round
completes with one conditional UPDATE, so of several workers finishing its last tasks
together exactly one sees it complete.

Every function here writes through the caller's Session and never commits: the caller's
unit of work (vaultward/store/unit_of_work.py) decides what is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import CursorResult, Table, and_, exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from vaultward.contract.sdk import Scope
from vaultward.store import job_lease
from vaultward.store.models import CollectionRound, RoundTask, utcnow

log = logging.getLogger(__name__)
ROUNDS: Table = CollectionRound.__table__  # type: ignore[attr-defined]  # Core columns, typed
TASKS: Table = RoundTask.__table__  # type: ignore[attr-defined]
MAX_LEASE_ID = 200  # JobLease.job_id's length


@dataclass(frozen=True)
class Claim:
    """What claiming a task found: `claimed` (ours now, under `lease_id` held by `owner`),
    `done` (collected already: a duplicate delivery), `busy` (a live worker holds it)."""

    state: Literal["claimed", "done", "busy"]
    lease_id: str = ""
    owner: str = ""
    params: dict[str, Any] | None = None
    interrupted_run_id: int | None = None  # the Run a dead worker left `running`


def task_lease_id(round_id: int, scope: str) -> str:
    lease_id = f"collect:{round_id}:{scope}"
    if len(lease_id) <= MAX_LEASE_ID:
        return lease_id
    return f"collect:{round_id}:sha256:{hashlib.sha256(scope.encode()).hexdigest()}"


def plain_json(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The params if they survive JSON unchanged (AWS accounts, base URLs), else None: the
    worker then lists the collector's scopes again to get them (config objects)."""
    try:
        value = json.loads(json.dumps(dict(params)))
    except (TypeError, ValueError):
        return None
    return value if value == dict(params) else None


def open_round(session: Session, collector: str, scheduled_at: datetime) -> int:
    """The round of this firing, created on first call (a redelivered message finds it)."""
    dialect_insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        dialect_insert(ROUNDS)
        .values(collector=collector, scheduled_at=scheduled_at)
        .on_conflict_do_nothing(index_elements=["collector", "scheduled_at"])
    )
    return session.execute(
        select(ROUNDS.c.id).where(ROUNDS.c.collector == collector, ROUNDS.c.scheduled_at == scheduled_at)
    ).scalar_one()


def get_round(session: Session, round_id: int) -> CollectionRound:
    row = session.execute(select(ROUNDS).where(ROUNDS.c.id == round_id)).mappings().one()
    return CollectionRound.model_validate(dict(row))


def unfinished_round(session: Session, collector: str, newer_than: timedelta) -> CollectionRound | None:
    """The source's latest round if it is not complete and younger than `newer_than`."""
    row = (
        session.execute(
            select(ROUNDS)
            .where(ROUNDS.c.collector == collector)
            .order_by(ROUNDS.c.scheduled_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None or row["completed_at"] is not None or row["scheduled_at"] < utcnow() - newer_than:
        return None
    return CollectionRound.model_validate(dict(row))


def set_discovery_run(session: Session, round_id: int, run_id: int) -> None:
    session.execute(update(ROUNDS).where(ROUNDS.c.id == round_id).values(discovery_run_id=run_id))


def record_scopes(session: Session, round_id: int, scopes: Sequence[Scope]) -> None:
    """The round's tasks, one per scope, and its scope count: one transaction (the caller's)
    makes a round with a count have all its tasks."""
    first_of_id: dict[str, Scope] = {}
    for scope in scopes:  # a scope listed twice is one task
        first_of_id.setdefault(scope.id, scope)
    unique = list(first_of_id.values())
    if unique:
        session.execute(
            insert(TASKS),
            [
                {
                    "round_id": round_id,
                    "scope": scope.id,
                    "params": plain_json(scope.params),
                    "status": "pending",
                    "attempts": 0,
                }
                for scope in unique
            ],
        )
    session.execute(update(ROUNDS).where(ROUNDS.c.id == round_id).values(scope_count=len(unique)))


def unfinished_scopes(session: Session, round_id: int) -> list[str]:
    return list(
        session.execute(
            select(TASKS.c.scope)
            .where(TASKS.c.round_id == round_id, TASKS.c.status != "done")
            .order_by(TASKS.c.scope)
        ).scalars()
    )


def _task(session: Session, round_id: int, scope: str) -> dict[str, Any] | None:
    row = (
        session.execute(select(TASKS).where(TASKS.c.round_id == round_id, TASKS.c.scope == scope))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def claim_task(session: Session, round_id: int, scope: str, claim_seconds: float) -> Claim:
    """Take the task's lease and mark it running, unless it is done or a live worker has it.
    The lease, the second look and the mark are one transaction: others see the claim whole
    once the caller commits (on PostgreSQL a racing `acquire` waits for that on the lease row)."""
    task = _task(session, round_id, scope)
    if task is None or task["status"] == "done":
        return Claim("done")
    lease_id, owner = task_lease_id(round_id, scope), job_lease.worker_identity()
    if not job_lease.acquire(session, lease_id, owner, utcnow() + timedelta(seconds=claim_seconds)):
        return Claim("busy")
    task = _task(session, round_id, scope)  # it may have finished just before we took the lease
    if task is None or task["status"] == "done":
        job_lease.release(session, lease_id, owner)
        return Claim("done")
    # A task already `running` had a worker that died (we hold its lease now): its Run stays
    # `running` until we mark it failed.
    interrupted = task["run_id"] if task["status"] == "running" else None
    session.execute(
        update(TASKS)
        .where(TASKS.c.round_id == round_id, TASKS.c.scope == scope)
        .values(status="running", attempts=TASKS.c.attempts + 1)
    )
    return Claim("claimed", lease_id, owner, task["params"], interrupted)


def task_run_started(session: Session, round_id: int, scope: str, run_id: int) -> None:
    session.execute(
        update(TASKS).where(TASKS.c.round_id == round_id, TASKS.c.scope == scope).values(run_id=run_id)
    )


def finish_task(session: Session, round_id: int, scope: str) -> None:
    """Mark the task done. Commit it before `complete_round` looks (a unit of work of its
    own): two workers finishing the last tasks together then cannot both miss the other's."""
    session.execute(
        update(TASKS).where(TASKS.c.round_id == round_id, TASKS.c.scope == scope).values(status="done")
    )


def complete_round(session: Session, round_id: int) -> bool:
    """Mark the round complete if its scopes are listed and every task is done; True for
    the one caller that did (the UPDATE's row lock decides between racing workers)."""
    not_done = exists().where(TASKS.c.round_id == round_id, TASKS.c.status != "done")
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor
        update(ROUNDS)
        .where(
            and_(
                ROUNDS.c.id == round_id,
                ROUNDS.c.completed_at.is_(None),
                ROUNDS.c.scope_count.is_not(None),
                ~not_done,
            )
        )
        .values(completed_at=utcnow())
    )
    return result.rowcount == 1


def awaits_evaluation(session: Session, round_id: int) -> bool:
    round_ = get_round(session, round_id)
    return round_.completed_at is not None and round_.evaluation_id is None


def record_evaluation(session: Session, round_id: int, evaluation_id: int) -> None:
    """In the evaluation's own unit of work (vaultward/ops/task_queue.py): a worker killed
    mid-evaluation leaves neither, and the next delivery evaluates again."""
    session.execute(
        update(ROUNDS)
        .where(ROUNDS.c.id == round_id)
        .values(evaluation_id=evaluation_id, evaluated_at=utcnow())
    )
