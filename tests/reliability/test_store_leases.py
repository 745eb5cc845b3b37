"""Job leases: one owner at a time, taken atomically by racing threads and processes, on
both stores; expired leases and leases of dead local processes are taken over."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

from sqlmodel import Session

from tests.reliability.worker_process import ROOT
from vaultward.store.job_lease import acquire, extend, release, renewed, worker_identity
from vaultward.store.models import JobLease, utcnow
from vaultward.store.unit_of_work import in_unit_of_work


def lease(engine, job_id: str) -> JobLease | None:
    with Session(engine) as session:
        return session.get(JobLease, job_id)


def in_a_minute():
    return utcnow() + timedelta(minutes=1)


def test_one_owner_at_a_time_until_release_or_expiry(engine):
    alpha, beta = worker_identity(), worker_identity()
    assert in_unit_of_work(engine, acquire, "collect:static", alpha, in_a_minute())
    assert not in_unit_of_work(engine, acquire, "collect:static", beta, in_a_minute())
    assert in_unit_of_work(engine, acquire, "collect:static", alpha, in_a_minute()), (
        "the owner takes its own lease again"
    )
    assert not in_unit_of_work(engine, extend, "collect:static", beta, in_a_minute()), (
        "only the owner extends"
    )
    in_unit_of_work(engine, release, "collect:static", beta)  # not the owner: nothing happens
    assert lease(engine, "collect:static").owner == alpha
    in_unit_of_work(engine, release, "collect:static", alpha)
    assert lease(engine, "collect:static") is None
    assert in_unit_of_work(
        engine, acquire, "collect:static", beta, utcnow() - timedelta(seconds=1)
    )  # already expired
    assert in_unit_of_work(engine, acquire, "collect:static", alpha, in_a_minute()), (
        "an expired lease is free"
    )
    assert lease(engine, "collect:static").owner == alpha


def test_a_lease_of_a_process_gone_from_this_host_is_taken_at_once(engine):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = worker_identity().split(":")[0]
    dead_owner = f"{host}:{int(gone.stdout)}:0123456789ab"
    assert in_unit_of_work(engine, acquire, "evaluate", dead_owner, in_a_minute())
    restarted = worker_identity()  # this process: alive
    assert in_unit_of_work(engine, acquire, "evaluate", restarted, in_a_minute()), (
        "the owner's process is gone"
    )
    assert not in_unit_of_work(engine, acquire, "evaluate", worker_identity(), in_a_minute()), (
        "the new owner is alive"
    )
    assert lease(engine, "evaluate").owner == restarted
    elsewhere = "other-host:1:ffffffffffff"  # another host: only expiry frees it
    assert in_unit_of_work(engine, acquire, "report:weekly", elsewhere, in_a_minute())
    assert not in_unit_of_work(engine, acquire, "report:weekly", restarted, in_a_minute())


def test_renewal_keeps_a_running_job_leased(engine):
    owner = worker_identity()
    assert in_unit_of_work(engine, acquire, "collect:static", owner, utcnow() + timedelta(seconds=0.6))
    with renewed(engine, "collect:static", owner, seconds=0.6):
        time.sleep(1.5)  # longer than the lease: renewed every 0.2 s
        assert not in_unit_of_work(engine, acquire, "collect:static", worker_identity(), in_a_minute())
        assert lease(engine, "collect:static").expires_at > utcnow()


def test_racing_threads_one_winner_per_job(engine):
    rounds, racers = 15, 6
    winners: dict[str, list[str]] = {f"collect:race{n}": [] for n in range(rounds)}
    start = threading.Barrier(racers)

    def race(owner: str) -> None:
        start.wait()
        for job_id, won in winners.items():
            if in_unit_of_work(engine, acquire, job_id, owner, in_a_minute()):
                won.append(owner)

    threads = [threading.Thread(target=race, args=(worker_identity(),)) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {job_id: len(won) for job_id, won in winners.items()} == {job_id: 1 for job_id in winners}


RACER = """
import sys, time
from datetime import timedelta
from vaultward.store.db import make_engine
from vaultward.store.job_lease import acquire, worker_identity
from vaultward.store.models import utcnow
from vaultward.store.unit_of_work import in_unit_of_work
engine, owner, start = make_engine(sys.argv[1]), worker_identity(), float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
for n in range(int(sys.argv[3])):
    if in_unit_of_work(engine, acquire, f"collect:race{n}", owner, utcnow() + timedelta(minutes=1)):
        print(n, flush=True)
print("done", flush=True)
sys.stdin.read()  # alive until the test lets go: a lease of a process gone is taken at once
"""


def test_racing_processes_one_winner_per_job(engine, database_url, tmp_path):
    jobs = 40
    start = time.time() + 3  # both begin at the same instant, after their imports
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    errors = [tmp_path / "racer-0.err", tmp_path / "racer-1.err"]  # files: never a full pipe
    racers = []
    for error in errors:
        with error.open("w") as stderr:
            racers.append(
                subprocess.Popen(
                    [sys.executable, "-c", RACER, database_url, str(start), str(jobs)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    env=env,
                )
            )
    won: list[set[int]] = [set(), set()]
    done = [threading.Event(), threading.Event()]

    def read(n: int) -> None:  # each racer's wins, until its "done" (or its end, if it died)
        for line in iter(racers[n].stdout.readline, ""):
            if line == "done\n":
                done[n].set()
                return
            won[n].add(int(line))

    readers = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(2)]
    for reader in readers:
        reader.start()
    # Both stay alive until both are done: a lease of a process gone is free (the slower
    # racer would rightly take the leases of one that had exited)
    deadline = time.monotonic() + 60
    for reader in readers:
        reader.join(timeout=max(0.0, deadline - time.monotonic()))
    for racer in racers:
        racer.stdin.close()  # let it end
        try:
            racer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            racer.kill()
            racer.wait()
    for racer, error in zip(racers, errors, strict=True):
        assert racer.returncode == 0, error.read_text()
    assert all(event.is_set() for event in done), f"a racer did not finish its {jobs} jobs within 60 s"
    assert won[0] | won[1] == set(range(jobs)) and not won[0] & won[1]
