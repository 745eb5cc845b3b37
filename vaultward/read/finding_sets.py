"""Named sets of an evaluation's findings: the open ones (the report's appendix and week-over-week
changes), the waived ones, those of given checks, the zone conflicts, the failing resources
an alert names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from vaultward.store.models import Finding

OPEN = ("fail", "unknown")
RESOURCES_NAMED = 5  # failing resources named in a check alert; the dashboard lists them all
# The check that reports zone conflicts; its failing findings carry each VPC's rules.
ZONE_CONFLICT_CHECK = "segmentation.zone_classification_consistent"


@dataclass(frozen=True)
class OpenFinding:
    """A failing or unknown finding without its evidence."""

    check_id: str
    mitigation: str
    severity: str
    resource: str
    resource_name: str
    status: str
    message: str


def open_findings(session: Session, evaluation_id: int) -> list[OpenFinding]:
    """The evaluation's failing and unknown findings. The columns only, not whole rows: at
    100,000 identities decoding the evidence of every open finding was most of the report's
    content time."""
    columns: tuple[Any, ...] = (
        Finding.check_id, Finding.mitigation, Finding.severity, Finding.resource,
        Finding.resource_name, Finding.status, Finding.message,
    )  # fmt: skip
    query = select(*columns).where(Finding.evaluation_id == evaluation_id, col(Finding.status).in_(OPEN))
    return [OpenFinding(*row) for row in session.exec(query)]


def findings_of_checks(session: Session, evaluation_id: int, check_ids: Iterable[str]) -> list[Finding]:
    """Every finding of the given checks in the evaluation, whole rows with their evidence."""
    query = select(Finding).where(
        Finding.evaluation_id == evaluation_id, col(Finding.check_id).in_(check_ids)
    )
    return list(session.exec(query).all())


@dataclass(frozen=True)
class WaivedFinding:
    check_id: str
    resource: str  # its name when it has one
    message: str
    status_if_not_waived: str
    waiver_id: int | None
    waiver_reason: str


def waived_findings(session: Session, evaluation_id: int) -> list[WaivedFinding]:
    """The evaluation's waived findings, by check and resource, listed apart from the scored ones."""
    rows = session.exec(
        select(Finding)
        .where(Finding.evaluation_id == evaluation_id, Finding.status == "waived")
        .order_by(col(Finding.check_id), col(Finding.resource))
    ).all()
    return [
        WaivedFinding(
            f.check_id,
            f.resource_name or f.resource,
            f.message,
            (f.evidence or {}).get("status_if_not_waived", ""),
            f.waiver_id,
            (f.evidence or {}).get("waiver_reason", ""),
        )
        for f in rows
    ]


@dataclass(frozen=True)
class ZoneConflict:
    vpc: str
    scope: str
    rules: str  # the disagreeing rules of `policy.zones`, comma separated
    status: str


def zone_conflicts(session: Session, evaluation_id: int) -> list[ZoneConflict]:
    """One row per VPC whose rules of `policy.zones` disagree, as its zone-consistency finding
    recorded them (failing, or since waived or turned unknown by stale facts: the rules it
    found are kept in the evidence)."""
    rows = session.exec(
        select(Finding)
        .where(Finding.evaluation_id == evaluation_id, Finding.check_id == ZONE_CONFLICT_CHECK)
        .order_by(col(Finding.resource))
    ).all()
    return [
        ZoneConflict(
            row.resource_name or row.resource,
            row.scope,
            ", ".join(map(str, (row.evidence or {}).get("classifications", []))),
            row.status,
        )
        for row in rows
        if len((row.evidence or {}).get("candidates") or []) > 1
    ]


def failing_resources(session: Session, evaluation_id: int, check_ids: list[str]) -> dict[str, list[str]]:
    """The first few failing resource names per check, sorted here (not by the database,
    whose collation differs between SQLite and PostgreSQL)."""
    names: dict[str, list[str]] = {}
    if not check_ids:
        return names
    rows = session.exec(
        select(Finding.check_id, Finding.resource_name).where(
            Finding.evaluation_id == evaluation_id,
            col(Finding.check_id).in_(check_ids),
            Finding.status == "fail",
        )
    )
    for check_id, name in rows:
        names.setdefault(check_id, []).append(name)
    return {check_id: sorted(found)[:RESOURCES_NAMED] for check_id, found in names.items()}
