"""The Jamf Pro mapper from the documented computers-inventory shapes: every documented
FileVault 2 state and status (table-driven), the user, the last check-in, and what a value
the mapper does not know becomes."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.jamf import mapper
from vaultward.contract.records import Device

PAYLOADS = Path(__file__).parent / "payloads"


def computers() -> list[dict]:
    return json.loads((PAYLOADS / "computers_inventory.json").read_text())["results"]


def with_filevault(state: str | None, status: str | None) -> dict:
    raw = copy.deepcopy(computers()[0])
    raw["diskEncryption"]["bootPartitionEncryptionDetails"]["partitionFileVault2State"] = state
    raw["operatingSystem"]["fileVault2Status"] = status
    return raw


def test_the_documented_page_maps_to_devices():
    mapped = [mapper.map_computer(raw) for raw in computers()]
    assert [problems for _, problems in mapped] == [[], [], []]
    first, second, third = (record for record, _ in mapped)
    assert first == Device(
        key="jamf:device:1",
        name="Boalime",
        source="jamf",
        device_id="1",
        serial_number="C02ZC2QYLVDL",
        hostname="Boalime",
        platform="macos",
        os_version="10.9.5",
        user="madison.anderson@example.com",
        user_name="13-inch MacBook",
        managed=True,
        encrypted=True,
        last_seen_at=datetime(2018, 10, 31, 18, 4, 13, tzinfo=UTC),
    )
    # No e-mail: the username; no lastContactTime: the last inventory report; encrypting: not yet.
    assert (second.user, second.managed, second.encrypted, second.last_seen_at) == (
        "jdoe",
        False,
        False,
        datetime(2026, 11, 20, 8, 15, 2, 512000, tzinfo=UTC),
    )
    # Jamf does not know the partition's state, the OS section says the boot disk is encrypted.
    assert (third.user, third.encrypted, third.compliant, third.edr_running) == ("", True, None, None)
    assert third.last_seen_at == datetime(2026, 11, 24, 6, 1, 44, 207000, tzinfo=UTC)


# ComputerPartitionFileVault2State, every documented value.
@pytest.mark.parametrize(
    ("state", "encrypted"),
    [
        ("ENCRYPTED", True),
        ("UNENCRYPTED", False),
        ("DECRYPTED", False),
        ("ENCRYPTING", False),
        ("ENCRYPTING_PAUSED", False),
        ("RESTART_NEEDED", False),
        ("OPTIMIZING", False),
        ("DECRYPTING", False),
        ("DECRYPTING_PAUSED", False),
        ("UNKNOWN", None),
        ("INELIGIBLE", None),
    ],
)
def test_every_boot_partition_filevault_state(state, encrypted):
    assert set(mapper.FILEVAULT_STATES) >= {state}
    record, problems = mapper.map_computer(with_filevault(state, None))
    assert (record.encrypted, record.anomalies, problems) == (encrypted, [], [])


def test_the_state_table_is_exactly_the_documented_enum():
    assert sorted(mapper.FILEVAULT_STATES) == sorted(
        [
            "UNKNOWN",
            "UNENCRYPTED",
            "INELIGIBLE",
            "DECRYPTED",
            "DECRYPTING",
            "ENCRYPTED",
            "ENCRYPTING",
            "RESTART_NEEDED",
            "OPTIMIZING",
            "DECRYPTING_PAUSED",
            "ENCRYPTING_PAUSED",
        ]
    )
    assert sorted(mapper.FILEVAULT_STATUSES) == sorted(
        ["NOT_APPLICABLE", "NOT_ENCRYPTED", "BOOT_ENCRYPTED", "SOME_ENCRYPTED", "ALL_ENCRYPTED"]
    )


# operatingSystem.fileVault2Status, every documented value, where the partition's state is absent.
@pytest.mark.parametrize(
    ("status", "encrypted"),
    [
        ("ALL_ENCRYPTED", True),
        ("BOOT_ENCRYPTED", True),
        ("NOT_ENCRYPTED", False),
        ("SOME_ENCRYPTED", None),
        ("NOT_APPLICABLE", None),
    ],
)
def test_every_os_filevault_status_stands_in_for_an_absent_partition_state(status, encrypted):
    record, problems = mapper.map_computer(with_filevault(None, status))
    assert (record.encrypted, record.anomalies, problems) == (encrypted, [], [])


@pytest.mark.parametrize(
    ("state", "status", "encrypted"),
    [
        ("ENCRYPTING", "NOT_ENCRYPTED", False),  # agree
        ("ENCRYPTED", "SOME_ENCRYPTED", True),  # the status does not say: the partition decides
        ("UNKNOWN", "NOT_ENCRYPTED", False),  # the partition does not say: the status does
        ("INELIGIBLE", "NOT_APPLICABLE", None),
        (None, None, None),  # neither section says
    ],
)
def test_the_partition_state_decides_and_the_status_fills_in(state, status, encrypted):
    record, problems = mapper.map_computer(with_filevault(state, status))
    assert (record.encrypted, problems) == (encrypted, [])


def test_a_conflict_is_reported_never_resolved_silently():
    record, problems = mapper.map_computer(with_filevault("ENCRYPTED", "NOT_ENCRYPTED"))
    assert record.encrypted is None
    assert record.anomalies == [
        "conflict: partitionFileVault2State ENCRYPTED but fileVault2Status NOT_ENCRYPTED"
    ]
    assert problems == [
        "jamf computer 1 (Boalime): FileVault 2 conflict: partitionFileVault2State ENCRYPTED "
        "but fileVault2Status NOT_ENCRYPTED"
    ]


def test_an_unknown_state_is_kept_verbatim_and_reported_never_a_pass():
    record, problems = mapper.map_computer(with_filevault("HALF_ENCRYPTED", None))
    assert (record.encrypted, record.anomalies) == (None, ["other:HALF_ENCRYPTED"])
    assert problems == ["jamf computer 1 (Boalime): FileVault 2 other:HALF_ENCRYPTED"]
    # An unknown status where the partition does say: the partition decides, the value is kept.
    record, problems = mapper.map_computer(with_filevault("UNENCRYPTED", "QUANTUM"))
    assert (record.encrypted, record.anomalies, len(problems)) == (False, ["other:QUANTUM"], 1)


@pytest.mark.parametrize(("managed", "expected"), [(True, True), (False, False), (None, None)])
def test_managed_is_what_remote_management_says(managed, expected):
    raw = copy.deepcopy(computers()[0])
    raw["general"]["remoteManagement"]["managed"] = managed
    record, problems = mapper.map_computer(raw)
    assert (record.managed, problems) == (expected, [])


def test_sections_jamf_left_out_say_nothing():
    record, problems = mapper.map_computer({"id": "9"})
    assert problems == []
    assert (record.key, record.name, record.user, record.managed, record.encrypted, record.last_seen_at) == (
        "jamf:device:9",
        "9",
        "",
        None,
        None,
        None,
    )
    assert (record.platform, record.serial_number, record.os_version) == ("macos", "", "")


def test_a_computer_without_an_id_is_skipped_and_reported():
    raw = computers()[1]
    del raw["id"]
    assert mapper.map_computer(raw) == (None, ["jamf computer Kestrel: no id, skipped"])


def test_bad_values_are_reported_and_left_unknown():
    raw = copy.deepcopy(computers()[0])
    raw["general"]["lastContactTime"] = "yesterday"
    raw["general"]["remoteManagement"]["managed"] = "yes"
    record, problems = mapper.map_computer(raw)
    assert problems == [
        "jamf computer 1 (Boalime): remoteManagement.managed 'yes' is not true or false",
        "jamf computer 1 (Boalime): general.lastContactTime 'yesterday' is not a timestamp",
    ]
    assert record.managed is None and record.anomalies == ["other:managed=yes"]
    assert record.last_seen_at == datetime(2018, 10, 31, 18, 4, 13, tzinfo=UTC)  # reportDate stands in
