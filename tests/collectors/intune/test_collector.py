"""The intune collector end to end against the loopback Graph: the client-credentials token
(the entra source's variables), three pages each of the v1.0 managed devices and the beta
management states linked by @odata.nextLink, a 429 with Retry-After, a 5xx, a 401, a
refused secret, the permission not granted (403) on the main and on the side listing, a
malformed body, stored through run_scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.intune import IntuneCollector
from demo.fakes.entra import DEMO_CLIENT_ID, DEMO_TENANT_ID, graph_error, throttled
from demo.fakes.intune import demo_intune_data, make_intune_fake
from demo.fakes.server import Reply, Request
from tests.collectors.store_rows import assert_no_secret, stored
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import Device
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

SECRET = "Qx58Q~acme-intune-client-secret-7a1c"  # noqa: S105 - the fake's dummy credential
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.test-intune-token-3e9d"  # noqa: S105
DEVICES = "/v1.0/deviceManagement/managedDevices"
STATES = "/beta/deviceManagement/managedDevices"
TOKEN = f"/{DEMO_TENANT_ID}/oauth2/v2.0/token"
SELECT = (
    "id,deviceName,operatingSystem,osVersion,complianceState,isEncrypted,lastSyncDateTime,"
    "userPrincipalName,userDisplayName,emailAddress,serialNumber,managedDeviceOwnerType"
)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SCOPE = f"intune:{DEMO_TENANT_ID}"


@pytest.fixture
def fake():
    with make_fake() as api:
        yield api


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("ENTRA_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", SECRET)


def make_fake(**options):
    return make_intune_fake(demo_intune_data(NOW), SECRET, token=ACCESS_TOKEN, page_size=2, **options)


def collector(fake, sleeps: list[float] | None = None) -> IntuneCollector:
    section = {"tenant_id": DEMO_TENANT_ID, "graph_url": fake.base_url, "login_url": fake.base_url}
    instance = IntuneCollector(parse_settings({"sources": {"intune": section}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def expected(states_read: bool = True) -> list[Device]:
    """The demo tenant's devices, written from the demo's story: `states_read` False when the
    beta management states could not be read (managed unknown, none known retired)."""
    rows = [
        # n, device, serial, platform, OS, user, name, encrypted, compliant, failing, synced ago,
        # managementState's (managed, retired), anomalies
        (1, "ACME-ERIN-LT", "ERINLAP01", "windows", "10.0.26100.2454", "erin", "Erin Walsh", True, True,
         [], timedelta(hours=2), (True, False), []),
        (2, "ACME-FRANK-LT", "FRANKLAP7", "windows", "10.0.19045.5131", "frank", "Frank Osei", False,
         False, ["complianceState:noncompliant"], timedelta(days=1, hours=3), (True, False), []),
        (3, "Heidi's iPhone", "HEIDIPHN15", "ios", "18.1", "heidi", "Heidi Novak", True, True, [],
         timedelta(hours=5), (True, False), []),
        (4, "Judy's Pixel", "JUDYPIX8", "android", "15", "judy", "Judy Brennan", True, False,
         ["complianceState:inGracePeriod"], timedelta(hours=9), (True, False),
         ["managedDeviceOwnerType:personal"]),
        (5, "ACME-DAVE-MBP", "DAVEMBP21", "macos", "13.6.9", "dave", "Dave Kim", True, True, [],
         timedelta(days=12), (True, False), []),  # retirePending: not retired until it acts
    ]  # fmt: skip
    return [
        Device(
            key=f"intune:device:9d3f6b2a-1c4e-4f7a-8b0d-acme0000{n:04d}",
            name=name,
            scope=SCOPE,
            source="intune",
            device_id=f"9d3f6b2a-1c4e-4f7a-8b0d-acme0000{n:04d}",
            serial_number=serial,
            hostname=name,
            platform=platform,
            os_version=version,
            user=f"{user}@acme.example",
            user_name=person,
            managed=state[0] if states_read else None,
            encrypted=encrypted,
            compliant=compliant,
            failing_policies=failing,
            edr_running=None,  # Intune does not say: erin's laptop has no EDR the demo knows of
            last_seen_at=NOW - ago,
            retired=state[1] if states_read else False,
            anomalies=anomalies,
        )
        for n, name, serial, platform, version, user, person, encrypted, compliant, failing, ago, state, anomalies in rows
    ]


def devices(items) -> list[Device]:
    return [item for item in items if isinstance(item, Device)]


def test_collects_every_page_exactly(fake, credentials):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == SCOPE
    assert list(instance.collect(scope)) == expected()
    assert [(method, path.split("?")[0], status) for method, path, status in fake.log] == [
        ("POST", TOKEN, 200),
        *[("GET", STATES, 200)] * 3,
        *[("GET", DEVICES, 200)] * 3,
    ]
    queries = [path.partition("?")[2] for _, path, _ in fake.log[1:]]
    assert queries[0] == "%24select=id%2CmanagementState"
    assert queries[3] == "%24select=" + SELECT.replace(",", "%2C")
    # Graph's next links repeat $select beside the skip token; the client follows them as given.
    assert [query.split("&")[0] for query in queries[4:]] == [f"$select={SELECT}"] * 2
    assert all("$skiptoken=" in query for query in queries[1:3] + queries[4:])


def test_a_429_waits_as_retry_after_says_and_completes(fake, credentials):
    fake.inject(DEVICES, *throttled(7))
    sleeps: list[float] = []
    assert list(collector(fake, sleeps).collect(collector(fake).scopes()[0])) == expected()
    assert sleeps == [7.0]
    assert [status for _, path, status in fake.log if path.startswith(DEVICES)] == [429, 200, 200, 200]


def test_a_5xx_is_retried(fake, credentials):
    fake.inject(
        DEVICES, 503, body={"error": {"code": "ServiceUnavailable", "message": "Service Unavailable"}}
    )
    assert list(collector(fake).collect(collector(fake).scopes()[0])) == expected()
    assert [status for _, path, status in fake.log if path.startswith(DEVICES)] == [503, 200, 200, 200]


def test_a_401_fails_the_run_naming_the_variable_never_the_secret(engine, fake, credentials):
    body = {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}
    fake.inject(DEVICES, 401, body=body, times=2)  # refused again with a new token
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.error) == (
        "failed",
        f"ApiError: intune: GET {DEVICES}: HTTP 401, credentials refused (check the credential in "
        "ENTRA_CLIENT_SECRET)",
    )
    assert_no_secret(engine, outcome, SECRET, ACCESS_TOKEN)


def test_a_malformed_first_page_fails_the_run_and_earlier_facts_stand(engine, fake, credentials):
    first = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (first.status, first.items) == ("ok", 5)
    fake.inject(DEVICES, 200, body=b"<html>maintenance</html>", times=5)
    second = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert second.status == "failed"
    assert second.error == (
        f"ApiError: intune: GET {DEVICES}?%24select={SELECT.replace(',', '%2C')}: malformed JSON in the "
        "response (application/json, 24 bytes) after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert [fact.key for fact in facts] == [device.key for device in expected()]


def test_a_page_lost_midway_never_makes_a_complete_listing(engine, fake, credentials):
    answer = fake.handle

    def second_page_down(request: Request) -> Reply:
        """The second v1.0 page answers 503 on every attempt."""
        if request.path == DEVICES and "$skiptoken" in request.query:
            return Reply(503, {"error": {"code": "ServiceUnavailable", "message": "Service Unavailable"}})
        return answer(request)

    fake.handle = second_page_down
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    # What the first page held stands; the listing is incomplete, so the Run is partial.
    assert (outcome.status, outcome.items) == ("partial", 2)
    assert outcome.error is not None and "HTTP 503 after 5 attempts" in outcome.error
    _, facts = stored(engine)
    assert [fact.key for fact in facts] == [device.key for device in expected()[:2]]


def test_without_the_permission_the_run_fails(engine, credentials):
    with make_fake(permissions=()) as fake:
        outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error == (
        f"ApiError: intune: GET {DEVICES}: HTTP 403, credentials refused (check the credential in "
        "ENTRA_CLIENT_SECRET)"
    )
    assert [status for _, _, status in fake.log] == [200, 403, 403]  # token, beta states, devices


def test_management_states_refused_leave_managed_unknown_and_the_run_partial(engine, fake, credentials):
    fake.inject(STATES, 403, body=graph_error(403, "Forbidden", "Beta not allowed").body)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 5)
    assert outcome.error == (
        f"intune: GET {STATES}: HTTP 403, credentials refused (check the credential in ENTRA_CLIENT_SECRET)"
    )
    runs, facts = stored(engine)
    assert [gap["fields"] for gap in runs[0].gaps] == [["device.managed", "device.retired"]]
    assert [(fact.key, fact.data["managed"], fact.data["retired"]) for fact in facts] == [
        (device.key, None, False) for device in expected(states_read=False)
    ]


def test_a_device_without_an_id_is_skipped_with_a_problem(credentials):
    data = demo_intune_data(NOW)
    data["devices"].insert(1, {**data["devices"][0], "id": None})
    with make_intune_fake(data, SECRET, token=ACCESS_TOKEN, page_size=2) as fake:
        items = list(collector(fake).collect(collector(fake).scopes()[0]))
    assert devices(items) == expected()
    assert [(p.reason, p.kinds) for p in items if isinstance(p, Problem)] == [
        ("intune: a managed device without an id was skipped", ("device",))
    ]


def test_a_wrong_secret_is_refused_at_the_token_endpoint(engine, fake, monkeypatch):
    wrong = "Zz91Q~wrong-intune-secret-0c4d"  # noqa: S105
    monkeypatch.setenv("ACME_INTUNE_APP_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("ACME_INTUNE_SECRET", wrong)
    instance = collector(fake)
    instance.source = instance.source.model_copy(
        update={"credentials_env": {"client_id": "ACME_INTUNE_APP_ID", "client_secret": "ACME_INTUNE_SECRET"}}
    )
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.error == (
        f"ApiError: intune: POST {TOKEN}: HTTP 401, credentials refused (check the credential in "
        "ACME_INTUNE_SECRET)"
    )
    assert_no_secret(engine, outcome, wrong, SECRET)


def test_tenant_id_is_required_and_keys_are_checked():
    with pytest.raises(ConfigError, match=r"sources\.intune\.tenant_id"):
        IntuneCollector(parse_settings({"sources": {"intune": {}}}))
    with pytest.raises(ConfigError, match=r"sources\.intune\.client_secret"):
        IntuneCollector(parse_settings({"sources": {"intune": {"tenant_id": "t", "client_secret": "oops"}}}))


def test_credentials_default_to_the_entra_sources_and_the_permission_is_read_only():
    assert IntuneCollector.credentials == {
        "client_id": "ENTRA_CLIENT_ID",
        "client_secret": "ENTRA_CLIENT_SECRET",
    }
    assert IntuneCollector.permissions == ("DeviceManagementManagedDevices.Read.All",)
