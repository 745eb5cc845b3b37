"""The Endpoints page and the takeover alerts: people x devices and account-takeover signals,
read from the findings an evaluation stored for access.signer_devices, detection.edr_coverage
and access.account_takeover_signals (their evidence carries each device as
`vaultward.derived.devices.Machine.evidence` wrote it). Nothing is judged again here: a
person or device the check could not judge is "unknown" with its reason, never a tick. The
weekly report's workstation stage (`workstation_report`) reads the same findings through the
same plumbing: the check ids, `stored_findings`, `device_name` and `signals_of`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from vaultward.store.models import Finding

SIGNER_DEVICES = "access.signer_devices"
EDR_COVERAGE = "detection.edr_coverage"
TAKEOVER = "access.account_takeover_signals"
CHECKS = (SIGNER_DEVICES, EDR_COVERAGE, TAKEOVER)
UNMATCHED_HINT = "map its user to a person in policy.people.aliases"
GROUPS = ("signer", "administrator", "signer and administrator", "privilege unknown", "other")


def group_of(role: str) -> str:
    """The role filter's group of a check's role text ("signer: signer of cold; administrator
    in okta"); "privilege unknown" when the check could not tell (no role)."""
    signs, administers = role.startswith("signer"), "administrator in" in role
    if signs and administers:
        return "signer and administrator"
    return "signer" if signs else "administrator" if administers else "privilege unknown"


@dataclass(frozen=True)
class Stored:
    """One stored finding, as much of it as these views read."""

    check_id: str
    resource: str
    name: str
    status: str
    message: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class DeviceRow:
    """One person x device (device fields empty when no device is known for the person)."""

    person: str
    role: str
    group: str  # one of GROUPS: what the role filter picks
    device: str
    sources: str
    platform: str
    os_version: str
    managed: str
    encrypted: str
    edr: str
    last_seen: str
    status: str  # fail | unknown | pass | waived | not judged
    fails: str  # what fails, or why it is unknown
    person_id: str
    device_id: str


@dataclass(frozen=True)
class SignalLine:
    at: str  # ISO 8601 UTC, as the identity provider logged it
    source: str
    signal: str


def signals_of(evidence: dict[str, Any]) -> list[SignalLine]:
    """The signals an access.account_takeover_signals finding kept (the latest, oldest first)."""
    return [
        SignalLine(str(s.get("at", "")), str(s.get("source", "")), str(s.get("signal", "")))
        for s in evidence.get("signals") or []
    ]


@dataclass(frozen=True)
class Alert:
    """One account-takeover signal (status fail), or a person whose log cannot tell (unknown)."""

    who: str
    role: str
    what: str
    at: str  # YYYY-MM-DD HH:MM, UTC
    source: str
    status: str
    reason: str
    person_id: str


def stored_findings(session: Session, evaluation_id: int, checks: Sequence[str] = CHECKS) -> list[Stored]:
    """The evaluation's findings of `checks` (the three endpoint checks), in stored order."""
    query = (
        select(Finding)
        .where(col(Finding.evaluation_id) == evaluation_id, col(Finding.check_id).in_(checks))
        .order_by(col(Finding.id))
    )
    return [
        Stored(
            f.check_id, f.resource, f.resource_name or f.resource, f.status, f.message, dict(f.evidence or {})
        )
        for f in session.exec(query)
    ]


def _flag(value: Any) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def device_name(device: dict[str, Any]) -> str:
    """A device as the findings' evidence names it: its name, else its machine id."""
    return str(device.get("name") or device.get("machine") or "")


def _device_fields(device: dict[str, Any]) -> dict[str, str]:
    gaps = device.get("unknown_fields") or {}
    return {
        "device": device_name(device),
        "sources": ", ".join(device.get("sources") or []),
        "platform": str(device.get("platform") or "unknown"),
        "os_version": str(device.get("os_version") or "unknown"),
        "managed": _flag(device.get("managed")),
        "encrypted": _flag(device.get("encrypted"))
        + (f" ({gaps['encrypted']})" if "encrypted" in gaps else ""),
        "edr": _flag(device.get("edr_running"))
        + (f" ({gaps['edr_running']})" if "edr_running" in gaps else ""),
        "last_seen": str(device.get("last_seen_at") or "unknown")[:16].replace("T", " "),
        "device_id": str(device.get("machine") or ""),
    }


def _device_verdict(device: dict[str, Any], person: Stored) -> tuple[str, str]:
    """A device's status and what fails: its own problems and doubts, else what the person's
    finding says (a device passes only when its person passed: "no managed device" is the
    person's problem, not one device's)."""
    problems, doubts = device.get("problems") or [], device.get("doubts") or []
    if person.status == "waived":  # what fails still shows; the waiver is on the person's finding
        return "waived", "; ".join(problems + doubts) or person.message
    if problems:
        return "fail", "; ".join(problems + doubts)
    if doubts:
        return "unknown", "; ".join(doubts)
    return (person.status, "") if person.status == "pass" else (person.status, person.message)


def _edr_verdicts(findings: Iterable[Stored]) -> dict[str, Stored]:
    return {f.resource: f for f in findings if f.check_id == EDR_COVERAGE}


def people_devices(findings: Sequence[Stored]) -> tuple[list[DeviceRow], list[DeviceRow]]:
    """(signers and administrators, then everyone else; devices tied to no person), one row
    per person x device: the signers' and administrators' as access.signer_devices judged
    them, everyone else's as detection.edr_coverage did."""
    edr = _edr_verdicts(findings)
    judged: list[DeviceRow] = []
    others: list[DeviceRow] = []
    unmatched: list[DeviceRow] = []
    seen: set[str] = set()
    for f in findings:
        if f.check_id != SIGNER_DEVICES:
            continue
        if f.status == "skipped":  # a device no signer or administrator uses: below
            continue
        devices = f.evidence.get("devices")
        role = str(f.evidence.get("role") or "")
        if not devices:
            judged.append(_empty_row(f.name, role, f.status, f.message, f.resource))
            continue
        for device in devices or []:
            status, fails = _device_verdict(device, f)
            seen.add(str(device.get("machine")))
            judged.append(DeviceRow(f.name, role, group_of(role), **_device_fields(device), status=status,
                                    fails=fails, person_id=f.resource))  # fmt: skip
    for machine_id, f in edr.items():  # devices no signer or administrator uses
        if machine_id in seen or (f.status == "skipped" and f.message.startswith("retired")):
            continue
        owners = f.evidence.get("owners")
        if owners is None and "tied to no person" not in f.message:
            owners = list(f.evidence.get("users") or [])  # stored before evidence named owners
        fields = _device_fields(f.evidence)
        status = "not judged" if f.status == "skipped" else f.status
        if not owners:
            users = ", ".join(f.evidence.get("users") or []) or "none"
            unmatched.append(DeviceRow("", "", "", **fields, status=status,
                                       fails=f"tied to no person (its user: {users}); {UNMATCHED_HINT}",
                                       person_id=""))  # fmt: skip
            continue
        fails = "" if f.status == "pass" else f.message
        for owner in owners:
            others.append(
                DeviceRow(owner, "other", "other", **fields, status=status, fails=fails, person_id=owner)
            )
    others.sort(key=lambda row: (row.person, row.device))
    return judged + others, unmatched


def _empty_row(person: str, role: str, status: str, message: str, person_id: str) -> DeviceRow:
    blank = {"device": "", "sources": "", "platform": "", "os_version": "", "managed": "", "encrypted": "",
             "edr": "", "last_seen": "", "device_id": ""}  # fmt: skip
    return DeviceRow(person, role, group_of(role), **blank, status=status, fails=message, person_id=person_id)


def takeover_alerts(findings: Sequence[Stored]) -> list[Alert]:
    """Each signal of a failing access.account_takeover_signals finding, newest first, then
    every person whose logs cannot tell ("cannot tell", with the reason)."""
    signals: list[Alert] = []
    unknown: list[Alert] = []
    for f in findings:
        if f.check_id != TAKEOVER:
            continue
        role = str(f.evidence.get("role") or "")
        if f.status == "fail":
            listed = signals_of(f.evidence)
            for line in listed:
                signals.append(
                    Alert(f.name, role, line.signal, line.at, line.source, "fail", f.message, f.resource)
                )
            if not listed:
                signals.append(Alert(f.name, role, f.message, "", "", "fail", f.message, f.resource))
        elif f.status == "unknown":
            sources = ", ".join(f.evidence.get("log_sources") or [])
            unknown.append(Alert(f.name, role, "cannot tell", "", sources, "unknown", f.message, f.resource))
    signals.sort(key=lambda alert: alert.at, reverse=True)  # ISO 8601 in UTC: sorts as text
    return [replace(alert, at=alert.at[:16].replace("T", " ")) for alert in signals] + unknown
