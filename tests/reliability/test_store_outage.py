"""The store goes away while a Run's facts are being written: the Run's facts are all
written or none, the Run ends `failed`, and the worker's next job succeeds once the store is
back. PostgreSQL: every connection of the test database is killed and new ones refused for
a moment (the shared server itself cannot be stopped); SQLite: the file is locked."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL, _truncate
from tests.factories import make_identity
from tests.fake_collectors import registry_with
from tests.reliability.worker_process import count, evaluations, scope_runs
from vaultward.config.settings import parse_settings
from vaultward.ops.scheduler import run_worker
from vaultward.store.db import make_engine
from vaultward.store.models import Fact

SCOPE, RECORDS = "counted:1", 300
PLAN = {SCOPE: [make_identity(key=f"{SCOPE}/person{n}", scope=SCOPE) for n in range(RECORDS)]}


def on_first_fact_write(engine, fault) -> threading.Event:
    """Call `fault` just before the first write of a scope's facts (not the discovery Run's,
    which the scheduler thread writes): the store fails at the moment facts are written."""
    fired = threading.Event()

    @event.listens_for(engine, "before_cursor_execute")
    def _inject(_conn, _cursor, statement, _parameters, _context, _executemany):
        facts = statement.startswith("INSERT INTO fact")
        if facts and threading.current_thread().name.startswith("collect") and not fired.is_set():
            fired.set()
            fault()

    return fired


def run_worker_until(engine, done, timeout: float = 40) -> None:
    """Run the worker in a thread until `done()` (polled; False while the store is away)."""
    settings = parse_settings({"sources": {"static": {"schedule": "1s"}}})
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(settings, engine, registry_with(PLAN), stop), daemon=True
    )
    worker.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                if done():
                    break
            except OperationalError:
                pass
            time.sleep(0.2)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive()


def ok_runs(engine) -> list:
    return [run for run in scope_runs(engine, SCOPE) if run.status == "ok"]


def assert_nothing_lost(engine, failed_error: str) -> None:
    first, *later = scope_runs(engine, SCOPE)
    assert (first.status, first.item_count) == ("failed", 0)
    assert first.error.startswith(failed_error), first.error
    assert count(engine, Fact, Fact.run_id == first.id) == 0, "no partial fact set"
    assert later and later[-1].status == "ok"
    for run in ok_runs(engine):
        assert (run.item_count, count(engine, Fact, Fact.run_id == run.id)) == (RECORDS, RECORDS)
    assert evaluations(engine), "the worker evaluated once the store was back"


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not among the test backends")
def test_postgresql_connections_killed_mid_write(_postgres_engine, caplog):
    _truncate(_postgres_engine)
    url = _postgres_engine.url.render_as_string(hide_password=False)
    name = _postgres_engine.url.database
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    engine = make_engine(url)

    def allow(connections: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(connections).lower()}'))

    def database_goes_away() -> None:
        allow(False)
        with admin.connect() as connection:  # wait (up to 5 s) until each backend is gone
            connection.execute(
                text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        back.start()

    back = threading.Timer(2.5, allow, args=(True,))  # the store returns after a few firings
    fired = on_first_fact_write(engine, database_goes_away)
    caplog.set_level(logging.INFO)
    try:
        run_worker_until(engine, lambda: fired.is_set() and len(ok_runs(engine)) >= 1 and evaluations(engine))
    finally:
        if back.is_alive():
            back.join()
        allow(True)
    # The store was away when the Run failed: the next collection marked it (this process no
    # longer ran it).
    assert_nothing_lost(engine, "interrupted: its process (pid ")
    assert "collect:static failed, the store is unavailable; the next firing tries again" in caplog.text
    engine.dispose()
    admin.dispose()


def test_sqlite_file_locked_mid_write(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    make_engine(url).dispose()
    from vaultward.store.db import open_store

    open_store(url).dispose()
    engine = make_engine(url, busy_timeout_seconds=1)
    locker = sqlite3.connect(tmp_path / "store.db", isolation_level=None, check_same_thread=False)

    def file_locked() -> None:
        locker.execute("BEGIN EXCLUSIVE")  # another process holding the file

    fired = on_first_fact_write(engine, file_locked)

    @event.listens_for(engine, "handle_error")
    def _unlock(_context):  # the write gave up: the lock goes away a moment later
        if locker.in_transaction:
            locker.execute("ROLLBACK")

    caplog.set_level(logging.INFO)
    run_worker_until(engine, lambda: fired.is_set() and len(ok_runs(engine)) >= 1 and evaluations(engine))
    assert_nothing_lost(engine, "storing facts failed: OperationalError: database is locked")
    assert "database is locked" not in "".join(
        r.getMessage() for r in caplog.records if r.name == "vaultward.ops.scheduler"
    )
    locker.close()
    engine.dispose()
