"""The CrowdStrike collector end to end against the loopback fake: the client-credentials
token, offset-token pages of host ids and their details in batches, a 429 with Falcon's
X-RateLimit-* headers, a 5xx, a refused token and a refused secret, a malformed body, a page
lost after the first, hosts listed without details; stored through run_scope."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from collectors.crowdstrike import CrowdStrikeCollector, mapper
from demo.fakes.crowdstrike import (
    DEMO_CLIENT_ID,
    DEMO_TOKEN,
    demo_crowdstrike_data,
    envelope,
    falcon_rate_limit,
    make_crowdstrike_fake,
)
from tests.collectors.crowdstrike.payloads import hosts
from tests.collectors.store_rows import assert_no_secret, stored
from vaultward.config.errors import ConfigError
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Device
from vaultward.contract.sdk import IncompleteListing, Problem
from vaultward.pipeline.collection import run_scope

SECRET = "falcon-test-secret-9d2c"  # noqa: S105 - the fake's dummy credential
SCROLL = "/devices/queries/devices-scroll/v1"
DETAILS = "/devices/entities/devices/v2"


def dataset() -> dict:
    """The documented hosts and copies of them: seven hosts, four pages of two."""
    documented = hosts()
    copies = [
        dict(documented[n % 3], device_id=f"{n:02d}" + "ab" * 15, hostname=f"copy-{n}") for n in range(4)
    ]
    return {"hosts": [*documented, *copies]}


@pytest.fixture
def fake():
    with make_crowdstrike_fake(dataset(), client_secret=SECRET) as api:
        yield api


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("CROWDSTRIKE_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("CROWDSTRIKE_CLIENT_SECRET", SECRET)


def collector(fake, sleeps: list[float] | None = None, **options) -> CrowdStrikeCollector:
    # Pages of two make many requests: no steady pace here (its tests are elsewhere).
    source = {"base_url": fake.base_url, "page_size": 2, "rate_limit_per_minute": 0, **options}
    instance = CrowdStrikeCollector(parse_settings({"sources": {"crowdstrike": source}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def collect(instance: CrowdStrikeCollector) -> list:
    return list(instance.collect(instance.scopes()[0]))


def expected() -> list[Device]:
    return [record for record, _ in map(mapper.map_device, dataset()["hosts"]) if record is not None]


def test_collects_every_page_with_its_details(fake, credentials):
    items = collect(collector(fake))
    assert items == expected()
    assert len(items) == 7
    log = [(method, path.split("?")[0], status) for method, path, status in fake.log]
    assert log == [
        ("POST", "/oauth2/token", 201),
        *[("GET", SCROLL, 200), ("POST", DETAILS, 200)] * 4,
    ]
    scrolls = [path for _, path, _ in fake.log if path.startswith(SCROLL)]
    assert scrolls[0] == f"{SCROLL}?limit=2"  # no offset on the first call
    assert all("offset=" in path for path in scrolls[1:])
    assert len(set(scrolls)) == 4


def test_cloud_picks_the_api_host():
    hosts_by_cloud = {
        "us-1": "https://api.crowdstrike.com",
        "us-2": "https://api.us-2.crowdstrike.com",
        "eu-1": "https://api.eu-1.crowdstrike.com",
        "us-gov-1": "https://api.laggar.gcw.crowdstrike.com",
    }
    for cloud, url in hosts_by_cloud.items():
        [scope] = CrowdStrikeCollector(
            parse_settings({"sources": {"crowdstrike": {"cloud": cloud}}})
        ).scopes()
        assert (scope.id, scope.params["base_url"]) == (f"crowdstrike:{cloud}", url)
    with pytest.raises(ConfigError, match="sources.crowdstrike.cloud: Input should be 'us-1', 'us-2'"):
        _ = CrowdStrikeCollector(parse_settings({"sources": {"crowdstrike": {"cloud": "mars-1"}}})).options


def test_429_waits_until_x_ratelimit_retryafter(fake, credentials):
    retry_at = int(time.time()) + 3
    headers = {
        "X-RateLimit-Limit": "6000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-RetryAfter": str(retry_at),
    }
    fake.inject(DETAILS, 429, headers, envelope([], [{"code": 429, "message": "API rate limit exceeded."}]))
    sleeps: list[float] = []
    assert collect(collector(fake, sleeps)) == expected()
    assert len(sleeps) == 1 and 1 < sleeps[0] <= 3  # epoch seconds, not seconds to wait
    assert [status for _, path, status in fake.log if path.startswith(DETAILS)][:2] == [429, 200]


def test_the_customers_rate_limit_is_waited_out(credentials):
    """The fake's own limit (Falcon's headers on every answer, its 429 past the limit): the
    collector waits as X-RateLimit-RetryAfter says and reads everything."""

    class Clock:
        value = time.time()

        def now(self) -> float:
            return self.value

        def sleep(self, seconds: float) -> None:
            sleeps.append(seconds)
            self.value += seconds

    sleeps: list[float] = []
    clock = Clock()
    with make_crowdstrike_fake(dataset(), client_secret=SECRET, rate_limit=falcon_rate_limit(5)) as api:
        api.clock = clock.now
        instance = collector(api)
        instance.sleep = clock.sleep
        assert collect(instance) == expected()
        refused = [status for _, _, status in api.log if status == 429]
    assert refused and len(sleeps) == len(refused)
    assert all(55 < s <= 62 for s in sleeps)  # the window's end, not a backoff guess


def test_5xx_is_retried(fake, credentials):
    fake.inject(SCROLL, 503, body=envelope([], [{"code": 503, "message": "Service Unavailable"}]), times=2)
    sleeps: list[float] = []
    assert collect(collector(fake, sleeps)) == expected()
    assert [status for _, path, status in fake.log if path.startswith(SCROLL)][:3] == [503, 503, 200]
    assert len(sleeps) == 2


def test_a_refused_token_fails_the_run_naming_the_variable(engine, fake, credentials):
    """Refused again with a new token: the credential is refused."""
    fake.inject(
        SCROLL,
        401,
        body=envelope([], [{"code": 401, "message": "access denied, invalid bearer token"}]),
        times=2,
    )
    instance = collector(fake)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("failed", 0)
    assert outcome.error == (
        f"ApiError: crowdstrike: GET {SCROLL}: HTTP 401, credentials refused "
        "(check the credential in CROWDSTRIKE_CLIENT_SECRET)"
    )
    assert_no_secret(engine, outcome, SECRET, DEMO_TOKEN)


def test_a_refused_client_secret_fails_the_run_naming_the_variable(engine, fake, monkeypatch):
    monkeypatch.setenv("CROWDSTRIKE_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("CROWDSTRIKE_CLIENT_SECRET", "not-the-secret")
    instance = collector(fake)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("failed", 0)
    assert outcome.error == (
        "ApiError: crowdstrike: POST /oauth2/token: HTTP 403, credentials refused "
        "(check the credential in CROWDSTRIKE_CLIENT_SECRET)"
    )
    assert [path for _, path, _ in fake.log] == ["/oauth2/token"]
    assert_no_secret(engine, outcome, "not-the-secret")


def test_a_malformed_main_listing_fails_the_run_and_keeps_earlier_facts(engine, fake, credentials):
    instance = collector(fake)
    first = run_scope(engine, instance, instance.scopes()[0])
    assert (first.status, first.items) == ("ok", 7)
    fake.inject(SCROLL, 200, {"Content-Type": "text/html"}, b"<html>maintenance</html>", times=5)
    second = run_scope(engine, instance, instance.scopes()[0])
    assert second.status == "failed"
    assert second.error == (
        f"ApiError: crowdstrike: GET {SCROLL}?limit=2: malformed JSON in the response "
        "(text/html, 24 bytes) after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    # JSON, but not the documented envelope: no pagination to page by
    fake.inject(SCROLL, 200, body={"resources": ["4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5"]})
    third = run_scope(engine, instance, instance.scopes()[0])
    assert (
        third.error == f"ApiError: crowdstrike: GET {SCROLL}: no meta.pagination with a total in the answer"
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "failed", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert sorted(fact.key for fact in facts) == sorted(device.key for device in expected())


def test_a_page_lost_after_the_first_leaves_the_listing_incomplete(engine, fake, credentials):
    items = collector(fake).collect(collector(fake).scopes()[0])
    first_page = [next(items), next(items)]
    assert first_page == expected()[:2]
    fake.inject(DETAILS, 503, times=5)
    with pytest.raises(
        IncompleteListing, match=r"POST /devices/entities/devices/v2: HTTP 503 after 5 attempts"
    ):
        list(items)


def test_a_lost_page_makes_the_run_partial(engine, fake, credentials):
    fake.inject(
        SCROLL,
        200,
        body=envelope(["4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5"], pagination={"total": 7, "offset": "A"}),
    )
    fake.inject(SCROLL, 500, times=5)  # the next page: every attempt fails
    instance = collector(fake)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 1)
    assert "the listing is incomplete" in (outcome.error or "")


def test_hosts_listed_without_details_leave_devices_incomplete(fake, credentials):
    documented = hosts()
    fake.inject(DETAILS, 200, body=envelope([documented[0]], [{"code": 404, "message": "not found"}]))
    items = collect(collector(fake))
    problems = [item for item in items if isinstance(item, Problem)]
    assert problems == [
        Problem(
            "crowdstrike: 1 host(s) listed without details (6a7b8c9d0e1f42a3b4c5d6e7f8091a2b)", ("device",)
        )
    ]
    assert [item.key for item in items if isinstance(item, Device)] == [
        d.key for d in expected() if d.device_id != documented[1]["device_id"]
    ]


def test_an_unknown_status_is_an_anomaly_and_the_run_partial(engine, credentials):
    data = {"hosts": [dict(hosts()[0], status="quarantined")]}
    with make_crowdstrike_fake(data, client_secret=SECRET) as api:
        instance = collector(api)
        outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 1)
    assert outcome.error == (
        "crowdstrike host 4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5 (FIN-LT-0042): "
        "unknown status 'quarantined': containment and sensor health unknown"
    )


def test_demo_data_tells_the_acme_story(credentials):
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    with make_crowdstrike_fake(demo_crowdstrike_data(now), client_secret=SECRET) as api:
        items = collect(collector(api))
    assert not [item for item in items if isinstance(item, Problem)]
    devices = {(d.user, d.hostname): d for d in items if isinstance(d, Device)}
    assert sorted(devices) == [
        ("ACME\\carol", "CAROL-LT"),  # a Windows login: the demo's alias table maps it to Carol
        ("alice@acme.example", "ALICE-MBP"),
        ("bob@acme.example", "BOB-MBP"),
        ("dave@acme.example", "DAVE-MBP"),
        ("grace@acme.example", "GRACE-HOME"),
        ("grace@acme.example", "GRACE-MBP"),
        ("ivan@acme.example", "ivan-thinkpad"),
        ("mallory@acme.example", "MALLORY-PC"),
    ]  # erin has no sensor anywhere
    assert {key[1]: d.serial_number for key, d in devices.items()}.items() >= {
        "ALICE-MBP": "C02ALICE01",
        "BOB-MBP": "C02BOB0001",
        "GRACE-MBP": "C02GRACE01",
        "GRACE-HOME": "GRACEHOME01",
    }.items()
    assert {key[1] for key, d in devices.items() if not d.edr_running} == {"DAVE-MBP", "MALLORY-PC"}
    assert {key[1] for key, d in devices.items() if d.contained} == {"MALLORY-PC"}
    assert devices[("dave@acme.example", "DAVE-MBP")].failing_policies == [
        "sensor in reduced functionality mode"
    ]
    assert devices[("grace@acme.example", "GRACE-HOME")].platform == "windows"
    assert all(d.managed is None and d.edr_policy for d in devices.values())
    assert all(now - timedelta(days=2) < d.last_seen_at <= now for d in devices.values() if d.last_seen_at)


def test_a_host_listed_twice_is_kept_once(credentials):
    documented = hosts()
    with make_crowdstrike_fake({"hosts": [*documented, documented[0]]}, client_secret=SECRET) as api:
        items = collect(collector(api))
    assert [item.key for item in items] == [device.key for device in expected()[:3]]
