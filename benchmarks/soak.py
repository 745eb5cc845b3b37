"""Soak: `vaultward worker` and `vaultward collect` processes, one at a time, against the
`counted` test source made slow (2 s a scope) and faulty (scopes failing midway, pauses),
each killed with SIGKILL while it has a Run in flight: the soak polls the store until the
process has a Run `running`, waits a random moment, kills it, and records the Runs still
`running` once it is dead. The next worker takes the source's lease and must mark them
failed (interrupted); a last worker does so for the last kill and stops cleanly. Then the
store is checked: every killed Run recovered, none left running, no committed fact lost or
duplicated, every successful Run holding what the collector yielded, every evaluation
whole. Prints what it saw; exits 1 on any problem, or if it killed but recovered nothing.

    PYTHONPATH=. .venv/bin/python benchmarks/soak.py [--minutes 1] [--kill-every 8] [--seed 7]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
    (default store: a SQLite file in a temporary folder; with --database-url, a throwaway
    database created on that server and dropped afterwards)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.scratch_store import scratch_store
from benchmarks.soak_store import (
    RECORDS,
    SCOPES,
    SoakResult,
    check_store,
    finished_above,
    last_run_id,
    note_committed,
    running,
)
from tests.reliability.worker_process import WorkerProcess, start_worker, write_config
from vaultward.store.db import open_store

DELAY = 0.05  # 40 records x 50 ms: a scope's Run is in flight for 2 s or more
COLLECT_SHARE = 0.3  # of the processes, `vaultward collect` (the rest are workers)
POLL, WAIT_FOR_RUN, RECOVERY_TIMEOUT, OVERTIME = 0.05, 60.0, 90.0, 300.0


def soak(
    folder: Path,
    database_url: str,
    minutes: float,
    kill_every: float = 8.0,
    seed: int = 7,
    min_kills: int = 1,
) -> SoakResult:
    """Kill processes with Runs in flight for `minutes` (and until `min_kills` kills landed
    on one), a worker living up to `kill_every` seconds after its first Run began before the
    soak waits for a Run of its own and kills it; then a last worker recovers, and the store
    is checked."""
    chance = random.Random(seed)  # which command, how long each lives, where the kill lands
    engine = open_store(database_url)
    config = write_config(
        folder, schedule="1s", scopes=SCOPES, records=RECORDS, delay_seconds=DELAY,
        failure_rate=0.1, slow_rate=0.2, slow_seconds=1.0,
    )  # fmt: skip
    result = SoakResult()
    deadline = time.monotonic() + minutes * 60
    overtime = deadline + OVERTIME  # to reach `min_kills` on a slow machine
    while time.monotonic() < deadline or (result.kills_in_flight < min_kills and time.monotonic() < overtime):
        command = "collect" if chance.random() < COLLECT_SHARE else "worker"
        own, process = last_run_id(engine), launch(folder, database_url, config, command, result)
        live, settle = chance.uniform(0, kill_every), chance.uniform(0, 1.5)
        live = 0 if command == "collect" else live  # a collect's one round lasts 2-3 s
        kill_in_flight(engine, process, own, command, result, live, settle)
    recover(folder, database_url, config, engine, result)
    check_store(engine, result)
    engine.dispose()
    return result


def launch(folder: Path, database_url: str, config: Path, command: str, result: SoakResult) -> WorkerProcess:
    result.processes += 1
    name = f"{result.processes:04d}-{command}.log"
    return start_worker(folder, database_url, config, name, command=command)


def kill_in_flight(
    engine: Engine,
    process: WorkerProcess,
    own: int,
    command: str,
    result: SoakResult,
    live: float,
    settle: float,
) -> None:
    """Once `process` has a Run `running` (an id above `own`: processes run one at a time),
    let it live `live` seconds more (finishing Runs, evaluating), then wait until it has a
    Run running again, `settle` seconds more (the kill lands early or late in a Run), and
    SIGKILL it while one runs."""
    give_up, first_run, kill_at = time.monotonic() + WAIT_FOR_RUN + live, None, None
    try:
        while True:
            if process.process.poll() is not None:
                if command == "worker" or process.process.returncode not in (0, 1):
                    result.problems.append(f"{command} exited by itself:\n{tail(process)}")
                return  # a collect that finished first: nothing to kill
            now, in_flight = time.monotonic(), running(engine, above=own)
            first_run = first_run or (now if in_flight else None)
            if in_flight and first_run and now >= first_run + live:
                kill_at = kill_at or now + settle
                if now >= kill_at:
                    break
            if now > give_up:
                result.problems.append(f"{command}: no Run in flight to kill in time:\n{tail(process)}")
                return
            time.sleep(POLL)
        process.kill()
        result.kills += 1
    finally:
        process.stop()  # only if the soak gave up on it
        note_committed(engine, result)
    in_flight = running(engine, above=own)  # the process is dead: none of these can finish
    if in_flight:
        result.kills_in_flight += 1
        result.killed_runs |= in_flight


def recover(folder: Path, database_url: str, config: Path, engine: Engine, result: SoakResult) -> None:
    """A last worker: it takes the lease, marks what the last kill left, collects once; then
    SIGTERM, and it must stop cleanly after its job."""
    left = last_run_id(engine)
    result.processes += 1
    worker = start_worker(folder, database_url, config, "recovery-worker.log")
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while (running(engine, up_to=left) or not finished_above(engine, left)) and time.monotonic() < deadline:
        if worker.process.poll() is not None:
            break
        time.sleep(POLL * 4)
    if worker.stop() != 0:
        result.problems.append(f"the recovery worker did not stop cleanly:\n{tail(worker)}")
    note_committed(engine, result)


def tail(process: WorkerProcess, lines: int = 20) -> str:
    return "\n".join(process.log().splitlines()[-lines:])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to keep killing")
    parser.add_argument("--kill-every", type=float, default=8.0, help="most seconds a worker lives after its "
                        "first Run began before the soak waits for a Run in flight and kills it")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to make a throwaway database on (default: a SQLite file)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="vaultward-soak-") as folder,
        scratch_store(args.database_url, "soak") as url,
    ):
        result = soak(Path(folder), url, args.minutes, args.kill_every, args.seed)
    print("\n".join(result.lines()))
    print(f"took {time.monotonic() - started:.0f} s")
    return 1 if result.failing() else 0


if __name__ == "__main__":
    sys.exit(main())
