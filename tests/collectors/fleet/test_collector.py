"""The Fleet collector end to end against the loopback fake: hosts in numbered pages from
page 0, a 429 with Fleet's rate-limit headers, a 5xx, a refused token, a malformed body, a
per-host side request that fails, stored through run_scope on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.fleet import FleetCollector, mapper
from demo.fakes.fleet import demo_fleet_data, listed, make_fleet_fake
from demo.fakes.server import RateLimit, Reply
from tests.collectors.fleet.payloads import load
from tests.collectors.store_rows import stored
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Device
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

TOKEN = "fleet-test-token-3c9e1b"  # noqa: S105 - the fake's dummy credential
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOSTS = "/api/v1/fleet/hosts"
LISTING = "order_key=id&order_direction=asc"
IDS = range(101, 108)


@pytest.fixture
def data():
    return demo_fleet_data(NOW)


@pytest.fixture
def fake(data):
    with make_fleet_fake(data, token=TOKEN) as api:
        yield api


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("FLEET_API_TOKEN", TOKEN)
    return TOKEN


def collector(fake, sleeps: list[float] | None = None, **options) -> FleetCollector:
    settings = parse_settings(
        {
            "sources": {
                "fleet": {"base_url": fake.base_url, "page_size": 2, "rate_limit_per_minute": 0, **options}
            }
        }
    )
    instance = FleetCollector(settings)
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def collect(fake, sleeps: list[float] | None = None, **options) -> list:
    instance = collector(fake, sleeps, **options)
    return list(instance.collect(instance.scopes()[0]))


def expected(data) -> list[Device]:
    records = []
    for host in data["hosts"]:
        record, problems = mapper.map_host(listed(host), host, data["device_mapping"][host["id"]])
        assert record is not None and problems == []
        records.append(record)
    return records


def paths(fake) -> list[str]:
    return [path for _, path, _ in fake.log]


def side_requests(host_id: int) -> list[str]:
    return [f"{HOSTS}/{host_id}?exclude_software=true", f"{HOSTS}/{host_id}/device_mapping"]


def test_collects_every_page_and_each_hosts_details_and_user(fake, token, data):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == f"fleet:{fake.base_url.removeprefix('http://')}"
    items = list(instance.collect(scope))
    assert items == expected(data)
    assert paths(fake) == [
        f"{HOSTS}?page=0&per_page=2&{LISTING}",
        *side_requests(101),
        *side_requests(102),
        f"{HOSTS}?page=1&per_page=2&{LISTING}",
        *side_requests(103),
        *side_requests(104),
        f"{HOSTS}?page=2&per_page=2&{LISTING}",
        *side_requests(105),
        *side_requests(106),
        f"{HOSTS}?page=3&per_page=2&{LISTING}",  # one host: a short page ends the listing
        *side_requests(107),
    ]


def test_a_full_last_page_is_followed_by_fleets_empty_page(fake, token, data):
    items = collect(fake, page_size=7)
    assert items == expected(data)
    listing = [path for path in paths(fake) if path.startswith(f"{HOSTS}?")]
    assert listing == [f"{HOSTS}?page=0&per_page=7&{LISTING}", f"{HOSTS}?page=1&per_page=7&{LISTING}"]


def test_a_429_with_fleets_headers_waits_as_it_says(fake, token, data):
    headers = {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "7",
        "Retry-After": "7",
    }
    fake.inject(f"{HOSTS}/103", 429, headers, {"message": "Too many requests", "errors": []})
    sleeps: list[float] = []
    assert collect(fake, sleeps) == expected(data)
    assert sleeps == [7.0]


def test_the_fakes_rate_limit_answers_with_fleets_429(token, data):
    clock = [1000.0]
    with make_fleet_fake(data, token=TOKEN, rate_limit=RateLimit(3)) as api:
        api.clock = lambda: clock[0]
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            clock[0] += seconds

        instance = collector(api)
        instance.sleep = sleep
        instance.clock = lambda: clock[0]
        items = list(instance.collect(instance.scopes()[0]))
    assert items == expected(data)
    assert sleeps and all(wait == 60.0 for wait in sleeps)  # Retry-After: the window's reset
    refused = [status for _, _, status in api.log if status == 429]
    assert len(refused) == len(sleeps)


def test_a_5xx_is_retried(fake, token, data):
    fake.inject(HOSTS, 502, body={"message": "Bad gateway"}, times=2)
    sleeps: list[float] = []
    assert collect(fake, sleeps) == expected(data)
    assert len(sleeps) == 2
    assert [status for _, _, status in fake.log[:3]] == [502, 502, 200]


@pytest.mark.parametrize("path", [HOSTS, f"{HOSTS}/104/device_mapping"])
def test_a_refused_token_fails_the_run_naming_the_variable(engine, fake, token, path):
    fake.inject(path, 401, body={"message": "Authentication required", "errors": []})
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("failed", 0)
    sent = "GET /api/v1/fleet/hosts" if path == HOSTS else f"GET {path}"
    assert outcome.error == (
        f"ApiError: fleet: {sent}: HTTP 401, credentials refused (check the credential in FLEET_API_TOKEN)"
    )
    assert TOKEN not in outcome.error


def test_a_malformed_listing_fails_the_run_and_keeps_earlier_facts(engine, fake, token, data):
    first = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (first.status, first.items) == ("ok", 7)
    fake.inject(HOSTS, 200, {"Content-Type": "text/html"}, b"<html>maintenance</html>", times=5)
    second = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert second.status == "failed"
    assert second.error == (
        f"ApiError: fleet: GET {HOSTS}?page=0&per_page=2&{LISTING}: malformed JSON in the response "
        "(text/html, 24 bytes) after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert sorted(fact.key for fact in facts) == [f"fleet:device:{n}" for n in IDS]


@pytest.mark.parametrize("body", [{"hosts": "none"}, {"host": []}, ["a list"]])
def test_a_listing_not_shaped_as_documented_fails_the_run(engine, fake, token, body):
    fake.inject(HOSTS, 200, body=body)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.status == "failed"
    assert (outcome.error or "").startswith(f"ApiError: fleet: GET {HOSTS}: expected")


def test_a_later_page_lost_leaves_the_listing_incomplete(engine, fake, token):
    original = fake.handle

    def handle(request):
        if request.path == HOSTS and request.query.get("page") == "2":
            return Reply(503, {"message": "unavailable"})
        return original(request)

    fake.handle = handle
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 4)
    assert outcome.error == (
        f"fleet: GET {HOSTS}: HTTP 503 after 5 attempts (page 3; the listing is incomplete)"
    )


def test_a_failing_side_request_leaves_only_its_fields_unknown(engine, fake, token, data):
    fake.inject(f"{HOSTS}/102", 403, body={"message": "forbidden", "errors": []})  # the details
    fake.inject(f"{HOSTS}/105/device_mapping", 404, body={"message": "Resource Not Found", "errors": []})
    items = collect(fake)
    problems = [item for item in items if isinstance(item, Problem)]
    assert problems == [
        Problem(
            f"fleet: GET {HOSTS}/102: HTTP 403, credentials refused (check the credential in FLEET_API_TOKEN)",
            (),
            ("device.compliant", "device.failing_policies", "device.encrypted"),
        ),
        Problem(
            f"fleet: GET {HOSTS}/105/device_mapping: HTTP 404: "
            '{"message": "Resource Not Found", "errors": []}',
            (),
            ("device.user",),
        ),
    ]
    records = {item.device_id: item for item in items if isinstance(item, Device)}
    assert sorted(records) == [str(n) for n in IDS]  # no host dropped
    bob, ivan = records["102"], records["105"]
    # bob's listing fields stand; what only the details say is unknown
    assert (bob.serial_number, bob.managed, bob.user) == ("C02BOB0001", True, "bob@acme.example")
    assert (bob.compliant, bob.failing_policies, bob.encrypted) == (None, [], None)
    assert (ivan.user, ivan.compliant, ivan.encrypted) == ("", True, True)
    want = {record.device_id: record for record in expected(data)}
    assert [r for key, r in records.items() if key not in ("102", "105")] == [
        r for key, r in want.items() if key not in ("102", "105")
    ]

    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("ok", 7)  # the faults were spent above


def test_a_malformed_side_answer_is_retried_then_leaves_its_field_unknown(fake, token):
    fake.inject(f"{HOSTS}/101/device_mapping", 200, {"Content-Type": "text/html"}, b"<html/>", times=5)
    items = collect(fake)
    [problem] = [item for item in items if isinstance(item, Problem)]
    assert problem.fields == ("device.user",)
    assert "malformed JSON in the response (text/html, 7 bytes) after 5 attempts" in problem.reason
    [alice] = [item for item in items if isinstance(item, Device) and item.device_id == "101"]
    assert (alice.user, alice.compliant) == ("", True)


def test_the_documented_examples_through_the_fake(token):
    details = load("host.json")["host"]
    ubuntu = load("host_by_identifier.json")["host"]
    data = {"hosts": [details, ubuntu], "device_mapping": {1: load("device_mapping.json")["device_mapping"]}}
    with make_fleet_fake(data, token=TOKEN) as api:
        items = collect(api)
    assert [(d.device_id, d.platform, d.managed, d.encrypted, d.compliant, d.user) for d in items] == [
        ("1", "linux", True, True, False, "user@example.com"),
        ("33", "linux", None, None, False, ""),  # no device mapping: nobody's
    ]


def test_scopes_need_the_server_url():
    assert FleetCollector(parse_settings({})).scopes() == []  # not configured
    with pytest.raises(ValueError, match="sources.fleet.base_url is not set"):
        FleetCollector(parse_settings({"sources": {"fleet": {}}})).scopes()


def test_demo_data_tells_the_acme_story(token, data):
    with make_fleet_fake(data, token=TOKEN) as api:
        items = collect(api)
    assert not [item for item in items if isinstance(item, Problem)]
    rows = {
        d.user or d.hostname: (
            d.serial_number,
            d.platform,
            d.os_version,
            d.managed,
            d.encrypted,
            d.compliant,
            tuple(d.failing_policies),
        )
        for d in items
    }
    assert rows == {
        "alice@acme.example": ("C02ALICE01", "macos", "macOS 15.1", True, True, True, ()),
        "bob@acme.example": ("C02BOB0001", "macos", "macOS 14.7", True, False, False, ("FileVault enabled",)),
        "carol@acme.example": ("C02CAROL01", "macos", "macOS 15.1", True, True, True, ()),
        "dave@acme.example": ("C02DAVE001", "macos", "macOS 15.0.1", True, True, True, ()),
        "ivan@acme.example": ("PF3IVAN01", "linux", "Ubuntu 24.04.1 LTS", None, True, True, ()),
        "erin@acme.example": ("ERIN-WS-01", "linux", "Ubuntu 20.04.6 LTS", False, True, True, ()),
        "ci-runner-01": (
            "",
            "linux",
            "Ubuntu 22.04.5 LTS",
            None,
            False,
            None,
            (),
        ),  # unmatched; a policy not run yet
    }
    assert all(d.edr_running is None for d in items)
    assert all(NOW - timedelta(hours=6) < d.last_seen_at <= NOW for d in items)
