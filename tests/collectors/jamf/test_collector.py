"""The Jamf Pro collector end to end against the loopback fake: the client-credentials token
(fetched again once it would expire mid-listing), 0-based pages checked against totalCount, a
429 with Retry-After, a 5xx, a refused token or client secret, a malformed body, a lost or
short page, stored through run_scope on both stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from collectors.jamf import JamfCollector, mapper
from demo.fakes.jamf import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    INVENTORY_PATH,
    TOKEN_PATH,
    TOKEN_PREFIX,
    demo_jamf_data,
    make_jamf_fake,
)
from demo.fakes.server import Reply
from tests.collectors.store_rows import assert_no_secret, stored
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Device
from vaultward.contract.sdk import IncompleteListing, Problem
from vaultward.pipeline.collection import run_scope

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PAYLOAD = json.loads((Path(__file__).parent / "payloads" / "computers_inventory.json").read_text())
SECTIONS = "".join(
    f"section={name}&"
    for name in ("GENERAL", "HARDWARE", "OPERATING_SYSTEM", "DISK_ENCRYPTION", "USER_AND_LOCATION")
)


def inventory(page: int, size: int = 2) -> str:
    return f"{INVENTORY_PATH}?{SECTIONS}page-size={size}&sort={quote('id:asc')}&page={page}"


def dataset() -> dict:
    """The documented page's three computers and two of the demo's: five, three pages of two."""
    return {"computers": [*PAYLOAD["results"], *demo_jamf_data(NOW)["computers"][3:]]}


@pytest.fixture
def fake():
    with make_jamf_fake(dataset()) as api:
        yield api


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("JAMF_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("JAMF_CLIENT_SECRET", DEMO_CLIENT_SECRET)


def collector(fake, sleeps: list[float] | None = None, **options) -> JamfCollector:
    settings = parse_settings(
        {
            "sources": {
                "jamf": {"base_url": fake.base_url, "page_size": 2, "rate_limit_per_minute": 0, **options}
            }
        }
    )
    instance = JamfCollector(settings)
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def collect(fake, sleeps: list[float] | None = None) -> list:
    instance = collector(fake, sleeps)
    return list(instance.collect(instance.scopes()[0]))


def expected() -> list:
    items: list = []
    for raw in dataset()["computers"]:
        record, problems = mapper.map_computer(raw)
        items += [Problem(p, (), ("device.anomalies",)) for p in problems]
        items.append(record)
    return items


def test_collects_every_page_with_one_token(fake, credentials):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == "jamf:127.0.0.1:" + fake.base_url.rsplit(":", 1)[1]
    items = list(instance.collect(scope))
    assert items == expected()
    assert [item.key for item in items] == [f"jamf:device:{n}" for n in (1, 2, 3, 4, 5)]
    assert [(method, path) for method, path, _ in fake.log] == [
        ("POST", TOKEN_PATH),
        *[("GET", inventory(page)) for page in (0, 1, 2)],
    ]


def test_the_token_is_fetched_again_before_it_expires(credentials):
    """A listing that outlives one token (Jamf's lifetimes are minutes) goes on with a new one."""
    now = [1_000_000.0]
    with make_jamf_fake(dataset(), token_lifetime=60, clock=lambda: now[0]) as api:
        [(method, pattern, handler)] = [route for route in api.routes if route[0] == "GET"]

        def slow(request):  # every page takes 40 s of the fake's and the collector's time
            reply = handler(request)
            now[0] += 40
            return reply

        api.routes[api.routes.index((method, pattern, handler))] = (method, pattern, slow)
        instance = collector(api)
        instance.clock = lambda: now[0]
        items = list(instance.collect(instance.scopes()[0]))
        assert [item.key for item in items if isinstance(item, Device)] == [
            f"jamf:device:{n}" for n in range(1, 6)
        ]
        # page 0 at 0 s and page 1 at 40 s with the first token; page 2 at 80 s, past its 60 s,
        # with a second one fetched at 80 s (refreshed a quarter of its lifetime early).
        assert [(method, path.split("?")[0], status) for method, path, status in api.log] == [
            ("POST", TOKEN_PATH, 200),
            ("GET", INVENTORY_PATH, 200),
            ("GET", INVENTORY_PATH, 200),
            ("POST", TOKEN_PATH, 200),
            ("GET", INVENTORY_PATH, 200),
        ]


def test_a_token_the_server_refused_once_is_renewed_and_the_run_completes(engine, fake, credentials):
    """A token refused before its `expires_in` (revoked, or the API client's lifetime changed):
    one 401, a new token, the same page again."""
    fake.inject(INVENTORY_PATH, 401, body={"httpStatus": 401, "errors": [{"code": "INVALID_TOKEN"}]})
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.error) == ("ok", None)
    assert [(method, path.split("?")[0], status) for method, path, status in fake.log][:4] == [
        ("POST", TOKEN_PATH, 200),
        ("GET", INVENTORY_PATH, 401),
        ("POST", TOKEN_PATH, 200),
        ("GET", INVENTORY_PATH, 200),
    ]


def test_an_expired_token_the_server_refuses_fails_the_run_naming_the_variable(engine, fake, credentials):
    # refused again with a new token: the credential is refused
    fake.inject(INVENTORY_PATH, 401, body={"httpStatus": 401, "errors": [{"code": "INVALID_TOKEN"}]}, times=2)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("failed", 0)
    assert outcome.error == (
        f"ApiError: jamf: GET {INVENTORY_PATH}: HTTP 401, credentials refused "
        "(check the credential in JAMF_CLIENT_SECRET)"
    )
    assert_no_secret(engine, outcome, DEMO_CLIENT_SECRET, TOKEN_PREFIX)


def test_a_refused_client_secret_fails_the_run_naming_the_variables(engine, fake, monkeypatch):
    monkeypatch.setenv("JAMF_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("JAMF_CLIENT_SECRET", "rotated-away-secret")
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("failed", 0)
    assert outcome.error == (
        f"ApiError: jamf: POST {TOKEN_PATH}: HTTP 401, credentials refused (check the credential in JAMF_CLIENT_SECRET)"
    )
    assert_no_secret(engine, outcome, "rotated-away-secret", DEMO_CLIENT_ID)


def test_429_waits_as_retry_after_says(fake, credentials):
    fake.inject(INVENTORY_PATH, 429, {"Retry-After": "3"}, {"httpStatus": 429, "errors": []})
    sleeps: list[float] = []
    assert collect(fake, sleeps) == expected()
    assert sleeps == [3.0]
    assert [status for _, path, status in fake.log if path.startswith(INVENTORY_PATH)] == [429, 200, 200, 200]


def test_5xx_is_retried(fake, credentials):
    fake.inject(INVENTORY_PATH, 503, body="<html>Service Unavailable</html>", times=2)
    sleeps: list[float] = []
    assert collect(fake, sleeps) == expected()
    assert len(sleeps) == 2


def test_a_malformed_main_listing_fails_the_run_and_keeps_earlier_facts(engine, fake, credentials):
    first = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (first.status, first.items, first.error) == ("ok", 5, None)
    fake.inject(INVENTORY_PATH, 200, body=b"<html>maintenance</html>", times=5)
    second = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert second.status == "failed"
    assert second.error == (
        f"ApiError: jamf: GET {inventory(0)}: malformed JSON in the response (application/json, 24 bytes) "
        "after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert sorted(fact.key for fact in facts) == [f"jamf:device:{n}" for n in range(1, 6)]


@pytest.mark.parametrize(
    "body",
    [{"results": []}, {"totalCount": "5", "results": []}, {"totalCount": 5, "results": {"id": "1"}}, [1, 2]],
)
def test_a_body_not_shaped_as_documented_fails_the_run(engine, fake, credentials, body):
    fake.inject(INVENTORY_PATH, 200, body=body)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.status == "failed" and outcome.error.startswith(
        f"ApiError: jamf: GET {INVENTORY_PATH}: expected"
    )


def test_a_page_lost_after_its_retries_leaves_the_run_partial(engine, fake, credentials):
    instance = collector(fake)
    items = instance.collect(instance.scopes()[0])
    assert [next(items).key, next(items).key] == ["jamf:device:1", "jamf:device:2"]  # page 0
    fake.inject(INVENTORY_PATH, 500, body={"httpStatus": 500, "errors": []}, times=5)
    with pytest.raises(
        IncompleteListing, match=r"HTTP 500 after 5 attempts \(page 2; the listing is incomplete\)"
    ):
        list(items)


def serve_short(fake, total: int) -> None:
    """Pages past the first empty, under a totalCount of `total`: a listing that came up short."""
    [(method, pattern, handler)] = [route for route in fake.routes if route[0] == "GET"]

    def short(request):
        reply = handler(request)
        results = reply.body["results"] if request.query.get("page") == "0" else []
        return Reply(200, {"totalCount": total, "results": results})

    fake.routes[fake.routes.index((method, pattern, handler))] = (method, pattern, short)


def test_a_short_listing_is_never_complete(engine, fake, credentials):
    serve_short(fake, 5)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 2)
    assert outcome.error.startswith(
        f"jamf: GET {INVENTORY_PATH}: page 1 is empty after 2 of the 5 computers totalCount reports; "
        "the listing is incomplete"
    )


def test_an_inventory_that_changes_while_read_is_incomplete(credentials):
    """A Mac deleted between pages shifts the later pages: one may be skipped unseen."""
    data = dataset()
    with make_jamf_fake(data) as api:
        instance = collector(api)
        listing = instance.collect(instance.scopes()[0])
        assert [next(listing).key, next(listing).key] == ["jamf:device:1", "jamf:device:2"]
        del data["computers"][0]
        with pytest.raises(
            IncompleteListing, match="totalCount changed from 5 to 4 while the pages were read"
        ):
            list(listing)


def test_demo_data_tells_the_acme_story(credentials):
    with make_jamf_fake(demo_jamf_data(NOW)) as api:
        items = collect(api)
    assert not [item for item in items if isinstance(item, Problem)]
    devices = {(d.user or "(none)"): d for d in items if isinstance(d, Device)}
    summary = {
        user: (d.serial_number, d.encrypted, d.managed, d.os_version, NOW - d.last_seen_at)
        for user, d in devices.items()
    }
    assert summary == {
        "alice@acme.example": ("C02ALICE01", True, True, "15.1", timedelta(hours=2)),
        "bob@acme.example": ("C02BOB0001", False, True, "14.7", timedelta(hours=20)),
        "grace@acme.example": ("C02GRACE01", True, True, "15.1", timedelta(days=12)),  # stale
        "heidi@acme.example": ("C02HEIDI01", True, True, "15.1", timedelta(hours=5)),
        "(none)": ("C02LAB0001", True, True, "14.7", timedelta(hours=30)),  # the lab iMac
    }
    assert {d.platform for d in devices.values()} == {"macos"}
