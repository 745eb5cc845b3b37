"""The task queue's actors in this process, against the real RabbitMQ and both stores: a
round collects every scope once and is evaluated once, duplicate deliveries are skipped, a
task a live worker holds is retried until its claim expires, and of workers finishing a
round's last tasks together exactly one completes it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import dramatiq
import pytest
from sqlmodel import Session, select

from tests.factories import make_identity
from tests.fake_collectors import registry_with
from tests.rabbitmq import queue_name, rabbitmq_url  # noqa: F401 - fixtures
from vaultward.config.settings import parse_settings
from vaultward.contract.sdk import Scope
from vaultward.ops.task_queue import TaskQueue, make_broker
from vaultward.pipeline import rounds
from vaultward.pipeline.collection import INTERRUPTED
from vaultward.store import job_lease
from vaultward.store.models import CollectionRound, Evaluation, RoundTask, Run, utcnow
from vaultward.store.unit_of_work import in_unit_of_work, unit_of_work

SCOPES = [f"static:{n}" for n in range(1, 6)]


def plan() -> dict[str, list]:
    return {scope: [make_identity(key=f"{scope}/alice", scope=scope)] for scope in SCOPES}


@contextmanager
def task_queue(engine, rabbitmq_url: str, queue_name: str, threads: int = 4) -> Iterator[TaskQueue]:  # noqa: F811
    """The actors on a broker of their own, executed by an in-process Dramatiq worker."""
    settings = parse_settings(
        {
            "sources": {"static": {"schedule": "1h"}},
            "queue": {"broker_url": rabbitmq_url, "queue_name": queue_name, "claim_seconds": 4},
        }
    )
    queue = TaskQueue(settings, engine, registry_with(plan()), make_broker(rabbitmq_url))
    worker = dramatiq.Worker(queue.broker, queues={queue_name}, worker_threads=threads)
    worker.start()
    try:
        yield queue
    finally:
        worker.stop(timeout=30_000)
        queue.broker.close()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def all_rounds(engine) -> list[CollectionRound]:
    with Session(engine) as session:
        return list(session.exec(select(CollectionRound).order_by(CollectionRound.id)).all())


def runs(engine, **where) -> list[Run]:
    with Session(engine) as session:
        query = select(Run).where(*(getattr(Run, k) == v for k, v in where.items())).order_by(Run.id)
        return list(session.exec(query).all())


def evaluation_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Evaluation)).all())


def evaluated(engine) -> bool:
    return any(r.evaluation_id is not None for r in all_rounds(engine))


def test_a_round_collects_every_scope_once_and_duplicates_are_skipped(engine, rabbitmq_url, queue_name):  # noqa: F811
    with task_queue(engine, rabbitmq_url, queue_name) as queue:
        queue.enqueue_round("static")
        wait_until(lambda: evaluated(engine), 30, "the round's evaluation")
        [round_] = all_rounds(engine)
        assert round_.scope_count == len(SCOPES) and round_.completed_at is not None
        # Every message again, as a broker redelivering them would: nothing runs twice.
        scheduled = round_.scheduled_at.isoformat()
        queue.discover.send("static", scheduled)
        for scope in SCOPES:
            queue.collect_scope.send(round_.id, scope)
        queue.evaluate_round.send(round_.id)
        queue.broker.join(queue_name, timeout=30_000)
        time.sleep(0.5)  # the last message's actor returns before its acknowledgement
    assert len(all_rounds(engine)) == 1
    for scope in SCOPES:
        assert [run.status for run in runs(engine, scope=scope)] == ["ok"]
    assert [run.status for run in runs(engine, scope="static:discovery")] == ["ok"]
    assert evaluation_count(engine) == 1
    with Session(engine) as session:
        tasks = session.exec(select(RoundTask)).all()
    assert {(t.status, t.attempts) for t in tasks} == {("done", 1)}


def test_a_round_waits_for_the_previous_one_of_its_source(engine, rabbitmq_url, queue_name):  # noqa: F811
    with task_queue(engine, rabbitmq_url, queue_name, threads=1) as queue:
        in_unit_of_work(engine, rounds.open_round, "static", utcnow() - timedelta(minutes=1))  # never listed
        queue.enqueue_round("static")  # skipped: the previous round is unfinished
        queue.broker.join(queue_name, timeout=10_000)
        assert len(all_rounds(engine)) == 1


def test_a_task_a_live_worker_holds_is_collected_once_its_claim_expires(engine, rabbitmq_url, queue_name):  # noqa: F811
    scope = SCOPES[0]
    round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow())
    in_unit_of_work(engine, rounds.record_scopes, round_id, [Scope("static", scope)])
    # A worker on another host claimed the task, started its Run, then went silent.
    elsewhere = "another-host:4242:abc"
    lease_id = rounds.task_lease_id(round_id, scope)
    assert in_unit_of_work(engine, job_lease.acquire, lease_id, elsewhere, utcnow() + timedelta(seconds=3))
    with Session(engine) as session:
        stale = Run(collector="static", scope=scope, status="running", started_at=utcnow())
        session.add(stale)
        session.commit()
        stale_id = stale.id
    assert stale_id is not None
    in_unit_of_work(engine, rounds.task_run_started, round_id, scope, stale_id)
    with engine.begin() as connection:
        connection.execute(rounds.TASKS.update().values(status="running", attempts=1))

    with task_queue(engine, rabbitmq_url, queue_name) as queue:
        started = time.monotonic()
        queue.collect_scope.send(round_id, scope)
        time.sleep(1.5)
        assert [run.status for run in runs(engine, scope=scope)] == ["running"]  # retried, not run
        wait_until(lambda: evaluated(engine), 30, "the round's evaluation")
    assert time.monotonic() - started >= 2.5  # not before the claim expired
    statuses = [(run.id, run.status, run.error) for run in runs(engine, scope=scope)]
    assert statuses[0] == (stale_id, "failed", INTERRUPTED)
    assert [status for _, status, _ in statuses[1:]] == ["ok"]
    with Session(engine) as session:
        task = session.exec(select(RoundTask)).one()
    assert (task.status, task.attempts, task.run_id) == ("done", 2, statuses[1][0])
    assert evaluation_count(engine) == 1


def test_evaluation_messages_delivered_together_evaluate_the_round_once(engine, rabbitmq_url, queue_name):  # noqa: F811
    round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow())
    in_unit_of_work(engine, rounds.record_scopes, round_id, [])
    assert in_unit_of_work(engine, rounds.complete_round, round_id)
    with task_queue(engine, rabbitmq_url, queue_name) as queue:
        for _ in range(4):
            queue.evaluate_round.send(round_id)
        queue.broker.join(queue_name, timeout=30_000)
        wait_until(lambda: evaluated(engine), 10, "the evaluation")
        time.sleep(0.5)
    assert evaluation_count(engine) == 1
    assert all_rounds(engine)[0].evaluation_id is not None


def test_workers_finishing_the_last_tasks_together_complete_the_round_once(engine):
    scopes = [Scope("static", f"static:{n}") for n in range(8)]
    for attempt in range(5):
        round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow() + timedelta(seconds=attempt))
        in_unit_of_work(engine, rounds.record_scopes, round_id, scopes)
        barrier = threading.Barrier(len(scopes))
        completed: list[bool] = []

        def finish(scope: Scope, round_id: int, barrier: threading.Barrier, completed: list[bool]) -> None:
            barrier.wait()
            in_unit_of_work(engine, rounds.finish_task, round_id, scope.id)
            completed.append(in_unit_of_work(engine, rounds.complete_round, round_id))

        threads = [
            threading.Thread(target=finish, args=(scope, round_id, barrier, completed)) for scope in scopes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert completed.count(True) == 1, f"attempt {attempt}: {completed}"
        assert in_unit_of_work(engine, rounds.get_round, round_id).completed_at is not None


def test_a_round_is_not_complete_before_its_scopes_are_listed(engine):
    round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow())
    assert not in_unit_of_work(engine, rounds.complete_round, round_id)
    in_unit_of_work(
        engine, rounds.record_scopes, round_id, [Scope("static", "static:1"), Scope("static", "static:1")]
    )
    assert in_unit_of_work(engine, rounds.get_round, round_id).scope_count == 1  # listed twice, one task
    assert not in_unit_of_work(engine, rounds.complete_round, round_id)
    in_unit_of_work(engine, rounds.finish_task, round_id, "static:1")
    assert in_unit_of_work(engine, rounds.complete_round, round_id)
    assert not in_unit_of_work(engine, rounds.complete_round, round_id)  # once


@pytest.mark.parametrize(
    ("params", "stored"),
    [
        ({"account_id": "111122223333", "region": "eu-west-1", "external_id_env": None}, True),
        ({"wallets": [object()]}, False),
        ({"when": (1, 2)}, False),  # a tuple comes back a list: not the same params
    ],
)
def test_only_plain_json_params_are_stored(params, stored):
    assert (rounds.plain_json(params) == params) is stored
    assert (rounds.plain_json(params) is None) is not stored


def test_long_scope_ids_get_a_lease_id_that_fits():
    lease_id = rounds.task_lease_id(7, "x" * 300)
    assert len(lease_id) <= rounds.MAX_LEASE_ID and lease_id.startswith("collect:7:sha256:")
    assert rounds.task_lease_id(7, "aws:1/eu-west-1") == "collect:7:aws:1/eu-west-1"


def test_a_round_records_its_evaluation_in_the_evaluation_s_transaction(engine):
    """A worker dying between storing an evaluation and recording it on the round would
    make the next delivery evaluate again: both are one transaction."""
    from vaultward.pipeline.evaluation import assess, store

    round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow())
    in_unit_of_work(engine, rounds.record_scopes, round_id, [])
    assert in_unit_of_work(engine, rounds.complete_round, round_id)
    settings = parse_settings({"sources": {"static": {"schedule": "1h"}}})

    with pytest.raises(SystemExit), unit_of_work(engine) as session:
        summary = store(session, assess(settings, engine, registry_with(plan())))
        rounds.record_evaluation(session, round_id, summary.evaluation_id)
        raise SystemExit("killed")
    assert evaluation_count(engine) == 0 and in_unit_of_work(engine, rounds.awaits_evaluation, round_id)
    with unit_of_work(engine) as session:
        summary = store(session, assess(settings, engine, registry_with(plan())))
        rounds.record_evaluation(session, round_id, summary.evaluation_id)
    assert in_unit_of_work(engine, rounds.get_round, round_id).evaluation_id == summary.evaluation_id
    assert not in_unit_of_work(engine, rounds.awaits_evaluation, round_id)
