"""Machines, not device records: the `Device` records of every device source joined into one
machine each, what the sources say about it merged, and the people who use it.

- **Join**: records with the same hardware serial are one machine; a record without a serial
  joins the one machine that has its hostname (none: the records sharing that hostname and no
  serial are one machine; several: it stays apart, and the ambiguity is reported).
- **Merge**, never better than the worst source: `managed` when any device manager says so;
  `encrypted` False when any source says False (a contradiction lowers, never raises);
  `edr_running` only from an EDR source (`policy.endpoints.edr_sources`), False when any of
  them says False; the lowest OS version reported (a coarser one that a finer one extends,
  "14" beside "14.6.1", gives way to it); the latest `last_seen_at`. A field a failed
  request left unknown on one record (`CheckContext.field_gap`) leaves a merged True unknown,
  since that source might have said False.
- **People**: each record's `user` through the same alias table as identities
  (`Directory.email_of`: e-mail, UPN, or a `DOMAIN\\user` form mapped in
  `policy.people.aliases`). A machine whose records name different people belongs to each of
  them (the disagreement is reported); one no record ties to an e-mail is listed apart
  (`Devices.unmatched`).

Checks read this through `CheckContext.devices`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from vaultward.contract.records import Device
from vaultward.derived.people import Directory

# Values vendors report when the firmware has no real serial (virtual machines, white boxes):
# joining on them would merge unrelated machines.
PLACEHOLDER_SERIALS = frozenset(
    {"", "0", "none", "n/a", "na", "unknown", "default string", "not specified", "to be filled by o.e.m.",
     "system serial number", "0123456789"}
)  # fmt: skip
MERGED_FIELDS = ("managed", "encrypted", "edr_running", "os_version", "last_seen_at")
_VERSION = re.compile(r"\d+(?:\.\d+)*")

FieldGap = Callable[[Device, str], str | None]


def _serial(device: Device) -> str:
    serial = device.serial_number.strip()
    return "" if serial.lower() in PLACEHOLDER_SERIALS else serial.upper()


def _hostname(device: Device) -> str:
    # "alice-mbp.local", "ALICE-MBP" and "alice-mbp.corp.example" are one name.
    return device.hostname.strip().lower().split(".")[0]


def version_tuple(text: str) -> tuple[int, ...] | None:
    """The first dotted number in a version as reported ("14.6.1", "macOS 14.6", "10.0.22631.4037"),
    or None when there is none."""
    found = _VERSION.search(text)
    return tuple(int(part) for part in found.group().split(".")) if found else None


def below(version: tuple[int, ...], floor: tuple[int, ...]) -> bool:
    """Whether `version` is older than `floor` (missing parts count as 0: "14" is "14.0.0")."""
    width = max(len(version), len(floor))
    return version + (0,) * (width - len(version)) < floor + (0,) * (width - len(floor))


@dataclass(frozen=True)
class Machine:
    """One computer or phone as every device source that lists it says it is."""

    id: str  # "device:serial:<serial>", "device:host:<hostname>", else its one record's key
    records: tuple[Device, ...]  # every record of it, retired ones too
    owners: tuple[str, ...]  # the people (e-mails) its records name
    users: tuple[str, ...]  # the users as the sources name them
    platform: str
    os_version: str  # the lowest version its sources report
    managed: bool | None  # a device manager says it is enrolled
    encrypted: bool | None
    edr_running: bool | None  # an EDR source says its sensor is healthy
    edr_seen: bool  # an EDR source lists it
    edr_last_seen_at: datetime | None  # the EDR's latest contact
    contained: bool  # an EDR has network-contained it: an incident in progress
    last_seen_at: datetime | None
    retired: bool  # every record says it is retired or wiped (an order not yet carried out is not)
    gaps: dict[str, str] = field(default_factory=dict)  # merged field -> why it is unknown
    conflicts: tuple[str, ...] = ()  # where its sources disagree

    @property
    def sources(self) -> list[str]:
        return sorted({record.source for record in self.records})

    @property
    def keys(self) -> list[str]:
        return [record.key for record in self.records]

    @property
    def label(self) -> str:
        names = [r.hostname for r in self.records if r.hostname] + [r.serial_number for r in self.records]
        return next((name for name in names if name), self.records[0].device_id)

    def evidence(self) -> dict:
        """What a finding keeps about the machine."""
        return {
            "machine": self.id,
            "name": self.label,
            "records": self.keys,
            "sources": self.sources,
            "users": list(self.users),
            "owners": list(self.owners),  # the people it is tied to: [] lists it apart (unmatched)
            "retired": self.retired,
            "platform": self.platform,
            "os_version": self.os_version,
            "managed": self.managed,
            "encrypted": self.encrypted,
            "edr_running": self.edr_running,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            **({"unknown_fields": dict(self.gaps)} if self.gaps else {}),
            **({"conflicts": list(self.conflicts)} if self.conflicts else {}),
        }


def _lowered(
    records: list[Device], name: str, gap: FieldGap, trusted: Callable[[Device], bool] = lambda _: True
) -> tuple[bool | None, str | None, bool]:
    """(value, gap, disagreement) of a boolean only a False from a trusted source can settle
    low: False if any says False, True if one says True and no trusted source's value of it
    was lost to a failed request, else None."""
    values = [(getattr(r, name), r) for r in records if trusted(r)]
    said = {value for value, _ in values if value is not None}
    lost = next((why for value, r in values if value is None and (why := gap(r, name))), None)
    if False in said:
        return False, None, True in said
    if True in said:
        return (None, lost, False) if lost else (True, None, False)
    return None, lost, False


def merge(
    machine_id: str, records: list[Device], directory: Directory, edr_sources: Iterable[str], gap: FieldGap
) -> Machine:
    """One machine from its records (see the module docstring for the rules)."""
    edr = set(edr_sources)
    live = [r for r in records if not r.retired] or records
    conflicts: list[str] = []
    gaps: dict[str, str] = {}
    if len(live) < len(records):
        retired = sorted({r.source for r in records if r.retired})
        conflicts.append(
            f"{', '.join(retired)} say it is retired; {', '.join(sorted({r.source for r in live}))} still list it"
        )

    managers = [r for r in live if r.source not in edr]
    lost = next((why for r in managers if r.managed is None and (why := gap(r, "managed"))), None)
    if any(r.managed for r in managers):
        managed: bool | None = True
    elif lost:
        managed, gaps["managed"] = None, lost
    else:
        managed = False if any(r.managed is False for r in managers) else None
    encrypted, lost, disagree = _lowered(live, "encrypted", gap)
    if lost:
        gaps["encrypted"] = lost
    if disagree:
        conflicts.append("its sources disagree on disk encryption: " + _said(live, "encrypted"))
    edr_records = [r for r in live if r.source in edr]
    edr_running, lost, disagree = _lowered(edr_records, "edr_running", gap)
    if lost:
        gaps["edr_running"] = lost
    if disagree:
        conflicts.append("its EDR sources disagree on the sensor: " + _said(edr_records, "edr_running"))

    platforms = sorted({r.platform for r in live if r.platform})
    if len(platforms) > 1:
        conflicts.append(f"its sources name different platforms: {', '.join(platforms)}")
    reported = [(parsed, r.os_version) for r in live if (parsed := version_tuple(r.os_version)) is not None]
    # A coarser version that a finer one extends ("14" beside "14.6.1", CrowdStrike's
    # "10.0.22631" beside Intune's "10.0.22631.4460") agrees with it and says less: the finer
    # one stands. Versions that disagree still give the lowest.
    versions = sorted(
        (parsed, text)
        for parsed, text in reported
        if not any(len(other) > len(parsed) and other[: len(parsed)] == parsed for other, _ in reported)
    )
    os_version = versions[0][1] if versions else next((r.os_version for r in live if r.os_version), "")
    if not versions and (lost := next((why for r in live if (why := gap(r, "os_version"))), None)):
        gaps["os_version"] = lost
    seen = [r.last_seen_at for r in live if r.last_seen_at is not None]
    if not seen and (lost := next((why for r in live if (why := gap(r, "last_seen_at"))), None)):
        gaps["last_seen_at"] = lost
    edr_seen_at = [r.last_seen_at for r in edr_records if r.last_seen_at is not None]

    users = tuple(dict.fromkeys(r.user.strip() for r in live if r.user.strip()))
    owners = tuple(sorted({email for user in users if "@" in (email := directory.email_of(user))}))
    if len(owners) > 1:
        conflicts.append(f"its sources name different users: {', '.join(owners)}")
    if not owners and (
        lost := next((why for r in live if not r.user.strip() and (why := gap(r, "user"))), None)
    ):
        gaps["user"] = lost  # whose it is was lost with a failed request, not "nobody's"
    return Machine(
        id=machine_id,
        records=tuple(records),
        owners=owners,
        users=users,
        platform=platforms[0] if len(platforms) == 1 else "",  # disagreeing sources: unknown
        os_version=os_version,
        managed=managed,
        encrypted=encrypted,
        edr_running=edr_running,
        edr_seen=bool(edr_records),
        edr_last_seen_at=max(edr_seen_at) if edr_seen_at else None,
        contained=any(r.contained for r in live),
        last_seen_at=max(seen) if seen else None,
        retired=all(r.retired for r in records),
        gaps=gaps,
        conflicts=tuple(conflicts),
    )


def _said(records: list[Device], name: str) -> str:
    return ", ".join(f"{r.source} {getattr(r, name)}" for r in records if getattr(r, name) is not None)


def join(records: Iterable[Device]) -> tuple[dict[str, list[Device]], list[str]]:
    """The records grouped by machine id, and the records that could join several machines."""
    groups: dict[str, list[Device]] = {}
    hosts: dict[str, set[str]] = {}  # hostname -> ids of the serial machines with it
    loose: list[Device] = []
    for record in sorted(records, key=lambda r: r.key):
        serial = _serial(record)
        if serial:
            machine_id = f"device:serial:{serial}"
            groups.setdefault(machine_id, []).append(record)
            if _hostname(record):
                hosts.setdefault(_hostname(record), set()).add(machine_id)
        else:
            loose.append(record)
    ambiguous = []
    by_host: dict[str, list[Device]] = {}
    for record in loose:
        host = _hostname(record)
        matches = sorted(hosts.get(host, ())) if host else []
        if len(matches) == 1:
            groups[matches[0]].append(record)
        elif host and not matches:
            by_host.setdefault(host, []).append(record)
        else:
            groups[record.key] = [record]
            if matches:
                ambiguous.append(f"{record.key}: hostname {record.hostname} matches {', '.join(matches)}")
    for host, members in by_host.items():
        # One record per source: the same source listing two devices under one name
        # ("iPhone") says they are two.
        if len({r.source for r in members}) == len(members):
            groups[f"device:host:{host}"] = members
        else:
            ambiguous.append(f"hostname {host} names several devices of one source: kept apart")
            groups.update((r.key, [r]) for r in members)
    return groups, ambiguous


class Devices:
    """Every machine of the evaluation, by person and apart."""

    def __init__(
        self,
        records: Iterable[Device],
        directory: Directory,
        edr_sources: Iterable[str],
        gap: FieldGap = lambda record, name: None,
    ) -> None:
        records = list(records)
        self.edr_sources = frozenset(edr_sources)
        self.sources = frozenset(record.source for record in records)
        groups, self.ambiguous = join(records)
        self.machines = [
            merge(machine_id, members, directory, self.edr_sources, gap)
            for machine_id, members in sorted(groups.items())
        ]
        self.by_person: dict[str, list[Machine]] = {}
        for machine in self.machines:
            for owner in machine.owners:
                self.by_person.setdefault(owner, []).append(machine)
        self.unmatched = [machine for machine in self.machines if not machine.owners]
        self.by_key = {key: machine for machine in self.machines for key in machine.keys}

    @property
    def edr_collected(self) -> bool:
        """Whether any EDR source listed a device: only then is "no sensor seen" a finding."""
        return bool(self.sources & self.edr_sources)

    def managed(self, machine: Machine) -> bool | None:
        """Whether the machine is enrolled in a device manager: as its device-manager records
        say, and False for one only an EDR lists when a device manager was collected (it would
        list the machine if it were enrolled)."""
        listed = any(r.source not in self.edr_sources for r in machine.records)
        if machine.managed is None and not listed and self.sources - self.edr_sources:
            return False
        return machine.managed

    def of(self, email: str) -> list[Machine]:
        """The machines a person uses, retired ones too."""
        return list(self.by_person.get(email, ()))
