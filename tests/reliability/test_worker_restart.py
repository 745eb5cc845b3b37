"""`vaultward worker` killed (SIGKILL) mid-collection and mid-evaluation: nothing is half
written, the Run left `running` is marked failed on restart (its process is gone), the next schedule runs."""

from __future__ import annotations

from sqlmodel import Session, select

from tests.reliability.worker_process import (
    count,
    evaluations,
    scope_runs,
    start_worker,
    wait_until,
    write_config,
)
from vaultward.store.db import make_engine
from vaultward.store.models import CheckScore, Evaluation, Fact, Finding, MitigationScore, Run

SCOPE = "counted:1"


def assert_every_evaluation_complete(engine) -> None:
    """No evaluation is visible without all its findings and scores."""
    with Session(engine) as session:
        for evaluation in session.exec(select(Evaluation)).all():
            assert evaluation.check_count > 0
            assert (
                count(engine, CheckScore, CheckScore.evaluation_id == evaluation.id) == evaluation.check_count
            )
            assert count(engine, Finding, Finding.evaluation_id == evaluation.id) == evaluation.finding_count
            assert count(engine, MitigationScore, MitigationScore.evaluation_id == evaluation.id) == 5


def test_killed_during_collection_restart_marks_the_run_failed_and_collects_again(tmp_path, database_url):
    engine = make_engine(database_url)
    slow = write_config(tmp_path, "slow.toml", records=30, delay_seconds=0.2)  # 6 s per scope
    first = start_worker(tmp_path, database_url, slow, "first.log")
    try:
        wait_until(lambda: any(r.status == "running" for r in scope_runs(engine, SCOPE)), 30, "a run", first)
        first.kill()
    finally:
        first.stop()
    [killed] = scope_runs(engine, SCOPE)
    assert killed.status == "running" and count(engine, Fact, Fact.run_id == killed.id) == 0
    assert evaluations(engine) == []

    fast = write_config(tmp_path, "fast.toml", records=30)
    second = start_worker(tmp_path, database_url, fast, "second.log")
    try:
        wait_until(lambda: len(evaluations(engine)) >= 1, 30, "an evaluation after restart", second)
        log = second.log()
    finally:
        assert second.stop() == 0
    runs = scope_runs(engine, SCOPE)
    with Session(engine) as session:
        recovered = session.get(Run, killed.id)
    interrupted = f"interrupted: its process (pid {first.process.pid} on {killed.owner_host}) is gone"
    assert (recovered.status, recovered.error, recovered.item_count) == ("failed", interrupted, 0)
    assert recovered.finished_at is not None
    assert count(engine, Fact, Fact.run_id == killed.id) == 0
    later = [run for run in runs if run.id != killed.id]
    assert later and {run.status for run in later} == {"ok"}
    for run in later:  # each successful Run holds exactly what the collector yielded
        assert (run.item_count, count(engine, Fact, Fact.run_id == run.id)) == (30, 30)
    assert f"run {killed.id} (counted {SCOPE}) marked failed: {interrupted}" in log
    assert_every_evaluation_complete(engine)
    engine.dispose()


def test_killed_during_evaluation_leaves_no_evaluation_and_the_next_schedule_evaluates(
    tmp_path, database_url
):
    engine = make_engine(database_url)
    config = write_config(tmp_path, records=12)
    marker = tmp_path / "slow-check-started"
    first = start_worker(
        tmp_path, database_url, config, "first.log", SLOW_CHECK_SECONDS="60", SLOW_CHECK_MARKER=str(marker)
    )
    try:
        wait_until(marker.exists, 30, "the slow check to start", first)
        first.kill()
    finally:
        first.stop()
    [collected] = scope_runs(engine, SCOPE)
    assert (collected.status, count(engine, Fact, Fact.run_id == collected.id)) == ("ok", 12)
    assert evaluations(engine) == []  # the evaluation is written in one transaction, at its end

    second = start_worker(tmp_path, database_url, config, "second.log", SLOW_CHECK_SECONDS="0")
    try:
        # the dead worker's `evaluate` lease is taken over at once (same host, process gone)
        wait_until(lambda: len(evaluations(engine)) >= 1, 20, "an evaluation after restart", second)
    finally:
        assert second.stop() == 0
    assert len(scope_runs(engine, SCOPE)) >= 2  # the restarted worker collected again
    assert_every_evaluation_complete(engine)
    with Session(engine) as session:
        slow = session.exec(select(CheckScore).where(CheckScore.check_id == "access.slow_plugin_check")).all()
    assert slow and {s.unknown for s in slow} == {1}  # it ran in each: no results, so unknown
    engine.dispose()
