"""Accepting a risk for a while: validated waivers, each one recorded in the audit table.
The CLI (`vaultward waive`) and the dashboard's Waivers page both create them here, each in
a unit of work of its own (the waiver and its audit event commit together or not at all)."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from vaultward.store.models import AuditEvent, Waiver, utcnow

MAX_DAYS = 365


class WaiverError(ValueError):
    """What is wrong with a waiver, one problem per entry of `problems`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_expiry(value: str, now: datetime) -> datetime:
    """`30d` (days from now) or an ISO date / datetime (UTC when no zone is given)."""
    value = value.strip()
    if value.endswith("d") and value[:-1].isdigit():
        return now + timedelta(days=int(value[:-1]))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise WaiverError([f"expiry {value!r}: expected like 30d or 2027-03-31"]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_waiver(
    session: Session,
    check_id: str,
    resource: str,
    reason: str,
    owner: str,
    expires: str,
    known_checks: Collection[str],
    actor: str,
    now: datetime | None = None,
) -> Waiver:
    """Add a waiver and its audit event to the caller's transaction, or raise `WaiverError`
    naming every problem (nothing is added then)."""
    now = now or utcnow()
    problems = []
    try:
        expiry: datetime | None = parse_expiry(expires, now)
    except WaiverError as error:
        problems += error.problems
        expiry = None
    if check_id not in known_checks:
        close = difflib.get_close_matches(check_id, sorted(known_checks), n=3, cutoff=0.6)
        guess = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        problems.append(f"no check {check_id!r}{guess} (see `vaultward checks list`)")
    if not resource.strip():
        problems.append("the resource (a key or an fnmatch pattern such as *) is empty")
    if not reason.strip():
        problems.append("the reason is empty")
    if "@" not in owner:
        problems.append(f"owner {owner!r} is not an e-mail address")
    if expiry is not None and not now < expiry <= now + timedelta(days=MAX_DAYS):
        problems.append(f"expiry {expires!r} must be in the future and within {MAX_DAYS} days")
    if problems:
        raise WaiverError(problems)
    assert expiry is not None
    waiver = Waiver(
        check_id=check_id,
        resource_pattern=resource.strip(),
        reason=reason.strip(),
        owner=owner.strip(),
        created_at=now,
        expires_at=expiry,
    )
    session.add(waiver)
    session.flush()
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="waiver.create",
            target=f"waiver {waiver.id}",
            details={
                "check_id": check_id,
                "resource": waiver.resource_pattern,
                "owner": waiver.owner,
                "expires_at": expiry.isoformat(),
                "reason": waiver.reason,
            },
        )
    )
    session.flush()
    return waiver


def revoke_waiver(session: Session, waiver_id: int, actor: str, now: datetime | None = None) -> Waiver | None:
    """End a waiver now (it stays on record as expired); None when there is no such waiver."""
    now = now or utcnow()
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        return None
    waiver.expires_at = now
    session.add(AuditEvent(at=now, actor=actor, action="waiver.revoke", target=f"waiver {waiver_id}"))
    session.flush()
    return waiver
