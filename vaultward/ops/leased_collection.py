"""`vaultward collect` under the leases the worker takes (job_lease.source_job): a source
whose lease another live process holds while collecting it is skipped and said so, never
collected twice at once. A worker that has finished a source and only keeps its lease until
the next firing does not stop a collection by hand: that lease is taken over (and the
worker's next firing takes it back once this one is done), unless a task queue is configured:
then queue workers may still be collecting the round the hold stands for."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from vaultward.config.settings import Settings
from vaultward.pipeline.collection import Progress, RunOutcome, collect, source_names
from vaultward.pipeline.orphans import reap_orphans
from vaultward.pipeline.registry import Registry
from vaultward.store import job_lease
from vaultward.store.unit_of_work import in_unit_of_work

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skipped:
    """A source not collected: another process holds its lease."""

    source: str
    holder: str | None
    until: datetime | None

    def line(self) -> str:
        held = (
            f" ({self.holder}, until {self.until:%Y-%m-%d %H:%M:%S} UTC)"
            if self.holder and self.until
            else ""
        )
        return f"skipped: {self.source}: not collected, another process holds its lease{held}"


def collect_leased(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    sources: Iterable[str] | None = None,
    progress: Progress | None = None,
    owner: str | None = None,
) -> tuple[list[RunOutcome], list[Skipped]]:
    """Collect the sources whose leases this process gets (renewed while it collects,
    released after); the others are returned as skipped."""
    names = source_names(settings, registry, sources)
    owner = owner or job_lease.worker_identity()
    reap_orphans(engine)  # also when every source is skipped
    # With a task queue, the scheduler's hold until the next firing covers queue workers that
    # may still be collecting the round it enqueued: it is not taken over.
    over_holds = not settings.queue.effective_broker_url()
    taken: list[str] = []
    skipped: list[Skipped] = []
    try:
        for name in names:
            job_id = job_lease.source_job(name)
            if job_lease.take(engine, job_id, owner, over_holds=over_holds):
                taken.append(name)
                continue
            held = in_unit_of_work(engine, job_lease.holder, job_id)
            skipped.append(
                Skipped(name, None, None) if held is None else Skipped(name, held.owner, held.expires_at)
            )
            log.info("%s skipped: another process holds its lease", name)
        if not taken:
            return [], skipped
        with job_lease.renewed(engine, [job_lease.source_job(name) for name in taken], owner):
            return collect(settings, engine, registry, sources=taken, progress=progress), skipped
    finally:
        for name in taken:
            try:
                in_unit_of_work(engine, job_lease.release, job_lease.source_job(name), owner)
            except (
                Exception
            ) as error:  # it expires on its own; a store that is away is reported by the caller
                log.debug("could not release the lease of %s: %s", name, type(error).__name__)
