"""Pure mapping from a Jamf Pro API computer inventory record (`GET /api/v1/computers-inventory`
with the GENERAL, HARDWARE, OPERATING_SYSTEM, DISK_ENCRYPTION and USER_AND_LOCATION sections)
to a `Device`. Nothing here does I/O.

The enums are Jamf's own, from the Jamf Pro API schema (`/api/schema` of an instance, as
published at developer.jamf.com/jamf-pro/reference/get_v1-computers-inventory):
`ComputerPartitionFileVault2State` for `diskEncryption.bootPartitionEncryptionDetails
.partitionFileVault2State`, and `operatingSystem.fileVault2Status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collectors.timestamps import parse_time
from vaultward.contract.records import Device

SOURCE = "jamf"

# The boot partition's FileVault 2 state -> (encrypted, why). Only a finished encryption is
# True; a disk on its way in or out of FileVault is not encrypted yet (or any more); Jamf
# not knowing, or the Mac not able to use FileVault, says nothing about the disk.
FILEVAULT_STATES: dict[str, tuple[bool | None, str]] = {
    "ENCRYPTED": (True, "FileVault 2 encrypted"),
    "UNENCRYPTED": (False, "FileVault 2 off"),
    "DECRYPTED": (False, "FileVault 2 turned off (decrypted)"),
    "ENCRYPTING": (False, "FileVault 2 encryption in progress, not finished"),
    "ENCRYPTING_PAUSED": (False, "FileVault 2 encryption paused, not finished"),
    "RESTART_NEEDED": (False, "FileVault 2 enabled, encryption starts after a restart"),
    "OPTIMIZING": (False, "FileVault 2 volume being optimised, encryption not finished"),
    "DECRYPTING": (False, "FileVault 2 being turned off (decrypting)"),
    "DECRYPTING_PAUSED": (False, "FileVault 2 decryption paused"),
    "UNKNOWN": (None, "Jamf does not know the FileVault 2 state"),
    "INELIGIBLE": (None, "Jamf reports the boot volume ineligible for FileVault 2"),
}
# operatingSystem.fileVault2Status, read when the boot partition's state is absent: whether
# the boot partition is encrypted is said by BOOT_ENCRYPTED / ALL_ENCRYPTED and NOT_ENCRYPTED;
# SOME_ENCRYPTED names no partition.
FILEVAULT_STATUSES: dict[str, tuple[bool | None, str]] = {
    "ALL_ENCRYPTED": (True, "every partition FileVault 2 encrypted"),
    "BOOT_ENCRYPTED": (True, "boot partition FileVault 2 encrypted"),
    "NOT_ENCRYPTED": (False, "no partition FileVault 2 encrypted"),
    "SOME_ENCRYPTED": (None, "some partitions encrypted, not said which"),
    "NOT_APPLICABLE": (None, "FileVault 2 not applicable"),
}


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def encryption(raw: Mapping[str, Any]) -> tuple[bool | None, str, list[str]]:
    """Whether the boot disk is encrypted, why, and the vendor values the mapper did not know
    (each as "other:<value>"). The boot partition's state decides; the OS section's status
    stands in when the partition's is absent; when both say yes or no and disagree, the
    conflict is reported and the answer is None."""
    details = _section(_section(raw, "diskEncryption"), "bootPartitionEncryptionDetails")
    state = details.get("partitionFileVault2State")
    status = _section(raw, "operatingSystem").get("fileVault2Status")
    anomalies: list[str] = []
    by_state, by_status = (
        _lookup(state, FILEVAULT_STATES, anomalies),
        _lookup(status, FILEVAULT_STATUSES, anomalies),
    )
    if by_state and by_status and None not in (by_state[0], by_status[0]) and by_state[0] != by_status[0]:
        anomalies.append(f"conflict: partitionFileVault2State {state} but fileVault2Status {status}")
        return None, f"Jamf disagrees with itself: {state} / {status}", anomalies
    if by_state and (by_state[0] is not None or not by_status or by_status[0] is None):
        return by_state[0], by_state[1], anomalies
    if by_status:
        return by_status[0], by_status[1], anomalies
    return None, "Jamf reports no FileVault 2 state", anomalies


def _lookup(value: Any, table: Mapping[str, tuple[bool | None, str]], anomalies: list[str]):
    if value in (None, ""):
        return None
    known = table.get(str(value).strip().upper())
    if known is None:
        anomalies.append(f"other:{value}")
    return known


def map_computer(raw: Mapping[str, Any]) -> tuple[Device | None, list[str]]:
    """One computer's Device, and the problems found: a computer without an id is skipped; a
    value the mapper does not know is kept in `anomalies` (and reported)."""
    computer_id = raw.get("id")
    general = _section(raw, "general")
    hostname = _text(general.get("name"))
    if computer_id in (None, "") or isinstance(computer_id, bool | dict | list):
        return None, [f"jamf computer {hostname or '(no name)'}: no id, skipped"]
    where = f"jamf computer {computer_id} ({hostname or 'no name'})"
    problems: list[str] = []
    encrypted, _why, anomalies = encryption(raw)
    problems += [f"{where}: FileVault 2 {anomaly}" for anomaly in anomalies]
    managed = _section(general, "remoteManagement").get("managed")
    if managed is not None and not isinstance(managed, bool):
        problems.append(f"{where}: remoteManagement.managed {managed!r} is not true or false")
        anomalies.append(f"other:managed={managed}")
        managed = None
    last_seen = None
    for field in ("lastContactTime", "reportDate"):  # last check-in, else last inventory report
        try:
            last_seen = parse_time(general.get(field))
        except ValueError:
            problems.append(f"{where}: general.{field} {general.get(field)!r} is not a timestamp")
            continue
        if last_seen is not None:
            break
    people = _section(raw, "userAndLocation")
    email = _text(people.get("email")).lower()
    serial = _text(_section(raw, "hardware").get("serialNumber"))
    record = Device(
        key=f"{SOURCE}:device:{computer_id}",
        name=hostname or serial or str(computer_id),
        source=SOURCE,
        device_id=str(computer_id),
        serial_number=serial,
        hostname=hostname,
        platform="macos",  # the computers inventory holds Macs only (mobile devices are apart)
        os_version=_text(_section(raw, "operatingSystem").get("version")),
        user=email or _text(people.get("username")),
        user_name=_text(people.get("realname")),
        managed=managed,
        encrypted=encrypted,
        last_seen_at=last_seen,
        anomalies=anomalies,
    )
    return record, problems
