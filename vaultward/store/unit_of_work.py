"""One unit of work: the caller opens it, store functions write through its Session, and it
commits once at the end (or rolls everything back on any error, a killed worker's SystemExit
too). Store functions never commit: several of them then share one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """`with unit_of_work(engine) as session:` commits when the block ends, rolls back when
    it raises. Rows the block returns stay readable afterwards (no expiry on commit)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def in_unit_of_work(
    engine: Engine, write: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`write(session, *args, **kwargs)` as a unit of work of its own, for a caller whose step
    is one store function (taking a lease, marking a task done); its result."""
    with unit_of_work(engine) as session:
        return write(session, *args, **kwargs)
