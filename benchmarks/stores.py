"""Scratch stores for the benchmarks: a SQLite file in a folder, or a fresh database on a
PostgreSQL server, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_store(server_url: str | None, folder: Path, name: str) -> Iterator[str]:
    """The URL of an empty store: `folder/<name>.db` on SQLite when `server_url` is None, else
    a new database on that PostgreSQL server (dropped on exit)."""
    if server_url is None:
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    database = f"vaultward_bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(server_url).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
