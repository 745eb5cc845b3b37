"""The store failing under the CLI: PostgreSQL's connections terminated or refused mid-collect
and a server that is not there; a SQLite file another writer holds, and one that is not a
database at all (it must be left as it was)."""

from __future__ import annotations

import hashlib
import random
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.fault_campaign.bench import PASSWORD, Bench, wait_for
from benchmarks.fault_campaign.outcome import Outcome, Step

SHORT_LOCK_SECONDS = 15.0  # under the store's 30 s busy timeout: the CLI should wait it out


def one_line_naming(step: Step, name: str) -> bool:
    """The command said what went wrong in one line, naming the store."""
    lines = step.error_lines()
    return len(lines) == 1 and name in lines[0]


@contextmanager
def server(bench: Bench) -> Iterator[Connection]:
    assert bench.admin_url is not None, "PostgreSQL faults need the server's URL"
    engine = create_engine(bench.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def terminate(connection: Connection, database: str | None) -> int:
    """End every session of the store's database but ours; waits (up to 5 s) until each is gone."""
    ended = connection.execute(
        text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"
        ),
        {"name": database},
    ).scalar()
    return int(ended or 0)


def allow_connections(connection: Connection, database: str | None, allowed: bool) -> None:
    connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}'))


def postgresql_terminated(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store, "PostgreSQL sessions terminated mid-`collect` (server stays up), then `status`"
    )
    before = bench.snapshot()
    started = bench.start("collect", "collect", "--source", "counted", config=bench.slow)
    outcome.check("a Run was running", wait_for(lambda: bench.scope_running(before.max_run), 90))
    with server(bench) as connection:
        outcome.check("sessions were terminated", terminate(connection, bench.database) > 0)
    outcome.steps.append(bench.finish(started, (0,)))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def postgresql_refusing(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store,
        "PostgreSQL refuses connections from mid-`collect` until it ends, then `collect`, `status`",
    )
    before = bench.snapshot()
    started = bench.start("collect", "collect", "--source", "counted", config=bench.slow)
    outcome.check("a Run was running", wait_for(lambda: bench.scope_running(before.max_run), 90))
    with server(bench) as connection:
        try:
            allow_connections(connection, bench.database, False)
            terminate(connection, bench.database)
            outcome.steps.append(bench.finish(started, (3,)))
        finally:
            allow_connections(connection, bench.database, True)
    outcome.check("one line naming the store", one_line_naming(outcome.steps[0], bench.database or ""))
    outcome.steps.append(bench.run("collect", "collect", "--source", "counted", config=bench.fast))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgresql_unreachable(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store, "PostgreSQL unreachable (wrong port, password in the URL): `collect`, `status`"
    )
    before = bench.snapshot()
    port = free_port()
    url = make_url(bench.url).set(port=port, password=PASSWORD).render_as_string(hide_password=False)
    env = bench.env(url=url)
    for command in ("collect", "status"):
        step = bench.run(command, command, config=bench.fast, env=env, expected=(3,))
        outcome.steps.append(step)
        outcome.check(f"{command}: one line naming the store", one_line_naming(step, f"127.0.0.1:{port}"))
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


@contextmanager
def sqlite_locked(bench: Bench) -> Iterator[sqlite3.Connection]:
    """Another writer holding the store's file (BEGIN EXCLUSIVE) until the block ends."""
    locker = sqlite3.connect(bench.data_dir / "vaultward.db", isolation_level=None, timeout=60)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        yield locker
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()


def sqlite_locked_briefly(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store, f"SQLite file held by another writer for {SHORT_LOCK_SECONDS:.0f} s during `collect`"
    )
    before = bench.snapshot()
    with sqlite_locked(bench):
        started = bench.start("collect", "collect", "--source", "counted", config=bench.fast)
        time.sleep(SHORT_LOCK_SECONDS)
        outcome.check("collect was still waiting when the lock went", started.process.poll() is None)
    outcome.steps.append(bench.finish(started, (0,)))
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def sqlite_locked_too_long(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store, "SQLite file held by another writer past the 30 s busy timeout, then `collect`, `status`"
    )
    before = bench.snapshot()
    with sqlite_locked(bench):
        started = bench.start("collect", "collect", "--source", "counted", config=bench.fast)
        outcome.steps.append(bench.finish(started, (3,), timeout=120))
    outcome.check("one line naming the store", one_line_naming(outcome.steps[0], str(bench.data_dir)))
    outcome.steps.append(bench.run("collect", "collect", "--source", "counted", config=bench.fast))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def sqlite_not_a_database(bench: Bench) -> Outcome:
    outcome = Outcome(bench.store, "SQLite path holds a garbage file (not a database): `collect`, `status`")
    before = bench.snapshot()
    folder = bench.folder / "garbage"
    folder.mkdir(exist_ok=True)
    path = folder / "vaultward.db"
    path.write_bytes(random.Random(19).randbytes(64 * 1024))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in ("collect", "status"):
        step = bench.run(command, command, config=bench.fast, data_dir=folder, expected=(3,))
        outcome.steps.append(step)
        outcome.check(f"{command}: one line naming the store", one_line_naming(step, str(folder)))
    outcome.check("the file's bytes unchanged", hashlib.sha256(path.read_bytes()).hexdigest() == digest)
    outcome.kept = bench.kept(before)
    return bench.record(outcome)
