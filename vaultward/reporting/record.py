"""Recording reports and their deliveries: one Report per week, evaluation and content; one
successful delivery per report and target, failed ones kept as history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from vaultward.contract import redaction
from vaultward.store.models import Report, ReportDelivery, utcnow


@dataclass(frozen=True)
class DeliveryOutcome:
    target: str
    status: str  # delivered | failed | already delivered
    attempts: int = 0
    error: str | None = None
    checksums: dict[str, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)  # S3: format -> key, version_id


def find_or_add_report(
    session: Session, iso_week: str, evaluation_id: int, files: dict[str, str], checksums: dict[str, str]
) -> tuple[Report, bool]:
    """The Report of this week, evaluation and checksums; (row, whether it is new)."""
    same = session.exec(
        select(Report)
        .where(Report.iso_week == iso_week, Report.evaluation_id == evaluation_id)
        .order_by(col(Report.id))
    ).all()
    for existing in same:
        if existing.checksums == checksums:
            return existing, False
    row = Report(
        iso_week=iso_week,
        evaluation_id=evaluation_id,
        generated_at=utcnow(),
        files=files,
        checksums=checksums,
        delivered_to=[],
    )
    session.add(row)
    session.flush()
    return row, True


def delivered_targets(session: Session, report: Report) -> set[str]:
    """Where `report` went; `delivered_to` also covers reports recorded before deliveries were."""
    rows = session.exec(
        select(ReportDelivery.target).where(
            ReportDelivery.report_id == report.id, ReportDelivery.status == "delivered"
        )
    )
    return set(rows) | set(report.delivered_to)


def add_delivery(session: Session, report: Report, outcome: DeliveryOutcome) -> ReportDelivery:
    """Record one delivery; a successful one also joins `Report.delivered_to` (the list the
    dashboard shows)."""
    assert report.id is not None and outcome.status in ("delivered", "failed")
    now = utcnow()
    delivery = ReportDelivery(
        report_id=report.id,
        target=outcome.target,
        status=outcome.status,
        attempts=outcome.attempts,
        error=redaction.redact(outcome.error) if outcome.error else None,
        attempted_at=now,
        delivered_at=now if outcome.status == "delivered" else None,
        checksums=dict(outcome.checksums),
        objects=dict(outcome.objects),
    )
    session.add(delivery)
    if outcome.status == "delivered" and outcome.target not in report.delivered_to:
        report.delivered_to = [
            *report.delivered_to,
            outcome.target,
        ]  # a new list: JSON columns track assignment
        session.add(report)
    session.flush()
    return delivery


def record_delivery(session: Session, report_id: int, outcome: DeliveryOutcome) -> None:
    """Record one delivery of a stored report, in the caller's transaction."""
    # Locked: two processes delivering the same report must not lose a target.
    report = session.get(Report, report_id, with_for_update=True)
    assert report is not None
    add_delivery(session, report, outcome)
