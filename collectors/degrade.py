"""Degrading per endpoint: a request beside a source's main listing that fails (refused,
absent, broken, rate limited past its retries) leaves unknown only what it feeds, with a
`Problem` naming it, instead of throwing away everything the source read.

The main listing still fails the Run when it cannot be read at all, and so does a refused
credential (401) anywhere: a source that could read nothing is `failed`, not `partial`.
Likewise one raw item a mapper could not map leaves only its kind's listing incomplete
(`mapped`, `mapping_problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TypeVar

from collectors.http_api import ApiError
from vaultward.contract.records import Record
from vaultward.contract.sdk import IncompleteListing, Problem

T = TypeVar("T")
FAILURES = (ApiError, IncompleteListing)


def side_request(
    call: Callable[[], T], *, kinds: tuple[str, ...] = (), fields: tuple[str, ...] = ()
) -> Generator[Problem, None, T | None]:
    """`call()`'s answer, or None and one Problem when it fails (its error names the source
    and the request): the records of `kinds` may be missing, `fields` ("<kind>.<field>") are
    unknown. Use with `yield from`."""
    try:
        return call()
    except FAILURES as error:
        if _credentials_refused(error):
            raise
        yield Problem(str(error), kinds, fields)
        return None


def side_listing(
    records: Callable[[], Iterable[Record | Problem]], kinds: tuple[str, ...]
) -> Iterator[Record | Problem]:
    """The records of a listing beside the main one; if it breaks off, what was read stands
    and only `kinds` are marked incomplete."""
    try:
        yield from records()
    except FAILURES as error:
        if _credentials_refused(error):
            raise
        yield Problem(str(error), kinds)


def _credentials_refused(error: Exception) -> bool:
    """A refused credential (401) is refused everywhere: it fails the Run, naming it."""
    return isinstance(error, ApiError) and error.status == 401


def mapping_problems(record: Record | None, problems: Iterable[str], kind: str) -> Iterator[Problem]:
    """A mapper's problems with one raw item: a record it could not map leaves its kind's
    listing incomplete; one it kept with values it did not know (its `anomalies`) leaves the
    listing complete."""
    for reason in problems:
        yield Problem(reason, (kind,)) if record is None else Problem(reason, (), (f"{kind}.anomalies",))


def mapped(result: tuple[Record | None, list[str]], kind: str) -> Iterator[Record | Problem]:
    """A mapper's `(record or None, problems)`: the problems (`mapping_problems`), then the record."""
    record, problems = result
    yield from mapping_problems(record, problems, kind)
    if record is not None:
        yield record
