"""Acceptance of the scale-out: `vaultward worker` (scheduling only, a broker being set) and
two `vaultward queue-worker` processes against this machine's RabbitMQ and PostgreSQL
collect every scope exactly once per scheduled round and evaluate each round once, and
when one queue worker is killed (SIGKILL) holding tasks, the other finishes them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.conftest import _truncate
from tests.rabbitmq import queue_name, rabbitmq_url  # noqa: F401 - fixtures
from tests.reliability.worker_process import WorkerProcess, start_worker, wait_until, write_config
from vaultward.pipeline.collection import INTERRUPTED
from vaultward.pipeline.orphans import is_interrupted
from vaultward.store.models import CollectionRound, Evaluation, JobLease, RoundTask, Run

SCOPES = 6


@pytest.fixture
def postgres_store(_postgres_engine: Engine) -> Iterator[tuple[Engine, str]]:
    """The shared store: PostgreSQL, emptied for this test."""
    _truncate(_postgres_engine)
    yield _postgres_engine, _postgres_engine.url.render_as_string(hide_password=False)


def rounds_of(engine: Engine) -> list[CollectionRound]:
    with Session(engine) as session:
        return list(session.exec(select(CollectionRound).order_by(CollectionRound.id)).all())


def tasks_of(engine: Engine) -> list[RoundTask]:
    with Session(engine) as session:
        return list(session.exec(select(RoundTask)).all())


def evaluated_rounds(engine: Engine) -> int:
    return sum(r.evaluation_id is not None for r in rounds_of(engine))


def held_tasks(engine: Engine, worker: WorkerProcess) -> list[tuple[int, str, int]]:
    """(round, scope, run) `worker` is collecting now: tasks running under its claim."""
    pid = str(worker.process.pid)
    with Session(engine) as session:
        claims = session.exec(select(JobLease).where(JobLease.job_id.like("collect:%:%"))).all()  # type: ignore[attr-defined]
        mine = {lease.job_id for lease in claims if lease.owner.split(":")[1] == pid}
        running = session.exec(select(RoundTask).where(RoundTask.status == "running")).all()
        return [
            (task.round_id, task.scope, task.run_id)
            for task in running
            if f"collect:{task.round_id}:{task.scope}" in mine
            and task.run_id is not None
            and (run := session.get(Run, task.run_id)) is not None
            and run.status == "running"
        ]


@pytest.mark.slow
def test_two_queue_workers_collect_each_scope_once_per_round_and_survive_a_kill(
    tmp_path,
    postgres_store,
    rabbitmq_url,  # noqa: F811
    queue_name,  # noqa: F811
):
    engine, database_url = postgres_store
    # Each scope takes about a second (10 records, 0.1 s each): a worker holds tasks for a while.
    config = write_config(tmp_path, schedule="2s", scopes=SCOPES, records=10, delay_seconds=0.1)
    with config.open("a") as file:
        file.write(f'[queue]\nqueue_name = "{queue_name}"\nclaim_seconds = 5\nworker_threads = 2\n')
    env = {"VAULTWARD_BROKER_URL": rabbitmq_url}
    scheduler = start_worker(tmp_path, database_url, config, "scheduler.log", **env)
    workers = [
        start_worker(tmp_path, database_url, config, f"queue{n}.log", command="queue-worker", **env)
        for n in (1, 2)
    ]
    survivor, victim = workers
    everyone = [scheduler, *workers]
    try:
        wait_until(lambda: evaluated_rounds(engine) >= 2, 60, "two evaluated rounds", *everyone)
        wait_until(lambda: bool(held_tasks(engine, victim)), 30, "the victim collecting", *everyone)
        killed = held_tasks(engine, victim)
        victim.kill()
        everyone.remove(victim)
        evaluated_before = evaluated_rounds(engine)
        wait_until(
            lambda: evaluated_rounds(engine) > evaluated_before, 60, "a round after the kill", *everyone
        )
        scheduler_code = scheduler.stop()
        everyone.remove(scheduler)
        wait_until(
            lambda: all(r.evaluation_id is not None for r in rounds_of(engine)),
            60,
            "every round evaluated",
            *everyone,
        )
    finally:
        codes = [process.stop() for process in (scheduler, *workers)]
    assert scheduler_code == 0 and codes[1] == 0, survivor.log()
    assert "queue worker started" in survivor.log() and "task queue configured" in scheduler.log()
    assert all("guest:guest" not in process.log() for process in (scheduler, *workers))  # masked

    rounds = rounds_of(engine)
    assert len(rounds) >= 3
    assert {r.scope_count for r in rounds} == {SCOPES}
    tasks = tasks_of(engine)
    assert len(tasks) == SCOPES * len(rounds) and {t.status for t in tasks} == {"done"}
    with Session(engine) as session:
        runs = {run.id: run for run in session.exec(select(Run)).all()}
        evaluations = session.exec(select(Evaluation)).all()
    # Exactly once: every task's Run is ok, and a scope has no ok Run but its tasks'.
    assert {runs[t.run_id].status for t in tasks if t.run_id is not None} == {"ok"}
    ok_per_scope = Counter(
        run.scope for run in runs.values() if run.status == "ok" and ":discovery" not in run.scope
    )
    assert ok_per_scope == Counter(t.scope for t in tasks)
    assert sorted(t.run_id for t in tasks) == sorted(
        run_id for run_id, run in runs.items() if run.status == "ok" and ":discovery" not in run.scope
    )
    # The killed worker's Runs were marked failed, and the survivor collected those scopes.
    assert killed
    for round_id, scope, run_id in killed:
        # By the claim the survivor took over (INTERRUPTED), or by a reaper first: its process is gone.
        assert runs[run_id].status == "failed" and is_interrupted(runs[run_id].error), runs[run_id].error
        assert runs[run_id].error in (
            INTERRUPTED,
            f"interrupted: its process (pid {runs[run_id].owner_pid} on {runs[run_id].owner_host}) is gone",
        )
        [task] = [t for t in tasks if (t.round_id, t.scope) == (round_id, scope)]
        assert task.attempts == 2 and task.run_id != run_id and runs[task.run_id].status == "ok"
    assert all(run.status != "running" for run in runs.values())
    # Once per round: one evaluation each, no other.
    assert len({r.evaluation_id for r in rounds}) == len(rounds) == len(evaluations)
