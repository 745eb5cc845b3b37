"""Runs collectors: one Run per scope, its facts written in one transaction.

A failure in one scope marks that Run `failed` with the (redacted) error and never touches
facts stored by earlier Runs; other scopes go on. A listing that broke off part-way keeps
what was read and marks the Run `partial`.

`run_scope`, `discover_scopes` and `collect` own their transactions (a Run is committed
`running` before its source is read, its facts and status in one unit of work after); the
store steps below write through the caller's Session.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import islice

from sqlalchemy import CursorResult, Engine, insert, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from vaultward.config.settings import Settings
from vaultward.contract.records import CollectionScope, Record
from vaultward.contract.redaction import redact
from vaultward.contract.sdk import Collector, IncompleteListing, Problem, Scope
from vaultward.pipeline.freshness import discovery_scope
from vaultward.pipeline.gaps import Gap, Unreadable
from vaultward.pipeline.orphans import reap_orphans
from vaultward.pipeline.prior import with_prior
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.spool import FactRow, FactSpool
from vaultward.store.models import Fact, Run, utcnow
from vaultward.store.run_owner import HEARTBEAT, this_process
from vaultward.store.unit_of_work import in_unit_of_work, unit_of_work

log = logging.getLogger(__name__)
MAX_ERROR_LENGTH = 4000
# A Run a worker found left behind by the claim it took over (vaultward/ops/task_queue.py);
# vaultward/pipeline/orphans.py finds the others, its errors starting "interrupted: " too.
INTERRUPTED = "interrupted: the worker stopped before this run finished"


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    collector: str
    scope: str
    status: str  # ok | partial | failed
    items: int
    error: str | None
    seconds: float


Progress = Callable[[str, Scope, RunOutcome | None], None]  # ("start"|"done", scope, outcome)


def _describe(error: BaseException) -> str:
    if isinstance(error, DBAPIError):  # the driver's words, without the statement and its facts
        error = error.orig if isinstance(error.orig, BaseException) else error
    text = f"{type(error).__name__}: {error}"
    return redact(text)[:MAX_ERROR_LENGTH]


def _start_run(session: Session, collector: str, scope: str) -> int:
    owner, now = this_process(), utcnow()
    run = Run(
        collector=collector,
        scope=scope,
        status="running",
        started_at=now,
        owner_host=owner.host,
        owner_pid=owner.pid,
        owner_started=owner.started,
        heartbeat_at=now,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def _started(engine: Engine, collector: str, scope: str) -> int:
    """A Run committed `running`, its heartbeat tracked before anyone can see it (the caller
    untracks it once it is finished)."""
    run_id: int | None = None
    try:
        with unit_of_work(engine) as session:
            run_id = _start_run(session, collector, scope)
            HEARTBEAT.track(engine, run_id)
    except BaseException:
        if run_id is not None:
            HEARTBEAT.untrack(engine, run_id)
        raise
    return run_id


class RunInterrupted(Exception):
    """The Run was marked interrupted (its heartbeat went stale) while it ran: what it read
    is not stored under a Run the store already calls failed."""


def _finish(session: Session, run_id: int, **values: object) -> bool:
    """Set the outcome of a Run that is still `running` (one statement, so a reaper marking
    it at the same moment either comes first and wins, or finds it finished)."""
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor
        update(Run)
        .where(col(Run.id) == run_id, col(Run.status) == "running")
        .values(finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish_or_interrupted(session: Session, run_id: int, **values: object) -> None:
    if not _finish(session, run_id, **values):
        raise RunInterrupted(f"run {run_id} was marked interrupted while it ran; what it read was not stored")


def _finish_failed(session: Session, run_id: int, error: str) -> None:
    _finish(session, run_id, status="failed", error=error)  # already marked: it stays as it is


INSERT_BATCH = 5000  # fact rows per INSERT: the parameters of all of them at once would double the memory


def _insert_facts(session: Session, run_id: int, scope_id: str, rows: Iterable[FactRow]) -> None:
    batch = iter(rows)
    while chunk := list(islice(batch, INSERT_BATCH)):
        session.execute(
            insert(Fact),
            [
                {
                    "run_id": run_id,
                    "kind": r.kind,
                    "key": r.key,
                    "scope": scope_id,
                    "data": json.loads(r.data),
                }
                for r in chunk
            ],
        )


def _finish_discovery(session: Session, run_id: int, scope_id: str, scopes: list[Scope]) -> None:
    """Store the listed scopes as the discovery Run's facts: the evaluation counts only
    scopes the latest successful discovery listed (removed accounts stop counting)."""
    records = [CollectionScope(key=scope.id, scope=scope_id) for scope in scopes]
    _finish_or_interrupted(
        session, run_id, status="ok", item_count=len(records), counts={CollectionScope.kind: len(records)}
    )
    _insert_facts(session, run_id, scope_id, map(FactRow.of, records))


def _finish_collected(
    session: Session, run_id: int, scope_id: str, facts: FactSpool, gaps: Sequence[Gap]
) -> None:
    """The Run's facts and its outcome (`partial` with gaps, else `ok`)."""
    _finish_or_interrupted(
        session,
        run_id,
        status="partial" if gaps else "ok",
        error=_gap_text(gaps),
        item_count=len(facts),
        counts=dict(facts.counts),
        gaps=[gap.to_json() for gap in gaps],
    )
    _insert_facts(session, run_id, scope_id, facts.rows())


def _gap_text(gaps: Sequence[Gap]) -> str | None:
    return "; ".join(gap.reason for gap in gaps)[:MAX_ERROR_LENGTH] or None


def interrupt_run(session: Session, run_id: int) -> bool:
    """Mark one Run failed if it is still `running` (its worker was killed: the caller holds
    the claim the dead worker held, so nothing is writing it)."""
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor
        update(Run)
        .where(Run.id == run_id, Run.status == "running")  # type: ignore[arg-type]
        .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
    )
    return result.rowcount == 1


def run_scope(
    engine: Engine, collector: Collector, scope: Scope, on_run: Callable[[int], None] | None = None
) -> RunOutcome:
    """Collect one scope and store its facts atomically; never raises for collector errors.
    `on_run` is told the Run's id before collection begins (a queue task records it). The
    Run's heartbeat is renewed until it is finished."""
    run_id = _started(engine, collector.name, scope.id)
    try:
        if on_run:
            on_run(run_id)
        return _collect_scope(engine, collector, scope, run_id)
    finally:
        HEARTBEAT.untrack(engine, run_id)


def _collect_scope(engine: Engine, collector: Collector, scope: Scope, run_id: int) -> RunOutcome:
    with FactSpool() as facts:  # as stored, not as typed records, and not in a list (see FactSpool)
        return _collect_into(facts, engine, collector, scope, run_id)


def _collect_into(
    facts: FactSpool, engine: Engine, collector: Collector, scope: Scope, run_id: int
) -> RunOutcome:
    started = utcnow()
    gaps: list[Gap] = []
    allowed = {kind.kind for kind in collector.produces} | {Unreadable.kind}
    handed = scope  # with its prior, while the collector reads
    try:
        handed = with_prior(engine, collector, scope, run_id)
    except Exception as error:  # the store could not say: the collector reads in full
        log.info("%s %s: no prior read (%s): reading in full", collector.name, scope.id, _describe(error))
    try:
        for item in collector.collect(handed):
            if isinstance(item, Problem):
                gaps.append(Gap.from_problem(replace(item, reason=redact(item.reason))))
            elif isinstance(item, Record) and item.kind in allowed:
                if isinstance(item, Unreadable):
                    item = item.model_copy(update={"reason": redact(item.reason)})
                    gaps.append(Gap.from_unreadable(item))
                facts.add(item)  # stored under the Run's scope whatever item.scope says
            else:
                gaps.append(Gap(f"collector yielded an undeclared item: {type(item).__name__}"))
    except IncompleteListing as error:
        if not facts:
            # Nothing to keep: failing leaves the earlier complete facts in use.
            return _fail(engine, run_id, collector, scope, error, started)
        log.warning("%s %s: listing incomplete: %s", collector.name, scope.id, redact(str(error)))
        # The listing broke off: whatever the collector had not reached yet is missing too.
        gaps.insert(0, Gap(redact(str(error)), error.kinds))  # the main gap, first
    except Exception as error:  # a failed scope must not stop the others
        return _fail(engine, run_id, collector, scope, error, started)

    handed = scope  # the prior is read: let it go before the facts are written
    status, error_text = "partial" if gaps else "ok", _gap_text(gaps)
    try:
        with unit_of_work(engine) as session:
            _finish_collected(session, run_id, scope.id, facts, gaps)
    except Exception as error:  # the store failed: nothing of this Run was written
        # The outcome carries it: the CLI ends with one line naming the store, the worker
        # logs the failed scope; a line per scope here would repeat it.
        message = f"storing facts failed: {_describe(error)}"
        log.info("%s %s: %s", collector.name, scope.id, message)
        try:
            in_unit_of_work(engine, _finish_failed, run_id, message)
        except Exception as again:  # the store is gone; the Run is reaped once it is back
            log.info("could not mark run %s failed: %s", run_id, type(again).__name__)
        return RunOutcome(run_id, collector.name, scope.id, "failed", 0, message, _seconds(started))
    log.info("%s %s: %s, %d items", collector.name, scope.id, status, len(facts))
    return RunOutcome(run_id, collector.name, scope.id, status, len(facts), error_text, _seconds(started))


def _fail(
    engine: Engine, run_id: int, collector: Collector, scope: Scope, error: Exception, started
) -> RunOutcome:
    message = _describe(error)
    log.warning("%s %s failed: %s", collector.name, scope.id, message)
    in_unit_of_work(engine, _finish_failed, run_id, message)
    return RunOutcome(run_id, collector.name, scope.id, "failed", 0, message, _seconds(started))


def _seconds(started) -> float:
    return (utcnow() - started).total_seconds()


def discover_scopes(
    engine: Engine, collector: Collector, on_run: Callable[[int], None] | None = None
) -> tuple[list[Scope], RunOutcome | None]:
    """List the collector's scopes under a discovery Run: (scopes, None), or ([], the failed
    discovery Run's outcome) when listing failed. `on_run` is told the Run's id first."""
    discovery_id = discovery_scope(collector.name)
    run_id = _started(engine, collector.name, discovery_id)
    try:
        if on_run:
            on_run(run_id)
        try:
            scopes = collector.scopes()
        except Exception as error:
            message = f"listing scopes failed: {_describe(error)}"
            in_unit_of_work(engine, _finish_failed, run_id, message)
            return [], RunOutcome(run_id, collector.name, discovery_id, "failed", 0, message, 0.0)
        in_unit_of_work(engine, _finish_discovery, run_id, discovery_id, scopes)
        return scopes, None
    finally:
        HEARTBEAT.untrack(engine, run_id)


def source_names(settings: Settings, registry: Registry, sources: Iterable[str] | None) -> list[str]:
    """The named sources (ValueError for an unknown one), or every enabled source."""
    if sources is None:
        return settings.enabled_sources(registry.collectors)
    wanted = list(sources)
    missing = sorted(set(wanted) - set(registry.collectors))
    if missing:
        raise ValueError(f"unknown source {missing[0]!r} (known: {', '.join(sorted(registry.collectors))})")
    return wanted


def collect(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    sources: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[RunOutcome]:
    """Collect every enabled source (or the named ones), fanning out per scope; Runs left
    `running` by killed processes are marked failed first."""
    names = source_names(settings, registry, sources)
    reap_orphans(engine)
    outcomes: list[RunOutcome] = []
    work: list[tuple[Collector, Scope]] = []
    for name in names:
        collector = registry.collectors[name](settings)
        scopes, failed = discover_scopes(engine, collector)
        if failed is not None:
            outcomes.append(failed)
            if progress:
                progress("done", Scope(collector=name, id=failed.scope), failed)
            continue
        work.extend((collector, scope) for scope in scopes)

    def one(item: tuple[Collector, Scope]) -> RunOutcome:
        collector, scope = item
        if progress:
            progress("start", scope, None)
        outcome = run_scope(engine, collector, scope)
        if progress:
            progress("done", scope, outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=settings.aws.max_workers, thread_name_prefix="collect") as pool:
        outcomes.extend(pool.map(one, work))
    return outcomes
