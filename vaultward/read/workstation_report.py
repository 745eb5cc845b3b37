"""The attack path's "Compromised workstation and credentials" stage as one evaluation judged
it, read back from the findings of its three endpoint checks: the signers and administrators
whose devices fail or cannot be judged, EDR coverage of every device, the open account-takeover
alerts and the people whose logs cannot tell, and how many devices are tied to no person. The
weekly report shows this, so it shows what the checks said and nothing judged a second time:
an unknown stays unknown, with the check's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from vaultward.read.endpoints import (
    CHECKS,
    SIGNER_DEVICES,
    TAKEOVER,
    SignalLine,
    Stored,
    device_name,
    signals_of,
    stored_findings,
)
from vaultward.read.endpoints import EDR_COVERAGE as EDR

OPEN = ("fail", "unknown")


@dataclass(frozen=True)
class PersonDevices:
    """A signer or administrator whose devices fail or cannot be judged."""

    person: str
    role: str  # "signer: spender of Treasury; administrator in okta"; "" when the check did not say
    status: str  # fail or unknown
    devices: list[str]  # the names of their devices the check judged; [] when none is known
    message: str  # what fails on which device, or why it is unknown, as the check said it


@dataclass(frozen=True)
class EdrTally:
    covered: int = 0  # pass: a healthy sensor
    not_covered: int = 0  # fail
    unknown: int = 0
    not_applicable: int = 0  # retired, or a platform no sensor is expected on
    waived: int = 0


@dataclass(frozen=True)
class EdrGap:
    """A signer's or administrator's device without a working sensor, or one nobody can tell."""

    device: str
    people: list[str]
    status: str
    message: str


@dataclass(frozen=True)
class TakeoverAlert:
    """A signer or administrator with an account-takeover signal in the window."""

    person: str
    role: str
    signal_count: int
    signals: list[SignalLine]  # the latest the finding kept, oldest first
    message: str


@dataclass(frozen=True)
class Untold:
    """A signer or administrator whose logs cannot say whether their account was taken over."""

    person: str
    role: str
    reason: str


@dataclass(frozen=True)
class WorkstationStage:
    devices: list[PersonDevices] = field(default_factory=list)  # failing, then unknown
    edr: EdrTally = field(default_factory=EdrTally)  # every device
    edr_privileged: EdrTally = field(default_factory=EdrTally)  # signers' and administrators' devices
    edr_gaps: list[EdrGap] = field(default_factory=list)  # signers' and administrators': fail, then unknown
    alerts: list[TakeoverAlert] = field(default_factory=list)
    untold: list[Untold] = field(default_factory=list)
    unmatched: int | None = None  # active devices tied to no person; None: no device, or not recorded
    devices_passed: int = 0  # signers and administrators whose every device passes
    takeover_passed: int = 0  # signers and administrators with complete logs and no signal
    # Unknowns about no person or device: no data, a source never collected, an unreadable record.
    notes: list[str] = field(default_factory=list)


def _order(status: str) -> int:
    return OPEN.index(status) if status in OPEN else len(OPEN)


def _tally(rows: list[Stored]) -> EdrTally:
    count = {status: sum(1 for f in rows if f.status == status) for status in ("pass", "fail", "unknown")}
    return EdrTally(
        count["pass"],
        count["fail"],
        count["unknown"],
        sum(1 for f in rows if f.status == "skipped"),
        sum(1 for f in rows if f.status == "waived"),
    )


def _device_names(evidence: dict[str, Any]) -> list[str]:
    devices = evidence.get("devices") or []
    return [device_name(d) for d in devices if not d.get("retired")]


# The evidence of the unknowns the evaluation adds about no person or device (no data at all, a
# record that could not be read, a scope never collected).
PIPELINE_EVIDENCE = frozenset({"kinds", "unreadable", "collector"})


def _about_nobody(finding: Stored) -> bool:
    return finding.status in OPEN and bool(PIPELINE_EVIDENCE & finding.evidence.keys())


def _note(finding: Stored) -> str:
    return f"{finding.check_id}: {finding.message}"


def workstation_stage(session: Session, evaluation_id: int) -> WorkstationStage | None:
    """The stage of `evaluation_id`, or None when none of its three checks ran then."""
    rows = stored_findings(session, evaluation_id)
    if not rows:
        return None
    by_check: dict[str, list[Stored]] = {check: [] for check in CHECKS}
    for row in rows:
        by_check[row.check_id].append(row)
    notes: list[str] = []

    devices = []
    for f in by_check[SIGNER_DEVICES]:
        if _about_nobody(f):
            notes.append(_note(f))
            continue
        if f.status not in OPEN or "machine" in f.evidence:
            continue  # a device of nobody judged here, turned unknown by a stale listing: EDR counts it
        devices.append(
            PersonDevices(f.resource, str(f.evidence.get("role") or ""), f.status, _device_names(f.evidence),
                          f.message)
        )  # fmt: skip
    devices.sort(key=lambda line: (_order(line.status), line.person))

    machines = [f for f in by_check[EDR] if "machine" in f.evidence]
    notes += [_note(f) for f in by_check[EDR] if _about_nobody(f)]
    privileged = [f for f in machines if f.evidence.get("signer_or_admin")]
    gaps = sorted(
        (
            EdrGap(
                str(f.evidence.get("name") or f.name),
                list(f.evidence.get("owners") or []),
                f.status,
                f.message,
            )
            for f in privileged
            if f.status in OPEN
        ),
        key=lambda gap: (_order(gap.status), gap.device),
    )
    recorded = all("owners" in f.evidence for f in machines)
    unmatched = (
        sum(1 for f in machines if not f.evidence["owners"] and not f.evidence.get("retired"))
        if recorded and machines
        else None
    )

    alerts, untold = [], []
    for f in by_check[TAKEOVER]:
        role = str(f.evidence.get("role") or "")
        if f.status == "fail":
            found = signals_of(f.evidence)
            count = f.evidence.get("signal_count")
            alerts.append(
                TakeoverAlert(f.resource, role, int(count) if isinstance(count, int) else len(found), found,
                              f.message)
            )  # fmt: skip
        elif _about_nobody(f):
            notes.append(_note(f))
        elif f.status == "unknown":
            reason = f.message
            if f.evidence.get("status_if_fresh") == "fail":
                reason += f"; the last data showed: {f.evidence.get('original_reason', '')}"
            untold.append(Untold(f.resource, role, reason))
    alerts.sort(key=lambda alert: alert.person)
    untold.sort(key=lambda line: line.person)

    return WorkstationStage(
        devices=devices,
        edr=_tally(machines),
        edr_privileged=_tally(privileged),
        edr_gaps=gaps,
        alerts=alerts,
        untold=untold,
        unmatched=unmatched,
        devices_passed=sum(1 for f in by_check[SIGNER_DEVICES] if f.status == "pass"),
        takeover_passed=sum(1 for f in by_check[TAKEOVER] if f.status == "pass"),
        notes=notes,
    )
