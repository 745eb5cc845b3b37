"""Engines and schema: created by functions, never at import. Alembic owns the schema."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)


def load_json(text: str | bytes) -> Any:
    """JSON columns as read back: orjson (several times faster than the standard library,
    which was a third of loading 100,000 identities' facts), falling back to the standard
    library for what orjson refuses (NaN, integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


SQLITE_CACHE_KIB = 8 * 1024  # each SQLite connection's page cache (allocated as used)


@contextmanager
def page_cache(session: Session, mib: int) -> Iterator[None]:
    """A page cache of `mib` MiB for the session's SQLite connection while the block runs,
    given back after (a pooled connection otherwise keeps what it filled for as long as it
    lives: a process whose Runs read and wrote 100,000 facts held some 64 MiB per connection,
    benchmarks/README.md). Nothing on PostgreSQL, whose buffers are the server's."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{mib * 1024}")
    try:
        yield
    finally:
        # Memory only: a connection the block broke keeps the larger cache until it is closed.
        with suppress(SQLAlchemyError):
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            connection.exec_driver_sql("PRAGMA shrink_memory")


def make_engine(url: str, busy_timeout_seconds: float = 30.0) -> Engine:
    """An engine for the store. SQLite gets WAL and a busy timeout so the worker, the CLI and
    the dashboard can share one file; its folder is created. PostgreSQL connections are
    checked before use, so the engine recovers after the server went away."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_seconds, "check_same_thread": False},
            hide_parameters=True,
            json_deserializer=load_json,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # pragma: no cover - exercised via engine use
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # A modest page cache per pooled connection, for as long as it lives; a write that
            # needs more takes it for its transaction (`page_cache`).
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cursor.close()

        return engine
    # hide_parameters: facts stay out of errors.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, json_deserializer=load_json)


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", "vaultward.store:migrations")
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration; returns (before, after) revisions."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    after = current_revision(engine)
    if before != after:
        log.info("database schema upgraded from %s to %s", before or "empty", after)
    return before, after


def open_store(url: str) -> Engine:
    """An engine whose schema is current: migrations run automatically on first use."""
    engine = make_engine(url)
    if current_revision(engine) != head_revision(engine):
        upgrade(engine)
    return engine


def store_exists(url: str) -> bool:
    """Whether the store at `url` was ever created (a SQLite file, a schema on a server),
    asked without creating anything. A server that cannot be reached raises."""
    if url.startswith("sqlite"):
        path = make_url(url).database  # without its query (?mode=ro); None or "" in memory
        return not path or path == ":memory:" or Path(path).exists()
    engine = make_engine(url)
    try:
        return current_revision(engine) is not None
    finally:
        engine.dispose()


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"
