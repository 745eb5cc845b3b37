"""`vaultward collect` killed (SIGKILL) mid-collection, as a cron job's can be: the Runs it
left `running` are never shown live, and the next `status`, `collect` or `evaluate` marks
them failed ("interrupted: ..."). A live collection's Runs are never marked; a source whose
lease another live process holds is skipped, said so."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from tests.reliability.worker_process import run_cli, start_worker, wait_until, write_config
from vaultward.store import job_lease
from vaultward.store.db import make_engine
from vaultward.store.models import Fact, JobLease, Run
from vaultward.store.unit_of_work import in_unit_of_work


def runs(engine) -> list[Run]:
    with Session(engine) as session:
        return list(session.exec(select(Run).order_by(col(Run.id))).all())


def running(engine) -> list[Run]:
    return [run for run in runs(engine) if run.status == "running"]


def collecting(engine) -> list[Run]:
    """The running Runs of scopes (not the discovery Run)."""
    return [run for run in running(engine) if not run.scope.endswith(":discovery")]


def killed_collect(tmp_path, database_url, engine) -> list[Run]:
    """`vaultward collect` of three slow scopes, SIGKILLed once a scope's Run is running:
    the Runs it left `running`."""
    slow = write_config(tmp_path, "slow.toml", scopes=3, records=200, delay_seconds=0.1)
    collect = start_worker(tmp_path, database_url, slow, "collect.log", command="collect")
    try:
        wait_until(lambda: collecting(engine), 60, "a run", collect)
        collect.kill()
    finally:
        collect.stop()
    left = running(engine)
    assert left and {run.owner_pid for run in left} == {collect.process.pid}
    return left


@pytest.mark.slow
@pytest.mark.parametrize("command", ["status", "collect", "evaluate"])
def test_a_killed_collect_leaves_no_live_run(tmp_path, database_url, command):
    engine = make_engine(database_url)
    left = killed_collect(tmp_path, database_url, engine)
    fast = write_config(tmp_path, "fast.toml", scopes=3, records=5)

    result = run_cli(tmp_path, database_url, fast, command)

    assert result.returncode == 0, result.stdout + result.stderr
    assert running(engine) == [], f"`{command}` left a dead process's Runs running"
    by_id = {run.id: run for run in runs(engine)}
    for run in left:
        marked = by_id[run.id]
        assert marked.status == "failed" and marked.finished_at is not None
        assert marked.error == f"interrupted: its process (pid {run.owner_pid} on {run.owner_host}) is gone"
        with Session(engine) as session:
            assert session.exec(select(Fact).where(Fact.run_id == run.id)).first() is None
    if command == "status":
        assert "running" not in result.stdout, result.stdout
        assert "interrupted: its process" in result.stdout, result.stdout
    if command == "collect":
        later = [run for run in runs(engine) if run.id > max(r.id for r in left)]
        assert {run.status for run in later} == {"ok"} and len(later) == 4  # discovery and 3 scopes
        status = run_cli(tmp_path, database_url, fast, "status")
        assert status.returncode == 0 and "running" not in status.stdout, status.stdout
    engine.dispose()


@pytest.mark.slow
def test_a_live_collect_is_never_marked(tmp_path, database_url):
    engine = make_engine(database_url)
    hold = tmp_path / "hold"
    hold.touch()
    held = write_config(tmp_path, "held.toml", scopes=2, records=20, hold_while=str(hold))
    collect = start_worker(tmp_path, database_url, held, "collect.log", command="collect")
    try:
        wait_until(lambda: len(collecting(engine)) == 2, 60, "both scopes running", collect)
        live = [run.id for run in collecting(engine)]
        status = run_cli(tmp_path, database_url, held, "status")
        assert status.returncode == 0 and "running" in status.stdout, status.stdout + status.stderr
        assert "interrupted" not in status.stdout, status.stdout
        evaluate = run_cli(tmp_path, database_url, held, "evaluate")
        assert evaluate.returncode == 0, evaluate.stdout + evaluate.stderr
        again = run_cli(tmp_path, database_url, held, "collect")  # skips the source: leased
        assert again.returncode == 1 and "skipped: counted: not collected" in again.stdout, again.stdout
        assert [run.id for run in collecting(engine)] == live, "a live process's Run was marked"
        hold.unlink()
        assert collect.process.wait(timeout=60) == 0, collect.log()
    finally:
        collect.stop()
    scopes = [run for run in runs(engine) if run.id in live]
    assert {run.status for run in scopes} == {"ok"} and len(scopes) == 2
    assert all(run.item_count == 20 and run.error is None for run in scopes)
    engine.dispose()


def test_collect_skips_a_source_whose_lease_a_live_process_holds(tmp_path, database_url):
    engine = make_engine(database_url)
    config = write_config(tmp_path, records=5)
    holder = job_lease.worker_identity()  # this test's process: alive
    assert job_lease.take(engine, job_lease.source_job("counted"), holder)

    skipped = run_cli(tmp_path, database_url, config, "collect")

    assert skipped.returncode == 1, skipped.stdout + skipped.stderr
    assert "collected 0 scope(s): 0 ok, 0 partial, 0 failed; 0 facts; 1 source(s) skipped" in skipped.stdout
    line = re.search(
        r"skipped: counted: not collected, another process holds its lease \((.*)\)", skipped.stdout
    )
    assert line and line.group(1).startswith(f"{holder}, until "), skipped.stdout
    assert runs(engine) == []

    in_unit_of_work(engine, job_lease.release, job_lease.source_job("counted"), holder)
    collected = run_cli(tmp_path, database_url, config, "collect")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "collected 1 scope(s): 1 ok, 0 partial, 0 failed; 5 facts" in collected.stdout
    assert "skipped" not in collected.stdout
    with Session(engine) as session:
        assert session.exec(select(JobLease)).all() == []  # released at the end
    engine.dispose()


def test_a_workers_hold_until_its_next_firing_does_not_stop_a_collect_by_hand(tmp_path, database_url):
    """A worker that finished a source keeps its lease until the next firing (so another
    worker skips that round); `vaultward collect` by hand still runs, and leaves no lease."""
    engine = make_engine(database_url)
    config = write_config(tmp_path, records=5)
    worker = job_lease.worker_identity()  # this test's process: alive
    job = job_lease.source_job("counted")
    assert job_lease.take(engine, job, worker, seconds=3600)  # held until a firing an hour away

    collected = run_cli(tmp_path, database_url, config, "collect")

    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "collected 1 scope(s): 1 ok, 0 partial, 0 failed; 5 facts" in collected.stdout
    assert "skipped" not in collected.stdout
    with Session(engine) as session:
        assert session.exec(select(JobLease)).all() == []
    assert job_lease.take(engine, job, worker)  # the worker's next firing takes it back
    engine.dispose()


@pytest.mark.slow
def test_a_killed_collects_lease_is_taken_over_at_once(tmp_path, database_url):
    """The lease of a `collect` killed on this host does not block the next one."""
    engine = make_engine(database_url)
    killed_collect(tmp_path, database_url, engine)
    with Session(engine) as session:
        assert session.exec(select(JobLease)).all() != []  # left behind
    fast = write_config(tmp_path, "fast.toml", scopes=3, records=5)
    result = run_cli(tmp_path, database_url, fast, "collect")
    assert result.returncode == 0 and "skipped" not in result.stdout, result.stdout + result.stderr
    assert "collected 3 scope(s): 3 ok" in result.stdout
    engine.dispose()
