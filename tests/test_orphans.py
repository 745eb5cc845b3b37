"""Runs left `running` by killed processes (vaultward/pipeline/orphans.py): which are marked
failed and which never are, on both stores; the heartbeat; readers before marking."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from vaultward.pipeline import orphans
from vaultward.pipeline.collection import _start_run
from vaultward.pipeline.orphans import is_interrupted, reap, reap_orphans
from vaultward.read.runs import latest_runs, run_history
from vaultward.store import run_owner
from vaultward.store.models import Run, utcnow
from vaultward.store.run_owner import HEARTBEAT, STALE_SECONDS, Owner, process_started, this_process
from vaultward.store.unit_of_work import in_unit_of_work, unit_of_work


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def add_run(session: Session, scope: str, owner: Owner | None, heartbeat_age: float | None) -> int:
    now = utcnow()
    run = Run(
        collector="static",
        scope=scope,
        status="running",
        started_at=now - timedelta(seconds=heartbeat_age or 0),
        owner_host=owner and owner.host,
        owner_pid=owner and owner.pid,
        owner_started=owner and owner.started,
        heartbeat_at=None if heartbeat_age is None else now - timedelta(seconds=heartbeat_age),
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def statuses(engine) -> dict[str, tuple[str, str | None]]:
    with Session(engine) as session:
        return {run.scope: (run.status, run.error) for run in session.exec(select(Run)).all()}


def test_reap_marks_only_runs_whose_owner_is_gone_or_silent(engine):
    here = this_process()
    stale, fresh = STALE_SECONDS * 3, 1.0
    other_space = f"another-boot/4026531836/{12345}"
    with unit_of_work(engine) as session:
        ours = add_run(session, "this process, beating", here, fresh)
        HEARTBEAT.track(engine, ours)  # running it
        add_run(session, "this process, no longer running it", here, fresh)
        add_run(session, "another host, beating", Owner("elsewhere", here.pid, here.started), fresh)
        add_run(session, "another host, silent", Owner("elsewhere", here.pid, here.started), stale)
        add_run(session, "dead pid here", Owner(here.host, dead_pid(), None), fresh)
        if here.started is not None:  # Linux: a reused pid is another process
            reused = here.started.rpartition("/")[0] + "/1"
            add_run(session, "pid reused", Owner(here.host, here.pid, reused), fresh)
            # The same host name in another pid namespace (a container): its pids mean
            # nothing here, so only its heartbeat tells.
            add_run(session, "other namespace", Owner(here.host, dead_pid(), other_space), fresh)
        add_run(session, "before owners, old", None, stale)
        add_run(session, "before owners, new", None, None)
        finished = Run(
            collector="static", scope="finished", status="ok", started_at=utcnow() - timedelta(hours=1)
        )
        session.add(finished)

    try:
        reaped = reap_orphans(engine)
        assert reap_orphans(engine) == []  # marked once
    finally:
        HEARTBEAT.untrack(engine, ours)

    after = statuses(engine)
    kept = {"this process, beating", "another host, beating", "before owners, new", "finished"}
    if here.started is not None:
        kept.add("other namespace")
    assert {scope for scope, (status, _) in after.items() if status != "failed"} == kept
    assert {r.scope for r in reaped} == set(after) - kept
    assert after["this process, beating"] == ("running", None)
    assert after["finished"] == ("ok", None)
    assert after["dead pid here"][1].startswith("interrupted: its process (pid ")
    assert after["another host, silent"][1].startswith(
        f"interrupted: no heartbeat from its process (pid {here.pid} on elsewhere) since "
    )
    assert "an earlier version" in after["before owners, old"][1]
    assert after["this process, no longer running it"][1] == (
        f"interrupted: its process (pid {here.pid} on {here.host}) stopped running it"
    )
    assert all(is_interrupted(error) for status, error in after.values() if status == "failed")
    # Once this process stops running it (the store failed as it was finished), it is marked.
    assert [r.run_id for r in reap_orphans(engine)] == [ours]


def test_a_run_that_beats_between_reading_and_marking_is_left_alone(engine, monkeypatch):
    with unit_of_work(engine) as session:
        run_id = add_run(session, "late beat", Owner("elsewhere", 1, None), STALE_SECONDS * 2)
    judge = orphans.orphan_reason
    with unit_of_work(engine) as session:

        def judged_then_beaten(run, now, here=None):
            reason = judge(run, now, here)
            # Its owner beats after the reaper read the Run, before it writes (Core: the
            # Run the reaper holds keeps the heartbeat it read).
            table = Run.__table__  # type: ignore[attr-defined]
            session.execute(update(table).where(table.c.id == run_id).values(heartbeat_at=utcnow()))
            return reason

        monkeypatch.setattr(orphans, "orphan_reason", judged_then_beaten)
        assert reap(session) == []
    monkeypatch.setattr(orphans, "orphan_reason", judge)
    assert statuses(engine)["late beat"] == ("running", None)


def test_the_heartbeat_renews_a_tracked_run_and_stops_with_none_left(engine):
    heartbeat = run_owner._Heartbeat()
    heartbeat.seconds = 0.1
    run_id = in_unit_of_work(engine, _start_run, "static", "aws:111111111111")
    with Session(engine) as session:
        started = session.get(Run, run_id)
        assert started is not None
        here = this_process()
        assert (started.owner_host, started.owner_pid, started.owner_started) == (
            socket.gethostname(),
            os.getpid(),
            here.started,
        )
        first_beat = started.heartbeat_at
        assert first_beat is not None
    heartbeat.track(engine, run_id)
    try:
        deadline = time.monotonic() + 10
        while True:
            with Session(engine) as session:
                beat = session.get(Run, run_id).heartbeat_at  # type: ignore[union-attr]
            if beat is not None and beat > first_beat:
                break
            assert time.monotonic() < deadline, "the heartbeat was never renewed"
            time.sleep(0.05)
    finally:
        heartbeat.untrack(engine, run_id)
    deadline = time.monotonic() + 10
    while heartbeat._thread is not None:  # nothing tracked: the thread ends
        assert time.monotonic() < deadline, "the heartbeat thread outlived its Runs"
        time.sleep(0.05)


def test_process_started_tells_a_live_process_from_a_reused_pid():
    here = this_process()
    if here.started is None:  # no /proc: host and pid alone
        assert run_owner.owner_alive(here) is True
        return
    assert process_started(os.getpid()) == here.started
    assert run_owner.owner_alive(here) is True
    assert run_owner.owner_alive(Owner(here.host, here.pid, here.started[:-1] + "x")) is False
    assert run_owner.owner_alive(Owner(here.host, dead_pid(), here.started)) is False
    assert run_owner.owner_alive(Owner("elsewhere", dead_pid(), here.started)) is None


def test_readers_show_a_left_behind_run_failed_before_it_is_marked(engine):
    gone = Owner(socket.gethostname(), dead_pid(), None)
    with unit_of_work(engine) as session:
        add_run(session, "aws:111111111111", gone, 1.0)
        live = add_run(session, "aws:222222222222", this_process(), 1.0)
        HEARTBEAT.track(engine, live)
    try:
        with Session(engine) as session:
            latest = {row.scope: row for row in latest_runs(session)}
            history = {row.scope: row for row in run_history(session, ("static",))}
            stored = {run.scope: run.status for run in session.exec(select(Run)).all()}
    finally:
        HEARTBEAT.untrack(engine, live)
    assert stored == {"aws:111111111111": "running", "aws:222222222222": "running"}  # nothing written
    for rows in (latest, history):
        orphan, live = rows["aws:111111111111"], rows["aws:222222222222"]
        assert orphan.status == "failed" and is_interrupted(orphan.error)
        assert orphan.finished_at is not None and orphan.duration_seconds is not None
        assert (live.status, live.finished_at, live.error) == ("running", None, None)


def test_a_live_process_on_this_host_is_never_reaped_for_a_stale_heartbeat(engine):
    """The store was away longer than the heartbeat's limit (renewals failed): the Run's process
    still runs here, so it is left running, however old its heartbeat."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = Owner(this_process().host, sleeper.pid, process_started(sleeper.pid))
        with unit_of_work(engine) as session:
            add_run(session, "live, silent", owner, STALE_SECONDS * 10)
        assert reap_orphans(engine) == []
        assert statuses(engine)["live, silent"] == ("running", None)
    finally:
        sleeper.kill()
        sleeper.wait()
    [reaped] = reap_orphans(engine)  # once it is gone, it is
    assert reaped.scope == "live, silent" and "is gone" in reaped.error


def test_a_run_marked_interrupted_keeps_that_outcome_and_stores_nothing(engine):
    """A Run reaped while its (remote) process still ran cannot be finished afterwards: the
    facts it read are not stored under a Run the store calls failed."""
    from vaultward.contract.records import CollectionScope
    from vaultward.pipeline.collection import RunInterrupted, _finish_collected, _finish_failed
    from vaultward.pipeline.spool import FactSpool
    from vaultward.store.models import Fact

    with unit_of_work(engine) as session:
        run_id = add_run(session, "remote", Owner("elsewhere", 1, None), STALE_SECONDS * 3)
    [reaped] = reap_orphans(engine)
    assert reaped.run_id == run_id

    with FactSpool() as facts, pytest.raises(RunInterrupted), unit_of_work(engine) as session:
        facts.add(CollectionScope(key="k", scope="remote"))
        _finish_collected(session, run_id, "remote", facts, [])
    in_unit_of_work(engine, _finish_failed, run_id, "storing facts failed: ...")  # leaves it as marked
    with Session(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None and run.status == "failed" and is_interrupted(run.error)
        assert session.exec(select(Fact).where(Fact.run_id == run_id)).all() == []


def test_status_shows_the_run_the_data_stands_on_and_one_in_progress_beside_it(engine):
    """A worker's next Run, running while `vaultward status` reads, does not hide the outcome
    the scope's data stands on (CI saw "running, finished running, 0 items")."""
    from tests.factories import make_identity
    from tests.fake_collectors import registry_with
    from vaultward.config.settings import Settings
    from vaultward.pipeline.collection import collect
    from vaultward.read.status import latest_status

    registry = registry_with({"aws:1": [make_identity(key="alice"), make_identity(key="bob")]})
    collect(Settings(), engine, registry)
    [(_, _, outcome, finished, items, freshness, _)] = latest_status(Settings(), engine, registry).runs
    assert (outcome, items, freshness) == ("ok", "2", "fresh") and finished[:4].isdigit()
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # a live worker
    try:
        owner = Owner(this_process().host, worker.pid, process_started(worker.pid))
        with unit_of_work(engine) as session:
            add_run(session, "aws:1", owner, 0)  # started now, its heartbeat now
        [(_, _, outcome, after, items, freshness, _)] = latest_status(Settings(), engine, registry).runs
    finally:
        worker.kill()
        worker.wait()
    assert outcome.startswith("ok; a Run in progress since ") and (after, items, freshness) == (
        finished,
        "2",
        "fresh",
    )


def test_status_of_a_scope_whose_newest_run_lost_its_process_says_so_at_once(engine):
    """Before any reaper marks it, a Run whose process is gone shows as the failed Run it
    will be, not hidden behind the ok Run before it; and a Run started in the same
    microsecond as a finished one is never taken for the finished one."""
    from tests.factories import make_identity
    from tests.fake_collectors import registry_with
    from vaultward.config.settings import Settings
    from vaultward.pipeline.collection import collect
    from vaultward.read.status import latest_status

    registry = registry_with({"aws:1": [make_identity(key="alice")]})
    collect(Settings(), engine, registry)
    with unit_of_work(engine) as session:
        run_id = add_run(session, "aws:1", Owner(this_process().host, dead_pid(), None), 0)
    [(_, _, outcome, _, _, _, error)] = latest_status(Settings(), engine, registry).runs
    assert outcome == "failed" and error.startswith("interrupted: its process")
    with unit_of_work(engine) as session:  # the same start as the ok Run: finished is the ok one
        ok = session.exec(select(Run).where(Run.scope == "aws:1", Run.status == "ok")).one()
        session.execute(update(Run).where(Run.id == run_id).values(started_at=ok.started_at))
    with Session(engine) as session:
        [finished] = [r for r in latest_runs(session, finished=True) if r.scope == "aws:1"]
    assert finished.id == ok.id
