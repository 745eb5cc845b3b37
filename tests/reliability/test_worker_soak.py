"""A short soak (benchmarks/soak.py): workers and `vaultward collect` killed with SIGKILL while
a Run is in flight; the Runs they left are recovered, nothing is lost or duplicated."""

from __future__ import annotations

from sqlalchemy import delete

from benchmarks.soak import soak
from benchmarks.soak_store import SoakResult, check_store, note_committed
from vaultward.store.models import Fact, Run, utcnow
from vaultward.store.unit_of_work import unit_of_work


def test_a_short_soak_kills_runs_in_flight_and_recovers_them(tmp_path, database_url):
    result = soak(tmp_path, database_url, minutes=0.1, kill_every=2, min_kills=1)
    assert result.problems == [], "\n".join(result.lines())
    assert result.kills >= 1 and result.kills_in_flight >= 1
    assert result.recovered == len(result.killed_runs) > 0
    assert (result.still_running, result.lost, result.duplicated) == (0, 0, 0)
    assert result.attempted == result.ok + result.failed + result.interrupted
    assert result.interrupted == result.recovered
    assert result.ok >= 1 and result.evaluations >= 1
    assert not result.failing() and result.lines()[-1] == "nothing lost, duplicated or left running"


def test_the_soak_fails_on_a_killed_run_left_running_or_a_fact_lost_or_duplicated(engine):
    with unit_of_work(engine) as session:
        runs = [Run(collector="counted", scope=f"counted:{n}", started_at=utcnow()) for n in (1, 2)]
        session.add_all(runs)
        session.flush()
        killed, done = (run.id for run in runs)
        assert killed is not None and done is not None
        runs[1].status, runs[1].item_count = "ok", 2
        for key in ("a", "b", "b"):  # "b" twice: a duplicate
            session.add(Fact(run_id=done, kind="identity", key=key, scope="counted:2", data={}))
    result = SoakResult(kills=1, kills_in_flight=1, killed_runs={killed})
    note_committed(engine, result)
    assert result.committed == {done: 3}
    with unit_of_work(engine) as session:
        session.execute(delete(Fact).where(Fact.key == "a"))  # a fact of a committed Run lost
    check_store(engine, result)
    assert (result.recovered, result.still_running, result.lost, result.duplicated) == (0, 1, 1, 1)
    assert result.failing() and result.lines()[-1] == "FAILED"
