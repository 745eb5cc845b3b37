"""Job leases in the store: however many workers share it, one at a time runs a job.

A lease is taken with one atomic statement (INSERT ... ON CONFLICT DO UPDATE WHERE the
current lease has expired or is ours), on SQLite and PostgreSQL alike, in the caller's
transaction: others see it once the caller's unit of work commits. It is renewed while
the job runs. A worker killed without releasing leaves a lease that expires on its own; on
the same host one whose process is gone is taken over at once (a restarted worker).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Engine, Table, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from vaultward.store.models import JobLease, utcnow
from vaultward.store.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0  # how long a lease outlives a worker that stopped renewing it
# A job in progress keeps its lease at most LEASE_SECONDS ahead (`renewed`); a worker that
# finished a scheduled job keeps it until the job's next firing, so that another worker's firing
# of the same round is skipped. A lease expiring further ahead than this is such a hold.
HOLD_AFTER_SECONDS = 2 * LEASE_SECONDS
LEASES: Table = JobLease.__table__  # type: ignore[attr-defined]  # Core columns, typed


def source_job(source: str) -> str:
    """The job (and lease) id of collecting `source`: the worker's and `vaultward collect`'s."""
    return f"collect:{source}"


def worker_identity() -> str:
    """host:pid:uuid — unique per worker process, and tells a restarted worker on the same
    host that the previous owner is gone."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """True when `owner` ran on this host and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host: only expiry tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def acquire(
    session: Session, job_id: str, owner: str, expires_at: datetime, over_holds: bool = False
) -> bool:
    """Take the lease of `job_id` until `expires_at` if it is free, expired, ours, or held
    by a process of this host that is gone; with `over_holds` also when a worker only holds
    it until the job's next firing (its run is over: `vaultward collect` by hand may run the
    job now). Atomic: of two workers racing, one gets it."""
    now = utcnow()
    current = session.execute(select(LEASES.c.owner).where(LEASES.c.job_id == job_id)).scalar()
    takeable = [owner] + ([current] if current and current != owner and owner_is_gone(current) else [])
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(LEASES).values(job_id=job_id, owner=owner, acquired_at=now, expires_at=expires_at)
    taking = statement.on_conflict_do_update(
        index_elements=["job_id"],
        set_={
            "owner": statement.excluded.owner,
            "acquired_at": statement.excluded.acquired_at,
            "expires_at": statement.excluded.expires_at,
        },
        where=or_(
            LEASES.c.expires_at < now,
            LEASES.c.owner.in_(takeable),
            *([LEASES.c.expires_at > now + timedelta(seconds=HOLD_AFTER_SECONDS)] if over_holds else []),
        ),
    ).returning(LEASES.c.owner)
    return session.execute(taking).first() is not None


def take(
    engine: Engine, job_id: str, owner: str, seconds: float = LEASE_SECONDS, over_holds: bool = False
) -> bool:
    """`acquire` for `seconds`, in a unit of work of its own."""
    with unit_of_work(engine) as session:
        return acquire(session, job_id, owner, utcnow() + timedelta(seconds=seconds), over_holds)


@dataclass(frozen=True)
class Holder:
    owner: str
    expires_at: datetime


def holder(session: Session, job_id: str) -> Holder | None:
    """Who holds the lease of `job_id` and until when (None when nobody does)."""
    row = session.execute(
        select(LEASES.c.owner, LEASES.c.expires_at).where(LEASES.c.job_id == job_id)
    ).first()
    return None if row is None else Holder(row.owner, row.expires_at)


def extend(session: Session, job_id: str, owner: str, expires_at: datetime) -> bool:
    """Move our lease's expiry; False when it is no longer ours."""
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor
        update(LEASES).where(LEASES.c.job_id == job_id, LEASES.c.owner == owner).values(expires_at=expires_at)
    )
    return result.rowcount == 1


def release(session: Session, job_id: str, owner: str) -> None:
    session.execute(delete(LEASES).where(LEASES.c.job_id == job_id, LEASES.c.owner == owner))


@contextmanager
def renewed(
    engine: Engine, job_ids: str | Sequence[str], owner: str, seconds: float = LEASE_SECONDS
) -> Iterator[None]:
    """Keep extending our lease (or leases) while the block runs (a long collection outlives
    one lease): a thread of its own, each beat its own unit of work."""
    done = threading.Event()
    ids = [job_ids] if isinstance(job_ids, str) else list(job_ids)

    def renew() -> None:
        while not done.wait(seconds / 3):
            for job_id in ids:
                try:
                    with unit_of_work(engine) as session:
                        kept = extend(session, job_id, owner, utcnow() + timedelta(seconds=seconds))
                    if not kept:
                        log.warning("%s: lease lost to another worker while running", job_id)
                except Exception as error:  # the store is away; try again on the next beat
                    log.warning("%s: could not renew the lease: %s", job_id, type(error).__name__)

    renewer = threading.Thread(target=renew, name=f"lease {', '.join(ids)}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
