"""Scale-out over Dramatiq on RabbitMQ: the scheduler enqueues one round per firing of a
source; queue workers list its scopes, collect each scope once and evaluate the round once.

Delivery is at least once (a message is acknowledged after its actor returns; a killed
worker's messages go back to the queue when its connection drops), so every actor is
idempotent through the store (vaultward/pipeline/rounds.py), each step of an actor a unit
of work of its own (a claim, a finished task, an evaluation with its round). The broker and
actors are built by `TaskQueue(...)`, never at import.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec, TypeVar

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import TimeLimit, default_middleware
from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.settings import Settings
from vaultward.contract.redaction import redact
from vaultward.contract.sdk import Collector, Scope
from vaultward.ops.scheduler import alert_after
from vaultward.pipeline import rounds
from vaultward.pipeline.collection import discover_scopes, interrupt_run, run_scope
from vaultward.pipeline.evaluation import assess, store
from vaultward.pipeline.orphans import reap_orphans
from vaultward.pipeline.registry import Registry
from vaultward.store import job_lease
from vaultward.store.models import utcnow
from vaultward.store.unit_of_work import in_unit_of_work, unit_of_work

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class Busy(dramatiq.Retry):
    """Another worker holds the claim (or the evaluate lease): try again later."""


def make_broker(url: str) -> RabbitmqBroker:
    """A RabbitMQ broker with publisher confirms (an enqueued task is on the broker when
    `send` returns) and no time limit: a scope takes as long as its API does, and its
    clients have timeouts of their own."""
    middleware = [factory() for factory in default_middleware if factory is not TimeLimit]
    return RabbitmqBroker(url=url, middleware=middleware, confirm_delivery=True)


class TaskQueue:
    """The actors, bound to one broker, one store and one configuration."""

    def __init__(
        self, settings: Settings, engine: Engine, registry: Registry, broker: RabbitmqBroker
    ) -> None:
        self.settings, self.engine, self.registry, self.broker = settings, engine, registry, broker
        self.claim_seconds = settings.queue.claim_seconds
        self.queue_name = settings.queue.queue_name
        self._scope_lists: dict[tuple[int, str], list[Scope]] = {}
        self._scope_lists_lock = threading.Lock()
        self.discover = self._actor("vaultward.discover", self._discover)
        self.collect_scope = self._actor("vaultward.collect_scope", self._collect_scope)
        self.evaluate_round = self._actor("vaultward.evaluate_round", self._evaluate_round)

    def _actor(self, name: str, function: Callable[P, None]) -> dramatiq.Actor[P, None]:
        """An actor on our broker and queue. Store outages and busy claims are retried with
        backoff: 1 s doubling to 2 min, for hours."""
        decorate = dramatiq.actor(
            actor_name=name,
            queue_name=self.queue_name,
            broker=self.broker,
            max_retries=100,
            min_backoff=1000,
            max_backoff=120_000,
        )
        return decorate(function)

    def _store(self, step: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """One store step, committed on its own."""
        return in_unit_of_work(self.engine, step, *args, **kwargs)

    def _busy(self) -> Busy:
        return Busy(delay=int(min(max(self.claim_seconds / 4, 1.0), 15.0) * 1000))

    # The scheduler's side.

    def enqueue_round(self, collector: str) -> None:
        """Enqueue this firing of `collector`, unless its previous round is still running
        (like the single worker, a source's collections never overlap)."""
        timeout = timedelta(minutes=self.settings.queue.round_timeout_minutes)
        previous = self._store(rounds.unfinished_round, collector, newer_than=timeout)
        if previous is not None:
            log.info("%s: round %s still running, this firing is skipped", collector, previous.id)
            return
        self.discover.send(collector, utcnow().isoformat())
        log.info("%s: round enqueued", collector)

    # The actors.

    def _discover(self, collector_name: str, scheduled_at: str) -> None:
        """List the scopes of the round (once) and enqueue a task per scope not yet done;
        Runs left `running` by killed processes are marked failed first (evaluations do so
        too)."""
        reap_orphans(self.engine)
        round_id = self._store(rounds.open_round, collector_name, datetime.fromisoformat(scheduled_at))
        if self._store(rounds.get_round, round_id).scope_count is None:
            lease_id, owner = f"discover:{round_id}", job_lease.worker_identity()
            if not self._store(
                job_lease.acquire, lease_id, owner, utcnow() + timedelta(seconds=self.claim_seconds)
            ):
                raise self._busy()
            try:
                with job_lease.renewed(self.engine, lease_id, owner, self.claim_seconds):
                    round_ = self._store(rounds.get_round, round_id)
                    if round_.scope_count is None:
                        if round_.discovery_run_id is not None:  # its worker died listing
                            self._store(interrupt_run, round_.discovery_run_id)
                        collector = self._collector(collector_name)
                        scopes, _failed = discover_scopes(
                            self.engine,
                            collector,
                            on_run=lambda run_id: self._store(rounds.set_discovery_run, round_id, run_id),
                        )
                        self._store(rounds.record_scopes, round_id, scopes)
                        log.info("%s round %s: %d scope(s)", collector_name, round_id, len(scopes))
            finally:
                self._store(job_lease.release, lease_id, owner)
        for scope in self._store(rounds.unfinished_scopes, round_id):
            self.collect_scope.send(round_id, scope)
        self._settle(round_id, recovering=True)  # a round without scopes is complete now

    def _collect_scope(self, round_id: int, scope_id: str) -> None:
        """Collect one scope of the round, unless it was collected already (a duplicate
        delivery: acknowledged and skipped) or a live worker is collecting it (retried)."""
        claim = self._store(rounds.claim_task, round_id, scope_id, self.claim_seconds)
        if claim.state == "done":
            log.info("round %s %s: already collected, skipped", round_id, scope_id)
            self._settle(round_id, recovering=True)
            return
        if claim.state == "busy":
            raise self._busy()
        try:
            with job_lease.renewed(self.engine, claim.lease_id, claim.owner, self.claim_seconds):
                if claim.interrupted_run_id is not None and self._store(
                    interrupt_run, claim.interrupted_run_id
                ):
                    log.warning(
                        "round %s %s: run %s of a stopped worker marked failed",
                        round_id,
                        scope_id,
                        claim.interrupted_run_id,
                    )
                collector_name = self._store(rounds.get_round, round_id).collector
                collector = self._collector(collector_name)
                scope = self._scope(collector, round_id, scope_id, claim.params)
                if scope is None:
                    log.warning(
                        "round %s %s: no longer listed by %s, skipped", round_id, scope_id, collector_name
                    )
                else:
                    run_scope(
                        self.engine,
                        collector,
                        scope,
                        on_run=lambda run_id: self._store(
                            rounds.task_run_started, round_id, scope_id, run_id
                        ),
                    )
                self._store(rounds.finish_task, round_id, scope_id)
        finally:
            self._store(job_lease.release, claim.lease_id, claim.owner)
        self._settle(round_id, recovering=False)

    def _evaluate_round(self, round_id: int) -> None:
        """Evaluate a completed round once, under the `evaluate` lease every evaluation takes."""
        if not self._store(rounds.awaits_evaluation, round_id):
            return
        owner = job_lease.worker_identity()
        lease_seconds = job_lease.LEASE_SECONDS
        if not self._store(job_lease.acquire, "evaluate", owner, utcnow() + timedelta(seconds=lease_seconds)):
            raise self._busy()
        try:
            if not self._store(rounds.awaits_evaluation, round_id):
                return  # another worker evaluated it while we waited
            with job_lease.renewed(self.engine, "evaluate", owner, lease_seconds):
                assessment = assess(self.settings, self.engine, self.registry)
                # Stored with its round, or neither: the next delivery evaluates again.
                with unit_of_work(self.engine) as session:
                    summary = store(session, assessment)
                    rounds.record_evaluation(session, round_id, summary.evaluation_id)
            log.info("round %s: evaluation %s, overall %s", round_id, summary.evaluation_id, summary.overall)
        finally:
            self._store(job_lease.release, "evaluate", owner)
        alert_after(self.settings, self.engine, self.registry, summary.evaluation_id)

    # Between them.

    def _settle(self, round_id: int, recovering: bool) -> None:
        """Enqueue the round's evaluation if this call completed it; when `recovering` (a
        redelivered message), also if it completed but its evaluation may have been lost
        with a killed worker (the evaluation actor skips a round already evaluated)."""
        if self._store(rounds.complete_round, round_id) or (
            recovering and self._store(rounds.awaits_evaluation, round_id)
        ):
            self.evaluate_round.send(round_id)

    def _collector(self, name: str) -> Collector:
        return self.registry.collectors[name](self.settings)

    def _scope(self, collector: Collector, round_id: int, scope_id: str, params: dict | None) -> Scope | None:
        if params is not None:
            return Scope(collector.name, scope_id, params)
        # Params that are not plain JSON (configuration objects): list the scopes again,
        # once per round and process.
        key = (round_id, collector.name)
        with self._scope_lists_lock:
            if key not in self._scope_lists:
                self._scope_lists = {key: collector.scopes()}  # keep the latest round's only
            listed = self._scope_lists[key]
        return next((scope for scope in listed if scope.id == scope_id), None)


def build_task_queue(settings: Settings, engine: Engine, registry: Registry) -> TaskQueue:
    """The task queue of the configured broker (`[queue] broker_url` / $VAULTWARD_BROKER_URL)."""
    url = settings.queue.effective_broker_url()
    if not url:
        raise ValueError("no broker: set [queue] broker_url or $VAULTWARD_BROKER_URL")
    return TaskQueue(settings, engine, registry, make_broker(url))


def run_queue_worker(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    stop: threading.Event | None = None,
    on_started: Callable[[dramatiq.Worker], None] | None = None,
) -> None:
    """Execute queued tasks with `[queue] worker_threads` threads until SIGTERM/SIGINT (or
    `stop`); tasks in progress get a minute to finish, the rest go back to the queue."""
    stop = stop or threading.Event()
    queue = build_task_queue(settings, engine, registry)
    worker = dramatiq.Worker(
        queue.broker, queues={queue.queue_name}, worker_threads=settings.queue.worker_threads
    )

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received %s: stopping after the running tasks", signal.Signals(signum).name)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, request_stop)
    worker.start()
    log.info(
        "queue worker started: %d thread(s) on queue %r of %s",
        settings.queue.worker_threads,
        queue.queue_name,
        redact(settings.queue.effective_broker_url() or ""),
    )
    if on_started:
        on_started(worker)
    try:
        stop.wait()
    finally:
        worker.stop(timeout=60_000)
        queue.broker.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        log.info("queue worker stopped")
