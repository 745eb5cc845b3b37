"""The worker runs sources on their schedules, re-evaluates after each run, stops cleanly."""

import threading
import time

from sqlmodel import Session, select

from tests.factories import make_account
from tests.fake_collectors import registry_with
from vaultward.config.settings import parse_settings
from vaultward.ops.scheduler import make_scheduler, run_worker
from vaultward.store.models import Evaluation, Run


def _count(engine, model) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def test_worker_runs_twice_on_a_short_interval_and_stops(engine):
    settings = parse_settings({"sources": {"static": {"schedule": "1s"}}})
    registry = registry_with({"aws:1": [make_account(account_id="111111111111")]})
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(settings, engine, registry, stop), daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while _count(engine, Evaluation) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive(), "worker did not stop"
    runs = _count(engine, Run)
    assert runs >= 2 and _count(engine, Evaluation) >= 2
    with Session(engine) as session:
        assert {r.status for r in session.exec(select(Run)).all()} == {"ok"}
    time.sleep(1.5)
    assert _count(engine, Run) == runs, "no job may run after the worker stopped"


def test_one_job_per_enabled_source_with_its_trigger(engine):
    settings = parse_settings({"sources": {"static": {"schedule": "cron: 0 7 * * 1"}}})
    scheduler = make_scheduler(settings, engine, registry_with({}))
    [job, _report, _prune] = scheduler.get_jobs()
    assert job.id == "collect:static" and "cron" in str(job.trigger)
    disabled = parse_settings({"sources": {"static": {"enabled": False}}})
    jobs = make_scheduler(disabled, engine, registry_with({})).get_jobs()
    # The weekly report and the daily prune run without sources too.
    assert [j.id for j in jobs] == ["report:weekly", "retention:prune"]
