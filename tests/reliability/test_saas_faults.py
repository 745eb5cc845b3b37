"""Every SaaS source against its loopback fake answering 429 (Retry-After), 500/502/503, a
stalled read, a reset connection, and a 200 whose body is not JSON (truncated, or a proxy's
HTML page): a few faults are retried (backoff with jitter, the
vendor's wait honoured) and the Run is ok; faults on every attempt stop after a bounded
number and fail the Run with the endpoint and the last error, as `vaultward status` shows."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from collectors.http_api import MAX_RATE_LIMIT_WAIT
from demo.fakes.server import Reply
from tests.reliability.saas_sources import (
    COLLECTION_TIME,
    FIRST_REQUEST,
    FIRST_SENT,
    READ_TIMEOUT,
    RELAXED_READ_TIMEOUT,
    SOURCES,
    STALL,
    Source,
    collector_for,
    fake_of,
    requests_under,
    saas,  # noqa: F401 - fixture
    settings_for,
    vendors,  # noqa: F401 - fixture
)
from vaultward.contract.records import Record
from vaultward.pipeline.collection import run_scope
from vaultward.pipeline.registry import discover
from vaultward.read.status import latest_status
from vaultward.store.models import Run

ATTEMPTS = 5  # HttpApi's max_attempts
TRUNCATED = b'{"data": [{"id": "00u1", "status": "ACT'
HTML = b"<!DOCTYPE html><html><title>502</title><body>Our service is under maintenance</body></html>"
FAULTS = {
    "429": Reply(429, {"error": "rate limited"}, {"Retry-After": "3"}),
    "500": Reply(500, {"error": "internal"}),
    "502": Reply(502, b"<html>Bad Gateway</html>"),
    "503": Reply(503, {"error": "unavailable"}),
    "read timeout": Reply(200, [], delay=STALL),
    "connection reset": Reply(reset=True),
    "truncated 200": Reply(200, TRUNCATED),
    "html 200": Reply(200, HTML, {"Content-Type": "text/html; charset=utf-8"}),
}


def read_timeout_for(fault: str) -> float:
    """Short only where the fault is a stall: elsewhere a slow answer on a loaded machine
    must not add a retry the test did not inject."""
    return READ_TIMEOUT if fault == "read timeout" else RELAXED_READ_TIMEOUT


# The last error as the Run names it, after the endpoint.
LAST_ERROR = {
    "429": f": rate limited (429) after {ATTEMPTS} attempts",
    "500": f": HTTP 500 after {ATTEMPTS} attempts",
    "502": f": HTTP 502 after {ATTEMPTS} attempts",
    "503": f": HTTP 503 after {ATTEMPTS} attempts",
    "read timeout": f" failed after {ATTEMPTS} attempts: ReadTimeout('timed out')",
    "connection reset": f" failed after {ATTEMPTS} attempts: ReadError('[Errno 104] Connection reset by peer')",
    "truncated 200": f": malformed JSON in the response (application/json, {len(TRUNCATED)} bytes) after "
    f"{ATTEMPTS} attempts: Unterminated string starting at: line 1 column 36 (char 35)",
    "html 200": f": malformed JSON in the response (text/html, {len(HTML)} bytes) after {ATTEMPTS} attempts: "
    "Expecting value: line 1 column 1 (char 0)",
}
# A malformed body is named with the query it was sent with (which page it was).
NAMED_WITH_QUERY = {"truncated 200", "html 200"}
# How the fake's log shows an attempt that met the fault (a dropped connection logs 0).
LOGGED = {
    "429": 429,
    "500": 500,
    "502": 502,
    "503": 503,
    "read timeout": 200,
    "connection reset": 0,
    "truncated 200": 200,
    "html 200": 200,
}
SOURCE_IDS = [source.name for source in SOURCES]


def comparable(items: list) -> list:
    """Items as (type, key, data), without the collection time some records carry."""
    rows = []
    for item in items:
        data = item.data() if isinstance(item, Record) else {"reason": item.reason}
        for name in COLLECTION_TIME:
            data.pop(name, None)
        rows.append((type(item).__name__, getattr(item, "key", ""), data))
    return rows


@pytest.fixture(scope="module")
def baseline(saas) -> dict[str, list]:  # noqa: F811 - fixture
    """Each source's items without faults."""
    import os

    saved = dict(os.environ)
    os.environ.update(saas.environment)
    try:
        items = {}
        for source in SOURCES:
            instance, scope = collector_for(saas, source, [])
            items[source.name] = list(instance.collect(scope))
            fake_of(saas, source).log.clear()
        return items
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_a_few_faults_are_retried_and_collection_completes(
    vendors,  # noqa: F811 - fixture
    baseline,
    source: Source,
    fault: str,
    caplog: pytest.LogCaptureFixture,
):
    fake = fake_of(vendors, source)
    fake.inject_reply(source.listing, FAULTS[fault], times=2)
    waits: list[float] = []
    instance, scope = collector_for(vendors, source, waits, read_timeout=read_timeout_for(fault))
    with caplog.at_level(logging.WARNING, logger="collectors.http_api"):
        items = list(instance.collect(scope))

    assert comparable(items) == comparable(baseline[source.name])
    assert requests_under(fake, source.listing)[:3] == [LOGGED[fault], LOGGED[fault], 200]
    if fault == "429":
        assert waits == [3.0, 3.0]  # the vendor's Retry-After, honoured
    else:  # exponential backoff (0.5s doubling) with jitter between 0.5x and 1.5x
        assert len(waits) == 2 and 0.25 <= waits[0] < 0.75 and 0.5 <= waits[1] < 1.5
    retries = [r.getMessage() for r in caplog.records if "; retry " in r.getMessage()]
    assert [message.split(": ", 1)[0] for message in retries] == [source.prefix, source.prefix]
    assert [message.rsplit("; ", 1)[1].split(" in ")[0] for message in retries] == [
        f"retry 1 of {ATTEMPTS - 1}",
        f"retry 2 of {ATTEMPTS - 1}",
    ]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_faults_on_every_attempt_fail_the_run_naming_the_endpoint(
    engine,
    vendors,  # noqa: F811 - fixture
    source: Source,
    fault: str,
):
    fake = fake_of(vendors, source)
    fake.inject_reply(source.listing, FAULTS[fault], times=ATTEMPTS)
    waits: list[float] = []
    instance, scope = collector_for(vendors, source, waits, read_timeout=read_timeout_for(fault))
    outcome = run_scope(engine, instance, scope)

    error = f"ApiError: {source.prefix}: {FIRST_REQUEST[source.name]}{LAST_ERROR[fault]}"
    if fault in NAMED_WITH_QUERY:
        error = f"ApiError: {source.prefix}: {FIRST_SENT[source.name]}{LAST_ERROR[fault]}"
    assert (outcome.status, outcome.items, outcome.error) == ("failed", 0, error)
    # Bounded: exactly ATTEMPTS tries, ATTEMPTS - 1 waits, then nothing more under that path.
    assert requests_under(fake, source.listing) == [LOGGED[fault]] * ATTEMPTS
    assert len(waits) == ATTEMPTS - 1
    assert max(waits) <= (3.0 if fault == "429" else 0.5 * 2 ** (ATTEMPTS - 2) * 1.5)
    with Session(engine) as session:
        [run] = session.exec(select(Run)).all()
    assert (run.collector, run.scope, run.status, run.error, run.item_count) == (
        source.name,
        scope.id,
        "failed",
        error,
        0,
    )
    # What `vaultward status` prints for the scope.
    settings = settings_for(vendors, source.name)
    rows = latest_status(settings, engine, discover()).runs
    assert [(row[0], row[1], row[2], row[4], row[5], row[6]) for row in rows] == [
        (source.name, scope.id, "failed", "0", "never collected", error)
    ]


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_a_rate_limit_asking_for_too_long_a_wait_fails_at_once(
    engine,
    vendors,  # noqa: F811 - fixture
    source: Source,
):
    fake = fake_of(vendors, source)
    fake.inject_reply(source.listing, Reply(429, {"error": "quota"}, {"Retry-After": "3600"}))
    waits: list[float] = []
    instance, scope = collector_for(vendors, source, waits)
    outcome = run_scope(engine, instance, scope)
    assert (outcome.status, outcome.error, waits) == (
        "failed",
        f"ApiError: {source.prefix}: {FIRST_REQUEST[source.name]}: rate limited (429); "
        f"the server asks to wait 3600s, longer than {MAX_RATE_LIMIT_WAIT:.0f}s",
        [],
    )
    assert requests_under(fake, source.listing) == [429]
