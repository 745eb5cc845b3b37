"""Every command that uses the store ends cleanly when the store is gone, locked or refusing:
exit 3, one line on stderr naming the store (its password masked) and what to do, no
traceback. The commands are read from the Typer app: a new one fails
`test_every_command_is_placed` until it is put in STORE_COMMANDS or NO_STORE."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL
from tests.fake_collectors import StaticCollector
from vaultward.cli.main import app
from vaultward.contract.records import Record
from vaultward.contract.sdk import Problem, Scope
from vaultward.pipeline import registry as registry_module
from vaultward.store import db
from vaultward.store.db import make_engine, open_store

ROOT = Path(__file__).parents[1]
PASSWORD = "hunter2-store-password"
CHECK_MODULE = str(ROOT / "checks" / "access" / "access_key_age.py")

STORE_COMMANDS: dict[str, list[str]] = {  # each with arguments that take it to the store
    "collect": [],
    "evaluate": [],
    "status": [],
    "prune": [],
    "frameworks": [],
    "report": ["--week", "2026-W47", "--format", "json"],
    "serve": [],
    "worker": [],
    "queue-worker": [],  # $VAULTWARD_BROKER_URL is set: it opens the store first
    "db upgrade": [],
    "checks test": [CHECK_MODULE],
    "waive add": ["access.root_mfa", "*", "--reason", "r", "--owner", "a@b.io"],
    "waive list": [],
    "waive revoke": ["1"],
}
# iam-policy and the checks catalog never open the store; the demo makes its own in a folder
# of its own (tests/test_demo.py).
NO_STORE = {"iam-policy", "demo", "checks list", "checks show", "checks new"}


def leaf_commands(command: Any = None, prefix: str = "") -> set[str]:
    command = command or typer.main.get_command(app)
    found: set[str] = set()
    for name, sub in getattr(command, "commands", {}).items():
        path = f"{prefix}{name}"
        found |= leaf_commands(sub, path + " ") if hasattr(sub, "commands") else {path}
    return found


def invoke(*args: str, **env: str | None):
    clean = {"VAULTWARD_CONFIG": None, "VAULTWARD_DATA_DIR": None, "COLUMNS": "100"}
    broker = {"VAULTWARD_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/"}
    return CliRunner().invoke(app, list(args), env={**clean, **broker, **env})


def assert_clean_store_failure(result, url: str, *words: str, logged: bool = False) -> str:
    """Exit 3 and one line naming the store (the last, after log lines if `logged`), without
    its password or a traceback."""
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert logged or len(lines) == 1, result.stderr
    assert db.redact_url(url) in lines[-1]
    for word in words:
        assert word in lines[-1]
    assert PASSWORD not in result.output and "Traceback" not in result.output
    return lines[-1]


def test_every_command_is_placed():
    assert leaf_commands() == set(STORE_COMMANDS) | NO_STORE


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no vaultward.toml, and the reports' folder is a throwaway


@pytest.mark.parametrize("command", sorted(STORE_COMMANDS))
@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://vaultward:{PASSWORD}@127.0.0.1:1/vaultward",  # nothing listens
        f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:5432/vaultward_no_such_db",  # refused
    ],
    ids=["closed-port", "refused"],
)
def test_an_unavailable_postgresql_store(command, url):
    result = invoke(*command.split(), *STORE_COMMANDS[command], VAULTWARD_DATABASE_URL=url)
    line = assert_clean_store_failure(result, url, "is PostgreSQL running", "$VAULTWARD_DATABASE_URL")
    assert "***@127.0.0.1" in line


@pytest.fixture
def locked_sqlite(tmp_path, monkeypatch) -> Iterator[str]:
    """A migrated SQLite store that another connection holds exclusively (a write in progress
    that readers cannot pass either); the CLI waits a short busy timeout for it."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).dispose()
    holder = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM waiver")
    monkeypatch.setattr(make_engine, "__defaults__", (0.2,))  # the busy timeout, seconds
    yield url
    holder.close()


@pytest.mark.parametrize("command", sorted(STORE_COMMANDS))
def test_a_locked_sqlite_store(command, locked_sqlite):
    result = invoke(*command.split(), *STORE_COMMANDS[command], VAULTWARD_DATABASE_URL=locked_sqlite)
    assert_clean_store_failure(result, locked_sqlite, "is locked", "another process holds the SQLite file")


@pytest.mark.parametrize(
    "program",
    [[str(Path(sys.executable).parent / "vaultward")], [sys.executable, "-m", "vaultward"]],
    ids=["script", "python -m vaultward"],
)
def test_both_entry_points_fail_cleanly(program, tmp_path):
    url = f"postgresql+psycopg://vaultward:{PASSWORD}@127.0.0.1:1/vaultward"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTWARD_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [*program, "collect"], capture_output=True, text=True, env={**env, "VAULTWARD_DATABASE_URL": url},
        cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith(
        "cannot use the store postgresql+psycopg://vaultward:***@127.0.0.1:1/vaultward"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert PASSWORD not in done.stdout + done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["status"], ["db", "upgrade"], ["collect"]], ids=" ".join)
@pytest.mark.parametrize("url", ["not a url", f"nosuchdb://vaultward:{PASSWORD}@h/x"])
def test_a_store_url_naming_no_database_is_a_configuration_error(command, url):
    result = invoke(*command, VAULTWARD_DATABASE_URL=url)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"the store URL {db.redact_url(url)} (chosen by $VAULTWARD_DATABASE_URL) cannot be used"
    )
    assert PASSWORD not in result.output


def test_only_a_store_that_cannot_be_used_is_the_stores_failure():
    import psycopg
    from sqlalchemy import exc

    from vaultward.cli.failures import store_error

    locked = sqlite3.OperationalError("database is locked")
    refused = psycopg.OperationalError("connection refused")
    for error in (
        exc.OperationalError("INSERT", {}, locked),
        exc.OperationalError("SELECT 1", {}, refused),
        exc.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
        exc.OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection")),
        exc.OperationalError("SELECT 1", {}, psycopg.errors.TooManyConnections("too many clients")),
        exc.OperationalError("SELECT 1", {}, sqlite3.DatabaseError("file is not a database")),
    ):
        assert store_error(error) is error.orig
        try:
            raise RuntimeError("while storing") from error
        except RuntimeError as wrapped:
            assert store_error(wrapped) is error.orig  # found through what caused it
    for error in (
        exc.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: run")),  # a schema
        exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
        psycopg.errors.UndefinedTable("relation does not exist"),
        # the store answers: a deadlock, a serialisation failure, a statement timeout
        exc.OperationalError("UPDATE", {}, psycopg.errors.DeadlockDetected("deadlock detected")),
        exc.OperationalError("UPDATE", {}, psycopg.errors.SerializationFailure("could not serialize")),
        exc.OperationalError("SELECT", {}, psycopg.errors.QueryCanceled("statement timeout")),
        ValueError("a bug"),
    ):
        assert store_error(error) is None


def test_a_logged_exception_is_one_line_without_verbose():
    from vaultward.cli.output import EscapingFormatter

    try:
        raise RuntimeError(f"boom postgresql://u:{PASSWORD}@db/x\nsecond line")
    except RuntimeError:
        record = logging.LogRecord(
            "vaultward", logging.ERROR, __file__, 1, "job %s failed", ("a",), sys.exc_info()
        )
    assert EscapingFormatter("%(message)s", tracebacks=False).format(record) == (
        "job a failed: RuntimeError: boom postgresql://u:[redacted]@db/x (the traceback with --verbose)"
    )
    assert "Traceback" in EscapingFormatter("%(message)s").format(record)


def test_a_missing_store_is_exit_3_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'nowhere.db'}"
    result = invoke("status", VAULTWARD_DATABASE_URL=url)
    assert result.exit_code == 3 and result.stderr.startswith(f"no store at {url}")


def test_an_unexpected_error_is_one_line_and_its_traceback_only_with_verbose(monkeypatch, tmp_path):
    def broken(*_args):
        raise RuntimeError(f"boom postgresql://u:{PASSWORD}@db/x")

    monkeypatch.setattr("vaultward.read.status.latest_status", broken)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).dispose()
    result = invoke("status", VAULTWARD_DATABASE_URL=url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "unexpected error: RuntimeError: boom postgresql://u:[redacted]@db/x (run with --verbose for the traceback)"
    ]
    verbose = invoke("status", "--verbose", VAULTWARD_DATABASE_URL=url)
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.stderr and 'raise RuntimeError(f"boom' in verbose.stderr
    assert verbose.stderr.strip().splitlines()[-1].startswith("unexpected error: RuntimeError")
    assert PASSWORD not in verbose.output


class BlockingCollector(StaticCollector):
    """Waits for the test at `stage` (listing its one scope, or collecting it): the store goes
    away meanwhile."""

    plan: ClassVar[dict[str, list]] = {"account": []}
    stage: ClassVar[str] = "listing"
    running = threading.Event()
    resume = threading.Event()

    def wait(self, stage: str) -> None:
        if stage == self.stage:
            self.running.set()
            assert self.resume.wait(30)

    def scopes(self) -> list[Scope]:
        self.wait("listing")
        return super().scopes()

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        self.wait("collecting")
        yield from super().collect(scope)


@pytest.fixture
def postgres_database() -> Iterator[tuple[str, Any]]:
    """(URL with a password, admin engine) of a throwaway migrated database."""
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among VAULTWARD_TEST_BACKENDS")
    name = f"vaultward_cli_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("://postgres@", f"://postgres:{PASSWORD}@")
    url = f"{base}/{name}"
    open_store(url).dispose()
    try:
        yield url, admin
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.mark.parametrize(
    ("stage", "refuse"),
    [("listing", True), ("collecting", True), ("collecting", False)],
    ids=["gone-while-listing", "gone-while-collecting", "restarted-while-collecting"],
)
def test_collect_whose_postgresql_backend_is_terminated_midway(postgres_database, monkeypatch, stage, refuse):
    """pg_terminate_backend while a collector runs: with the database refusing new
    connections too, exit 3 and a line naming the store; when it takes them again, the
    collection goes on."""
    url, admin = postgres_database
    name = url.rsplit("/", 1)[1]
    original = registry_module.discover

    def with_blocking_collector(*args, **kwargs):
        registry = original(*args, **kwargs)
        registry.collectors = {"static": BlockingCollector}
        return registry

    monkeypatch.setattr(registry_module, "discover", with_blocking_collector)
    monkeypatch.setattr(BlockingCollector, "stage", stage)
    BlockingCollector.running.clear()
    BlockingCollector.resume.clear()

    def attack() -> None:
        assert BlockingCollector.running.wait(30)
        with admin.connect() as connection:
            if refuse:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            terminated = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            ).scalar()
        assert terminated  # the CLI's connection was there to be cut
        BlockingCollector.resume.set()

    attacker = threading.Thread(target=attack)
    attacker.start()
    try:
        result = invoke("collect", "--source", "static", VAULTWARD_DATABASE_URL=url)
    finally:
        BlockingCollector.resume.set()
        attacker.join(30)
    if refuse:
        assert_clean_store_failure(result, url, "is PostgreSQL running", logged=stage == "collecting")
    else:
        assert result.exit_code == 0, result.output
        assert "collected 1 scope(s): 1 ok" in result.stdout
        assert "Traceback" not in result.output


def test_the_help_lists_the_exit_codes():
    result = invoke("--help")
    assert result.exit_code == 0
    for line in ("0  done", "2  configuration or usage error", "3  the store is missing, unreachable"):
        assert line in result.stdout
