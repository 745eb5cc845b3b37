"""SQLite's page cache: a pooled connection keeps a modest one; the evaluation's findings
write takes 64 MiB for its transaction and gives it back (a process that read and wrote
100,000 facts once held some 64 MiB per pooled connection for good)."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session

from tests.factories import make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import FINDINGS_CACHE_MIB, evaluate
from vaultward.store.db import SQLITE_CACHE_KIB, page_cache


def cache_kib(session: Session) -> int:
    return -int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_a_block_takes_the_larger_cache_and_gives_it_back_even_when_it_fails(engine):
    if engine.dialect.name != "sqlite":
        with Session(engine) as session, page_cache(session, 64):
            assert session.connection().exec_driver_sql("SELECT 1").scalar_one() == 1  # nothing to set
        return
    with Session(engine) as session:
        assert cache_kib(session) == SQLITE_CACHE_KIB
        with page_cache(session, 64):
            assert cache_kib(session) == 64 * 1024
        assert cache_kib(session) == SQLITE_CACHE_KIB
        with pytest.raises(ZeroDivisionError), page_cache(session, 32):
            assert cache_kib(session) == 32 * 1024
            _ = 1 / 0
        assert cache_kib(session) == SQLITE_CACHE_KIB


def test_the_evaluation_writes_its_findings_with_the_larger_cache(engine):
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    collect(Settings(), engine, registry := registry_with({"aws:1": [make_identity(key="alice")]}))
    statements.clear()
    assert evaluate(Settings(), engine, registry).findings
    pragmas = [n for n, s in enumerate(statements) if s.startswith("PRAGMA cache_size=")]
    if engine.dialect.name != "sqlite":  # PostgreSQL COPYs the findings, with the server's buffers
        assert pragmas == []
        return
    findings = [n for n, s in enumerate(statements) if s.startswith("INSERT INTO finding")]
    assert [statements[n] for n in pragmas] == [
        f"PRAGMA cache_size=-{FINDINGS_CACHE_MIB * 1024}",
        f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}",
    ]
    assert pragmas[0] < findings[0] and findings[-1] < pragmas[1]
