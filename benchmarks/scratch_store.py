"""Scratch stores for the benchmarks: a SQLite file in a temporary folder, or a fresh
database on a PostgreSQL server, dropped afterwards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_store(server_url: str | None, name: str) -> Iterator[str]:
    """The URL of an empty store named `name`: a SQLite file when `server_url` is None, else a
    database created on that PostgreSQL server (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
    and dropped on exit."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="vaultward-bench-") as folder:
            yield f"sqlite:///{Path(folder) / f'{name}.db'}"
        return
    database = f"vaultward_bench_{name}_{os.getpid()}".lower().replace("-", "_")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        yield make_url(server_url).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
