"""Intune managedDevice rows (a captured-shape v1.0 page and the beta management states) to
exact devices, and every documented value of complianceState, managementState and
managedDeviceOwnerType, table-driven."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from collectors.intune import mapper
from vaultward.contract.records import PLATFORMS, Device

PAYLOADS = Path(__file__).parent / "payloads"
ROW = {"id": "d1", "deviceName": "ACME-LT"}


def states() -> dict[str, str]:
    page = json.loads((PAYLOADS / "management_states.json").read_text())
    return {row["id"]: row["managementState"] for row in page["value"]}


def device(device_id: str, **fields) -> Device:
    return Device(key=f"intune:device:{device_id}", source="intune", device_id=device_id, **fields)


def test_every_row_shape_maps_exactly():
    page = json.loads((PAYLOADS / "managed_devices.json").read_text())
    prefix = "0b8d2f4e-6a1c-4e3b-9f70-acme0000010"
    assert [mapper.map_device(row, states()) for row in page["value"]] == [
        # Microsoft's own example: its placeholder operatingSystem is no platform we know.
        device(
            "705c034c-034c-705c-4c03-5c704c035c70",
            name="Device Name value",
            hostname="Device Name value",
            serial_number="Serial Number value",
            platform="other:Operating System value",
            os_version="Os Version value",
            user="user principal name value",
            user_name="User Display Name value",
            managed=True,
            encrypted=True,
            compliant=True,
            last_seen_at=datetime(2017, 1, 1, 8, 2, 49, 320597, tzinfo=UTC),
            anomalies=["operatingSystem:Operating System value"],
        ),
        # The UPN lower-cased, so Carol matches her other accounts.
        device(
            f"{prefix}1",
            name="ACME-CAROL-LT",
            hostname="ACME-CAROL-LT",
            serial_number="PF3XK2LM",
            platform="windows",
            os_version="10.0.22631.4460",
            user="carol@acme.example",
            user_name="Carol Lindqvist",
            managed=True,
            encrypted=False,
            compliant=False,
            failing_policies=["complianceState:noncompliant"],
            last_seen_at=datetime(2026, 11, 24, 8, 15, 2, 123456, tzinfo=UTC),
        ),
        device(
            f"{prefix}2",
            name="ACME-MAC-07",
            hostname="ACME-MAC-07",
            serial_number="C02FQ1ABMD6T",
            platform="macos",
            os_version="15.1.1 (24B91)",
            user="grace@acme.example",
            user_name="Grace Ito",
            managed=True,
            encrypted=True,
            compliant=False,
            failing_policies=["complianceState:inGracePeriod"],
            last_seen_at=datetime(2026, 11, 23, 17, 40, 11, tzinfo=UTC),
            anomalies=["managementState:unhealthy"],
        ),
        # No UPN: the e-mail address; never synced (0001-01-01): not seen; a wipe under way is
        # not a retired device (it holds its data until it acts).
        device(
            f"{prefix}3",
            name="iPad (Ivan)",
            hostname="iPad (Ivan)",
            serial_number="DMPXQ7H2KL",
            platform="ipados",
            os_version="17.7",
            user="ivan@acme.example",
            user_name="Ivan Petrov",
            managed=True,
            retired=False,
            encrypted=False,
            compliant=None,
            anomalies=["managedDeviceOwnerType:personal"],
        ),
        # Only discovered: not managed; Configuration Manager's compliance is not Intune's.
        device(
            f"{prefix}4",
            name="build-agent-03",
            hostname="build-agent-03",
            platform="linux",
            os_version="22.04",
            managed=False,
            encrypted=None,
            compliant=None,
            last_seen_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        ),
        # Enrolled after the states were read: whether it is managed is not said.
        device(
            f"{prefix}5",
            name="Leo's Galaxy",
            hostname="Leo's Galaxy",
            serial_number="R58T40ABCDE",
            platform="android",
            os_version="14",
            user="leo@acme.example",
            user_name="Leo Martins",
            managed=None,
            encrypted=True,
            compliant=False,
            failing_policies=["complianceState:conflict"],
            last_seen_at=datetime(2026, 11, 24, 6, 30, tzinfo=UTC),
            anomalies=["managementState missing", "managedDeviceOwnerType:personal"],
        ),
    ]


@pytest.mark.parametrize(
    ("state", "compliant", "failing"),
    [
        ("compliant", True, []),
        ("noncompliant", False, ["complianceState:noncompliant"]),
        ("conflict", False, ["complianceState:conflict"]),
        ("error", False, ["complianceState:error"]),
        # Not compliant: Intune only waits before acting on it.
        ("inGracePeriod", False, ["complianceState:inGracePeriod"]),
        ("unknown", None, []),
        ("configManager", None, []),  # Configuration Manager evaluates it: Intune does not say
    ],
)
def test_every_documented_compliance_state(state, compliant, failing):
    assert set(mapper.COMPLIANCE) == {
        "unknown", "compliant", "noncompliant", "conflict", "error", "inGracePeriod", "configManager",
    }  # fmt: skip
    mapped = mapper.map_device({**ROW, "complianceState": state}, {})
    assert (mapped.compliant, mapped.failing_policies) == (compliant, failing)
    assert mapped.anomalies == ["managementState missing"]


@pytest.mark.parametrize("value", ["notEvaluated", "", 3])
def test_an_undocumented_compliance_state_is_unknown_and_an_anomaly(value):
    mapped = mapper.map_device({**ROW, "complianceState": value}, {"d1": "managed"})
    assert (mapped.compliant, mapped.failing_policies, mapped.anomalies) == (
        None,
        [],
        [f"complianceState:{value}"],
    )


def test_an_absent_compliance_state_is_not_said():
    assert mapper.map_device(ROW, {"d1": "managed"}).compliant is None
    assert mapper.map_device(ROW, {"d1": "managed"}).anomalies == []


@pytest.mark.parametrize(
    ("state", "managed", "retired", "anomalies"),
    [
        ("managed", True, False, []),
        ("retirePending", True, False, []),  # a command not yet carried out: still judged
        ("retireIssued", True, False, []),  # a command not yet carried out: still judged
        ("retireFailed", True, False, ["managementState:retireFailed"]),
        ("wipePending", True, False, []),  # a command not yet carried out: still judged
        ("wipeIssued", True, False, []),  # a command not yet carried out: still judged
        ("wipeFailed", True, False, ["managementState:wipeFailed"]),
        ("deletePending", True, False, []),  # a command not yet carried out: still judged
        ("retireCanceled", True, False, []),
        ("wipeCanceled", True, False, []),
        ("unhealthy", True, False, ["managementState:unhealthy"]),
        ("discovered", False, False, []),
        ("quarantined", None, False, ["managementState:quarantined"]),  # not documented
    ],
)
def test_every_documented_management_state(state, managed, retired, anomalies):
    mapped = mapper.map_device(ROW, {"d1": state})
    assert (mapped.managed, mapped.retired, mapped.anomalies) == (managed, retired, anomalies)


def test_the_documented_management_states_are_all_mapped():
    assert set(mapper.MANAGEMENT) == {
        "managed", "retirePending", "retireFailed", "wipePending", "wipeFailed", "unhealthy",
        "deletePending", "retireIssued", "wipeIssued", "wipeCanceled", "retireCanceled", "discovered",
    }  # fmt: skip


def test_states_not_read_leave_managed_unknown_without_an_anomaly():
    mapped = mapper.map_device(ROW, None)
    assert (mapped.managed, mapped.retired, mapped.anomalies) == (None, False, [])


@pytest.mark.parametrize(
    ("owner", "anomalies"),
    [
        ("company", []),
        ("personal", ["managedDeviceOwnerType:personal"]),
        ("unknown", []),
        (None, []),
        ("shared", ["managedDeviceOwnerType:shared"]),  # not documented
    ],
)
def test_every_documented_owner_type(owner, anomalies):
    assert (
        mapper.map_device({**ROW, "managedDeviceOwnerType": owner}, {"d1": "managed"}).anomalies == anomalies
    )


@pytest.mark.parametrize(
    ("system", "platform"),
    [
        ("Windows", "windows"),
        ("iOS", "ios"),
        ("iPadOS", "ipados"),
        ("macOS", "macos"),
        ("Android", "android"),
        ("AndroidEnterprise", "android"),
        ("AndroidForWork", "android"),
        ("Linux", "linux"),
        ("ChromeOS", "chromeos"),
        ("", ""),
        (None, ""),
    ],
)
def test_operating_systems(system, platform):
    mapped = mapper.map_device({**ROW, "operatingSystem": system}, {"d1": "managed"})
    assert (mapped.platform, mapped.anomalies) == (platform, [])
    assert platform == "" or platform in PLATFORMS


def test_an_unknown_operating_system_is_kept_verbatim():
    mapped = mapper.map_device({**ROW, "operatingSystem": "Windows Mobile"}, {"d1": "managed"})
    assert (mapped.platform, mapped.anomalies) == ("other:Windows Mobile", ["operatingSystem:Windows Mobile"])


@pytest.mark.parametrize(
    ("value", "seen", "anomalies"),
    [
        ("2026-11-24T08:15:02.1234567Z", datetime(2026, 11, 24, 8, 15, 2, 123456, tzinfo=UTC), []),
        (
            "2026-11-24T08:15:02+01:00",
            datetime(2026, 11, 24, 8, 15, 2, tzinfo=timezone(timedelta(hours=1))),
            [],
        ),
        ("2026-11-24T08:15:02", datetime(2026, 11, 24, 8, 15, 2, tzinfo=UTC), []),  # naive: UTC
        ("0001-01-01T00:00:00Z", None, []),  # Graph's "never"
        ("0001-01-01T00:00:00.0000000Z", None, []),
        (None, None, []),
        ("yesterday", None, ["lastSyncDateTime:yesterday"]),
        (1732435200, None, ["lastSyncDateTime:1732435200"]),
    ],
)
def test_last_sync(value, seen, anomalies):
    mapped = mapper.map_device({**ROW, "lastSyncDateTime": value}, {"d1": "managed"})
    assert (mapped.last_seen_at, mapped.anomalies) == (seen, anomalies)


@pytest.mark.parametrize(
    ("value", "encrypted", "anomalies"),
    [(True, True, []), (False, False, []), (None, None, []), ("true", None, ["isEncrypted:true"])],
)
def test_encryption_is_what_intune_says_and_none_when_it_does_not(value, encrypted, anomalies):
    mapped = mapper.map_device({**ROW, "isEncrypted": value}, {"d1": "managed"})
    assert (mapped.encrypted, mapped.anomalies) == (encrypted, anomalies)


def test_the_user_is_the_upn_else_the_first_email_address():
    assert (
        mapper.map_device({**ROW, "userPrincipalName": "Erin@Acme.example"}, {}).user == "erin@acme.example"
    )
    row = {**ROW, "userPrincipalName": None, "emailAddress": "Erin@acme.example; erin.w@acme.example"}
    assert mapper.map_device(row, {}).user == "erin@acme.example"
    assert mapper.map_device(ROW, {}).user == ""


def test_intune_says_nothing_of_edr():
    mapped = mapper.map_device({**ROW, "complianceState": "compliant"}, {"d1": "managed"})
    assert (mapped.edr_running, mapped.edr_product, mapped.contained) == (None, "", None)
