"""The worker: APScheduler runs each enabled source on its schedule and re-evaluates after
each run, and writes and delivers the weekly report; SIGTERM / SIGINT stop it cleanly after
the job in progress."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from vaultward.alerts import process_alerts
from vaultward.collection import collect
from vaultward.config import Settings
from vaultward.evaluation import evaluate
from vaultward.registry import Registry
from vaultward.weekly_report import run_weekly_report

log = logging.getLogger(__name__)


def alert_after(settings: Settings, engine: Engine, registry: Registry, evaluation_id: int) -> None:
    """Alerts for this evaluation; a failure is logged, never stops the worker (an alert
    not delivered is tried again after the next evaluation)."""
    try:
        process_alerts(settings, engine, evaluation_id, sorted(registry.collectors))
    except Exception:
        log.exception("alerts after evaluation %s failed", evaluation_id)


def make_scheduler(settings: Settings, engine: Engine, registry: Registry) -> BackgroundScheduler:
    """A scheduler with one job per enabled source and the weekly report job. Jobs of one
    source never overlap, and a lock serialises evaluations so two sources finishing together
    evaluate one after the other."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    evaluation_lock = threading.Lock()

    def run_source(name: str) -> None:
        outcomes = collect(settings, engine, registry, sources=[name])
        log.info("%s: %s", name, ", ".join(f"{o.scope} {o.status}" for o in outcomes) or "no scopes")
        with evaluation_lock:
            summary = evaluate(settings, engine, registry)
            log.info("evaluation %s: overall %s", summary.evaluation_id, summary.overall)
            alert_after(settings, engine, registry, summary.evaluation_id)

    for name in settings.enabled_sources(registry.collectors):
        schedule = settings.source(name).schedule
        scheduler.add_job(
            run_source,
            trigger=schedule.trigger(),
            args=[name],
            id=f"collect:{name}",
            name=f"collect {name}",
            next_run_time=datetime.now(UTC),  # collect once at start, then on schedule
        )
    scheduler.add_job(
        run_weekly_report,
        trigger=settings.report.schedule.trigger(),
        args=[settings, engine],
        kwargs={"registry": registry},
        id="report:weekly",
        name="weekly report",
        max_instances=1,  # a slow delivery must not meet next week's run
    )
    return scheduler


def run_worker(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    stop: threading.Event | None = None,
    on_started: Callable[[BackgroundScheduler], None] | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then wait for running jobs and exit."""
    stop = stop or threading.Event()
    scheduler = make_scheduler(settings, engine, registry)

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
