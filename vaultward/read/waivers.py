"""Waivers as the admins recorded them, those about to expire, and the audit trail of admin
actions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vaultward.store.models import AuditEvent, Waiver


@dataclass(frozen=True)
class WaiverRow:
    id: int | None
    check_id: str
    resource_pattern: str
    owner: str
    reason: str
    created_at: datetime
    expires_at: datetime
    state: str  # active, expires soon, expired (at the moment asked)


def waivers(session: Session, now: datetime) -> list[WaiverRow]:
    """Every waiver, soonest expiry first, with its state at `now`."""
    rows = session.exec(select(Waiver).order_by(col(Waiver.expires_at))).all()
    return [
        WaiverRow(
            w.id, w.check_id, w.resource_pattern, w.owner, w.reason, w.created_at, w.expires_at, w.state(now)
        )
        for w in rows
    ]


def waivers_expiring(session: Session, after: datetime, within: timedelta) -> list[Waiver]:
    """The waivers that expire in (after, after + within], soonest first."""
    return list(
        session.exec(
            select(Waiver)
            .where(col(Waiver.expires_at) > after)
            .where(col(Waiver.expires_at) <= after + within)
            .order_by(col(Waiver.expires_at), col(Waiver.id))
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    details: str  # JSON text, keys sorted


def audit_events(session: Session, limit: int = 200) -> list[AuditRow]:
    """The latest admin actions, newest first."""
    rows = session.exec(
        select(AuditEvent).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
    ).all()
    return [AuditRow(e.at, e.actor, e.action, e.target, json.dumps(e.details, sort_keys=True)) for e in rows]
