"""Every SaaS source against the demo's loopback fakes, with small pages, for fault tests:
which listing to break, and a collector whose waits are recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from collectors.bitgo import BitGoCollector
from collectors.crowdstrike import CrowdStrikeCollector
from collectors.entra import EntraCollector
from collectors.fireblocks import FireblocksCollector
from collectors.fleet import FleetCollector
from collectors.google_workspace import GoogleWorkspaceCollector
from collectors.internal_http import InternalHttpCollector
from collectors.intune import IntuneCollector
from collectors.jamf import JamfCollector
from collectors.knowbe4 import KnowBe4Collector
from collectors.okta import OktaCollector
from collectors.safe import SafeCollector
from demo.fakes.server import FakeApi
from demo.saas import DemoSaaS, saas_fakes
from vaultward.config.settings import Settings, parse_settings
from vaultward.contract.sdk import Collector, Scope

PAGE_SIZE = 2
# Fields that say when a collection ran (a phish-prone percentage's as_of, the span a
# sign-in log covers up to now): left out where two collections' records are compared.
COLLECTION_TIME = ("as_of", "covers_from", "covers_to")
READ_TIMEOUT = 0.3  # seconds; the stalled fake answers after STALL
STALL = 1.0
# Tests that stall no answer wait this long: on a loaded 2-core CI machine a fake's answer can
# take longer than READ_TIMEOUT, and a retry nobody injected breaks an exact retry count.
RELAXED_READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class Source:
    name: str
    collector: type[Collector]
    listing: str  # the path faults are injected under: the main paginated listing where there is one
    label: str = ""  # how errors name the source, when not by its name
    options: dict[str, Any] = field(default_factory=dict)  # small pages, where the client asks

    @property
    def prefix(self) -> str:
        return self.label or self.name


SOURCES = [
    Source("okta", OktaCollector, "/api/v1/users", options={"page_size": PAGE_SIZE}),
    Source("google_workspace", GoogleWorkspaceCollector, "/admin/directory/v1/users"),
    Source("entra", EntraCollector, "/v1.0/reports/authenticationMethods/userRegistrationDetails"),
    Source("knowbe4", KnowBe4Collector, "/v1/users", options={"page_size": PAGE_SIZE}),
    Source("safe", SafeCollector, "/tx-service/eth/api/v1/safes/"),  # one request per Safe, no listing
    Source("bitgo", BitGoCollector, "/api/v2/eth/wallet", options={"page_size": PAGE_SIZE}),
    Source("fireblocks", FireblocksCollector, "/v1/vault/accounts_paged", options={"page_size": PAGE_SIZE}),
    Source("internal_http", InternalHttpCollector, "/api/v2/employees", label="internal_http:hr_roster"),
    Source("intune", IntuneCollector, "/v1.0/deviceManagement/managedDevices"),
    Source("jamf", JamfCollector, "/api/v1/computers-inventory", options={"page_size": PAGE_SIZE}),
    Source("fleet", FleetCollector, "/api/v1/fleet/hosts", options={"page_size": PAGE_SIZE}),
    Source(
        "crowdstrike",
        CrowdStrikeCollector,
        "/devices/queries/devices-scroll/v1",
        options={"page_size": PAGE_SIZE},
    ),
]
BY_NAME = {source.name: source for source in SOURCES}


class ShortTimeouts(httpx.HTTPTransport):
    """Real HTTP to the fake, with a read timeout short enough for a test to wait out."""

    def __init__(self, read_timeout: float = READ_TIMEOUT) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions["timeout"] = httpx.Timeout(5.0, read=self.read_timeout).as_dict()
        return super().handle_request(request)


@pytest.fixture(scope="module")
def saas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSaaS]:
    with saas_fakes(tmp_path_factory.mktemp("saas"), "111111111111", page_size=PAGE_SIZE) as demo:
        yield demo


@pytest.fixture
def vendors(saas: DemoSaaS, monkeypatch: pytest.MonkeyPatch) -> DemoSaaS:
    """The fakes, their credentials in the environment, faults, logs and rate-limit windows
    cleared after: with retries the tests of a module would otherwise share one vendor
    window, and whichever ran last in a minute would meet the vendor's 429."""
    for name, value in saas.environment.items():
        monkeypatch.setenv(name, value)
    yield saas
    for fake in saas.fakes.values():
        fake.faults.clear()
        fake.log.clear()
        if fake.rate_limit is not None:
            fake.rate_limit.windows.clear()


def settings_for(saas: DemoSaaS, *names: str) -> Settings:
    sources: dict[str, Any] = {}
    for name in names:
        options = dict(saas.sources[name], **BY_NAME[name].options)
        if name == "internal_http":  # the roster's page size is the `limit` in its URL
            endpoint = dict(options["endpoints"][0])
            endpoint["url"] = f"{endpoint['url']}?limit={PAGE_SIZE}"
            options["endpoints"] = [endpoint]
        # These tests are about retries: no steady pace (tests/collectors/test_request_pacing.py
        # and tests/benchmarks/test_collect_saas.py test it), so tiny pages do not wait on it.
        sources[name] = {**options, "rate_limit_per_minute": 0}
    policy = {"people": {"signers": saas.signers}}
    return parse_settings({"sources": sources, "policy": policy})


def collector_for(
    saas: DemoSaaS,
    source: Source,
    waits: list[float],
    settings: Settings | None = None,
    read_timeout: float = RELAXED_READ_TIMEOUT,
):
    """The source's collector and its scope; retry waits go to `waits`, not to sleep. Tests
    that stall an answer pass `read_timeout=READ_TIMEOUT`."""
    instance: Any = source.collector(settings or settings_for(saas, source.name))
    instance.sleep = waits.append
    instance.transport = ShortTimeouts(read_timeout)
    scope: Scope = instance.scopes()[0]
    return instance, scope


def fake_of(saas: DemoSaaS, source: Source) -> FakeApi:
    return saas.fakes[source.name]


def requests_under(fake: FakeApi, path: str) -> list[int]:
    """Statuses the fake answered under `path`, in order (0: the connection was dropped)."""
    return [status for _, target, status in fake.log if httpx.URL(target).path.startswith(path)]


def data_dir(saas: DemoSaaS) -> Path:
    return Path(saas.environment["GOOGLE_SERVICE_ACCOUNT_FILE"]).parent


# The first request each collector sends under its main (or faulted) listing, as errors name
# it; and as sent, with its query (a malformed body's error says which page it was).
FIRST_REQUEST = {
    "okta": "GET /api/v1/users",
    "google_workspace": "GET /admin/directory/v1/users",
    "entra": "GET /v1.0/reports/authenticationMethods/userRegistrationDetails",
    "knowbe4": "GET /v1/users",
    "safe": "GET /tx-service/eth/api/v1/safes/0x7a3bc0FA1c2d4e5f60718293abcDeF0123456789/",
    "bitgo": "GET /api/v2/eth/wallet",
    "fireblocks": "GET /v1/vault/accounts_paged",
    "internal_http": "GET /api/v2/employees?limit=2",
    "intune": "GET /v1.0/deviceManagement/managedDevices",
    "jamf": "GET /api/v1/computers-inventory",
    "fleet": "GET /api/v1/fleet/hosts",
    "crowdstrike": "GET /devices/queries/devices-scroll/v1",
}
FIRST_SENT = {
    **FIRST_REQUEST,
    "okta": "GET /api/v1/users?limit=2",
    "google_workspace": "GET /admin/directory/v1/users?maxResults=500&projection=full&customer=C03acme01",
    "knowbe4": "GET /v1/users?page=1&per_page=2",
    "bitgo": "GET /api/v2/eth/wallet?limit=2&allTokens=true",
    "fireblocks": "GET /v1/vault/accounts_paged?limit=2",
    "intune": "GET /v1.0/deviceManagement/managedDevices?%24select=id%2CdeviceName%2CoperatingSystem%2CosVersion"
    "%2CcomplianceState%2CisEncrypted%2ClastSyncDateTime%2CuserPrincipalName%2CuserDisplayName%2CemailAddress"
    "%2CserialNumber%2CmanagedDeviceOwnerType",
    "jamf": "GET /api/v1/computers-inventory?section=GENERAL&section=HARDWARE&section=OPERATING_SYSTEM"
    "&section=DISK_ENCRYPTION&section=USER_AND_LOCATION&page-size=2&sort=id%3Aasc&page=0",
    "fleet": "GET /api/v1/fleet/hosts?page=0&per_page=2&order_key=id&order_direction=asc",
    "crowdstrike": "GET /devices/queries/devices-scroll/v1?limit=2",
}
