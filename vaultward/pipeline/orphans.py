"""Runs left `running` by a process that was killed: recognised by their owner and heartbeat
(vaultward/store/run_owner.py) and marked failed, "interrupted: ...".

`collect`, `evaluate`, `status` and the workers call `reap_orphans`; readers show such a Run
as failed even before it is marked (`orphan_reason`). A Run is judged left behind when its
owner ran on this host (same boot and pid namespace) and that process is gone or is another
process now, or when its heartbeat is older than run_owner.STALE_SECONDS (a Run of another
host is judged by its heartbeat only, a Run stored before owners were by its start; a Run
whose process is seen alive here is never judged by its heartbeat), or
when it is this process's and this process no longer runs it (the store failed as it was
finished). A live process's Run, beating, is never marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from vaultward.store.models import Run, utcnow
from vaultward.store.run_owner import (
    HEARTBEAT,
    STALE_SECONDS,
    Owner,
    heartbeat_stale,
    owner_alive,
    this_process,
)
from vaultward.store.unit_of_work import in_unit_of_work

log = logging.getLogger(__name__)
INTERRUPTED_PREFIX = "interrupted: "


def is_interrupted(error: str | None) -> bool:
    """Whether a failed Run's error says it was interrupted (by whichever way it was found)."""
    return bool(error and error.startswith(INTERRUPTED_PREFIX))


def orphan_reason(run: Run, now: datetime, here: Owner | None = None) -> str | None:
    """Why `run` is left behind ("interrupted: ..."), or None when it is not running or may
    still be running."""
    if run.status != "running":
        return None
    here = here or this_process()
    if run.owner_host is not None and run.owner_pid is not None:
        owner = Owner(run.owner_host, run.owner_pid, run.owner_started)
        if owner == here and not HEARTBEAT.tracks(run.id or 0):  # ours, and no longer running
            return f"{INTERRUPTED_PREFIX}its process (pid {owner.pid} on {owner.host}) stopped running it"
        alive = owner_alive(owner, here)
        if alive is False:
            return f"{INTERRUPTED_PREFIX}its process (pid {owner.pid} on {owner.host}) is gone"
        if alive is True:  # its process runs: a stale heartbeat is a store that was away
            return None
    heartbeat = run.heartbeat_at or run.started_at
    if heartbeat_stale(heartbeat, now):
        where = f"pid {run.owner_pid} on {run.owner_host}" if run.owner_host else "an earlier version"
        return (
            f"{INTERRUPTED_PREFIX}no heartbeat from its process ({where}) since "
            f"{heartbeat:%Y-%m-%d %H:%M:%S} UTC (more than {STALE_SECONDS:.0f} s)"
        )
    return None


@dataclass(frozen=True)
class Reaped:
    run_id: int
    collector: str
    scope: str
    error: str


def reap(session: Session, now: datetime | None = None) -> list[Reaped]:
    """Mark every Run left behind failed, in the caller's transaction. A Run whose heartbeat
    moved or that finished since it was read is left alone."""
    now = now or utcnow()
    here = this_process()
    reaped = []
    for run in session.exec(select(Run).where(Run.status == "running")).all():
        reason = orphan_reason(run, now, here)
        if reason is None:
            continue
        beat = col(Run.heartbeat_at)
        result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor
            update(Run)
            .where(
                col(Run.id) == run.id,
                col(Run.status) == "running",
                beat.is_(None) if run.heartbeat_at is None else beat == run.heartbeat_at,
            )
            .values(status="failed", error=reason, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            assert run.id is not None
            reaped.append(Reaped(run.id, run.collector, run.scope, reason))
            log.warning("run %s (%s %s) marked failed: %s", run.id, run.collector, run.scope, reason)
    return reaped


def reap_orphans(engine: Engine) -> list[Reaped]:
    """`reap` in a unit of work of its own."""
    return in_unit_of_work(engine, reap)
