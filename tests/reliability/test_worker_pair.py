"""Two workers against one store run each firing once (the job lease), and a worker, the
CLI and the dashboard share one SQLite file without "database is locked"."""

from __future__ import annotations

import logging
import threading

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.fake_collectors import registry_with
from tests.reliability.worker_process import (
    ROOT,
    count,
    evaluations,
    run_cli,
    scope_runs,
    start_worker,
    wait_until,
    write_config,
)
from vaultward.config.settings import parse_settings
from vaultward.ops.scheduler import make_scheduler
from vaultward.store.db import make_engine, open_store
from vaultward.store.models import Fact, Run, utcnow

SCOPE, INTERVAL = "counted:1", 2.0
SKIPPED = "collect:counted skipped: another worker holds its lease"


def test_two_worker_processes_run_each_firing_once(tmp_path, database_url):
    engine = make_engine(database_url)
    config = write_config(tmp_path, schedule=f"{int(INTERVAL)}s", records=25)
    pair = [start_worker(tmp_path, database_url, config, f"worker{n}.log") for n in (1, 2)]
    try:
        wait_until(lambda: SKIPPED in pair[0].log() + pair[1].log(), 30, "a skipped firing", *pair)
        wait_until(lambda: len(scope_runs(engine, SCOPE)) >= 4, 30, "four collections", *pair)
    finally:
        # A worker that has exited hands its lease on at once (its owner is gone): the other's
        # next firing, in its own phase, may then run sooner than one interval later.
        both_running_until = utcnow()
        codes = [worker.stop() for worker in pair]
    assert codes == [0, 0]
    runs = scope_runs(engine, SCOPE)
    assert {run.status for run in runs} == {"ok"}
    starts = [run.started_at for run in runs if run.started_at < both_running_until]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(starts, starts[1:], strict=False)]
    assert min(gaps) > 0.75 * INTERVAL, f"a firing ran twice: runs {gaps} s apart"
    assert count(engine, Run, Run.scope == "counted:discovery") == len(runs)
    assert count(engine, Fact, Fact.scope == SCOPE) == 25 * len(runs)
    # each collection was evaluated once: no worker evaluated another's collection again
    assert len(evaluations(engine)) == len(runs)
    engine.dispose()


def test_the_weekly_report_job_of_two_workers_runs_once(engine, caplog):
    settings = parse_settings({"sources": {"static": {"enabled": False}}})
    schedulers = [make_scheduler(settings, engine, registry_with({})) for _ in range(2)]
    caplog.set_level(logging.INFO)
    for scheduler in schedulers:
        scheduler.start(paused=True)  # next firings computed, nothing runs on its own
    try:
        for scheduler in schedulers:  # both fire the same Monday 07:00 firing
            job = scheduler.get_job("report:weekly")
            job.func(*job.args, **job.kwargs)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown()
    messages = [record.getMessage() for record in caplog.records]
    assert sum(m.startswith("weekly report: no evaluation") for m in messages) == 1, messages
    assert messages.count("report:weekly skipped: another worker holds its lease") == 1


def test_worker_cli_and_dashboard_share_one_sqlite_file(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    config = write_config(tmp_path, schedule="1s", records=400)
    worker = start_worker(tmp_path, url, config)
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", url)
    cli_results = []

    def evaluate_from_the_cli() -> None:
        for _ in range(3):
            cli_results.append(run_cli(tmp_path, url, config, "evaluate"))

    try:
        wait_until(lambda: len(evaluations(engine)) >= 1, 30, "a first evaluation", worker)
        cli = threading.Thread(target=evaluate_from_the_cli)
        cli.start()
        pages = []
        while cli.is_alive() or len(pages) < 3:
            st.cache_data.clear()
            st.cache_resource.clear()
            page = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
            page.run()
            pages.append(page)
        cli.join()
        wait_until(lambda: len(scope_runs(engine, SCOPE)) >= 3, 30, "more collections", worker)
    finally:
        code = worker.stop()
    assert code == 0, worker.log()
    for result in cli_results:
        assert result.returncode == 0, result.stderr
        assert "database is locked" not in result.stdout + result.stderr
    for page in pages:
        assert not page.exception, [e.value for e in page.exception]
        assert any(metric.label == "Overall readiness" for metric in page.metric)
    assert "database is locked" not in worker.log()
    assert {run.status for run in scope_runs(engine, SCOPE)} == {"ok"}
    assert len(evaluations(engine)) >= 3 + len(scope_runs(engine, SCOPE)) - 1  # worker's and the CLI's
    engine.dispose()
