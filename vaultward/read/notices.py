"""What Vaultward told people: the weekly reports, their delivery attempts, and the alerts
still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from vaultward.contract.vocabulary import SEVERITIES
from vaultward.store.models import AlertState, Report, ReportDelivery


@dataclass(frozen=True)
class ReportRow:
    id: int | None
    iso_week: str
    evaluation_id: int | None
    generated_at: datetime
    delivered_to: str  # comma separated
    files: dict[str, Any]


def reports(session: Session) -> list[ReportRow]:
    """Every recorded report, newest week first."""
    rows = session.exec(select(Report).order_by(col(Report.iso_week).desc(), col(Report.id).desc())).all()
    return [
        ReportRow(r.id, r.iso_week, r.evaluation_id, r.generated_at, ", ".join(r.delivered_to), dict(r.files))
        for r in rows
    ]


@dataclass(frozen=True)
class DeliveryRow:
    report_id: int
    iso_week: str
    target: str
    status: str
    attempts: int
    attempted_at: datetime
    error: str


def report_deliveries(session: Session, limit: int = 200) -> list[DeliveryRow]:
    """The latest delivery attempts (folder, S3, e-mail), newest first, failed ones included."""
    rows = session.exec(
        select(ReportDelivery, Report.iso_week)
        .join(Report, col(Report.id) == col(ReportDelivery.report_id))
        .order_by(col(ReportDelivery.attempted_at).desc(), col(ReportDelivery.id).desc())
        .limit(limit)
    ).all()
    return [
        DeliveryRow(d.report_id, week, d.target, d.status, d.attempts, d.attempted_at, d.error or "")
        for d, week in rows
    ]


@dataclass(frozen=True)
class OpenAlert:
    key: str
    kind: str
    severity: str
    title: str
    opened_at: datetime
    delivered_to: str  # comma separated
    pending: bool  # some configured channel has not accepted the notice yet
    link_path: str


def open_alerts(session: Session) -> list[OpenAlert]:
    """Alerts not yet recovered (see vaultward/alerting/alerts.py), most severe and newest first."""
    rows = session.exec(select(AlertState).where(col(AlertState.recovered_at).is_(None))).all()
    alerts = [
        OpenAlert(
            r.key,
            r.kind,
            str(r.details.get("severity", "")),
            str(r.details.get("title", r.subject)),
            r.opened_at,
            ", ".join(r.delivered_to),
            r.notified_at is None,
            str(r.details.get("link_path", "")),
        )
        for r in rows
    ]
    rank: dict[str, int] = {name: i for i, name in enumerate(SEVERITIES)}
    return sorted(alerts, key=lambda a: (rank.get(a.severity, len(rank)), -a.opened_at.timestamp(), a.key))
