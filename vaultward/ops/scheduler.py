"""The worker: APScheduler runs each enabled source on its schedule and re-evaluates after
each run, and writes and delivers the weekly report; SIGTERM / SIGINT stop it cleanly after
the job in progress. Every job runs under a lease in the store, so workers sharing a store
run each firing once (`vaultward collect` takes the same source leases); each collection and
evaluation marks Runs left `running` by killed processes failed first
(vaultward/pipeline/orphans.py)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from vaultward.alerting.alerts import process_alerts
from vaultward.config.settings import Settings
from vaultward.contract.redaction import redact
from vaultward.ops.retention import prune
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import Registry
from vaultward.reporting.weekly import run_weekly_report
from vaultward.store import job_lease
from vaultward.store.models import utcnow
from vaultward.store.unit_of_work import in_unit_of_work

log = logging.getLogger(__name__)


def alert_after(settings: Settings, engine: Engine, registry: Registry, evaluation_id: int) -> None:
    """Alerts for this evaluation; a failure is logged, never stops the worker (an alert
    not delivered is tried again after the next evaluation)."""
    try:
        process_alerts(settings, engine, evaluation_id, sorted(registry.collectors))
    except Exception:
        log.exception("alerts after evaluation %s failed", evaluation_id)


def _job_failed(job_id: str, error: Exception) -> None:
    """A job that failed (the store went away, say) fails alone; the next firing tries again."""
    if isinstance(error, DBAPIError):  # the driver's first line says it all
        text = redact(f"{type(error.orig).__name__}: {error.orig}").splitlines()[0]
        log.error("%s failed, the store is unavailable; the next firing tries again: %s", job_id, text)
    else:
        log.exception("%s failed; the next firing tries again", job_id)


def make_scheduler(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    owner: str | None = None,
    enqueue: Callable[[str], None] | None = None,
) -> BackgroundScheduler:
    """A scheduler with one job per enabled source and the weekly report job. Jobs of one
    source never overlap, and a lock (in the process) and the `evaluate` lease (across
    workers) serialise evaluations so two sources finishing together evaluate in turn.
    With `enqueue` (a task queue is configured), a source's job only calls it: queue
    workers collect and evaluate (vaultward/ops/task_queue.py)."""
    owner = owner or job_lease.worker_identity()
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    evaluation_lock = threading.Lock()
    triggers: dict[str, BaseTrigger] = {
        job_lease.source_job(name): settings.source(name).schedule.trigger()
        for name in settings.enabled_sources(registry.collectors)
    }
    triggers["report:weekly"] = settings.report.schedule.trigger()
    triggers["retention:prune"] = settings.retention.schedule.trigger()

    def leased(job_id: str, work: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Run `work` if this worker gets the job's lease, and keep the lease until the job's
        next firing: another worker's firing of the same round is skipped."""
        try:
            if not job_lease.take(engine, job_id, owner):
                log.info("%s skipped: another worker holds its lease", job_id)
                return
            with job_lease.renewed(engine, job_id, owner):
                work(*args, **kwargs)
        except Exception as error:
            _job_failed(job_id, error)
            return
        # From the trigger, not the scheduler: its job store is locked while jobs are
        # handed out, and a job asking it from inside can wait on that forever.
        next_firing = triggers[job_id].get_next_fire_time(None, utcnow())
        try:
            if next_firing is not None and next_firing > utcnow():
                in_unit_of_work(engine, job_lease.extend, job_id, owner, next_firing)
            else:
                in_unit_of_work(engine, job_lease.release, job_id, owner)
        except Exception as error:  # the lease expires on its own
            _job_failed(job_id, error)

    def evaluate_after_collection() -> None:
        """Wait for the `evaluate` lease (another worker may be evaluating: these facts need
        an evaluation of their own), then evaluate and alert."""
        with evaluation_lock:
            deadline = time.monotonic() + 2 * job_lease.LEASE_SECONDS
            while not job_lease.take(engine, "evaluate", owner):
                if time.monotonic() > deadline:
                    log.warning("evaluation skipped: another worker held the evaluate lease too long")
                    return
                time.sleep(0.5)
            try:
                with job_lease.renewed(engine, "evaluate", owner):
                    summary = evaluate(settings, engine, registry)
                log.info("evaluation %s: overall %s", summary.evaluation_id, summary.overall)
                alert_after(settings, engine, registry, summary.evaluation_id)
            finally:
                in_unit_of_work(engine, job_lease.release, "evaluate", owner)

    def run_source(name: str) -> None:
        outcomes = collect(settings, engine, registry, sources=[name])
        log.info("%s: %s", name, ", ".join(f"{o.scope} {o.status}" for o in outcomes) or "no scopes")
        evaluate_after_collection()

    for name in settings.enabled_sources(registry.collectors):
        job_id = job_lease.source_job(name)
        scheduler.add_job(
            leased,
            trigger=triggers[job_id],
            args=[job_id, enqueue or run_source, name],
            id=job_id,
            name=f"collect {name}",
            next_run_time=datetime.now(UTC),  # collect once at start, then on schedule
        )
    scheduler.add_job(
        leased,
        trigger=triggers["report:weekly"],
        args=["report:weekly", run_weekly_report, settings, engine],
        kwargs={"registry": registry},
        id="report:weekly",
        name="weekly report",
        max_instances=1,  # a slow delivery must not meet next week's run
    )
    scheduler.add_job(
        leased,
        trigger=triggers["retention:prune"],
        args=["retention:prune", lambda: prune(engine, settings.retention, utcnow())],
        id="retention:prune",
        name="retention",
    )
    return scheduler


def run_worker(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    stop: threading.Event | None = None,
    on_started: Callable[[BackgroundScheduler], None] | None = None,
    enqueue: Callable[[str], None] | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then wait for running jobs and exit."""
    stop = stop or threading.Event()
    scheduler = make_scheduler(settings, engine, registry, enqueue=enqueue)

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received %s: stopping after the running jobs", signal.Signals(signum).name)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, request_stop)
    scheduler.start()
    jobs = scheduler.get_jobs()
    log.info("worker started with %d job(s): %s", len(jobs), ", ".join(job.name for job in jobs) or "none")
    if on_started:
        on_started(scheduler)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        log.info("worker stopped")
