"""`vaultward waive ...`: accept a failing finding for a while, with a reason and an owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from vaultward.models import Waiver, utcnow

waivers_app = typer.Typer(
    help="Accept risks for a while: add, list and revoke waivers.", no_args_is_help=True
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
MAX_DAYS = 365


def _engine():
    from vaultward.config import load_settings
    from vaultward.db import open_store

    return open_store(load_settings().database_url)


def parse_expiry(value: str, now: datetime) -> datetime:
    """`30d` (days from now) or an ISO date / datetime (UTC when no zone is given)."""
    if value.endswith("d") and value[:-1].isdigit():
        return now + timedelta(days=int(value[:-1]))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: expected like 30d or 2027-03-31") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@waivers_app.command("add")
def add(
    check_id: Annotated[str, typer.Argument(help="The check, e.g. access.console_user_mfa.")],
    resource: Annotated[str, typer.Argument(help="Resource key or a pattern (fnmatch: *, ?).")],
    reason: Annotated[str, typer.Option(help="Why the risk is accepted.")],
    owner: Annotated[str, typer.Option(help="Who answers for it (an e-mail).")],
    expires: Annotated[str, typer.Option(help="30d, or a date like 2027-03-31 (at most a year).")] = "30d",
) -> None:
    """Waive the findings of CHECK_ID on resources matching RESOURCE until the expiry."""
    from vaultward.registry import discover

    now = utcnow()
    expiry = parse_expiry(expires, now)
    problems = []
    if check_id not in discover().checks:
        problems.append(f"no check {check_id!r} (see `vaultward checks list`)")
    if not reason.strip():
        problems.append("--reason is empty")
    if "@" not in owner:
        problems.append(f"--owner {owner!r} is not an e-mail address")
    if not now < expiry <= now + timedelta(days=MAX_DAYS):
        problems.append(f"--expires {expires!r} must be in the future and within {MAX_DAYS} days")
    if problems:
        for problem in problems:
            err.print(problem)
        raise typer.Exit(2)
    with Session(_engine()) as session:
        waiver = Waiver(
            check_id=check_id,
            resource_pattern=resource,
            reason=reason.strip(),
            owner=owner,
            created_at=now,
            expires_at=expiry,
        )
        session.add(waiver)
        session.commit()
        out.print(f"waiver {waiver.id}: {check_id} on {resource} until {expiry:%Y-%m-%d} ({owner})")


@waivers_app.command("list")
def list_waivers(
    include_expired: Annotated[bool, typer.Option("--all", help="Also expired waivers.")] = False,
) -> None:
    """Active waivers (expired ones are flagged with --all)."""
    now = utcnow()
    with Session(_engine()) as session:
        query = select(Waiver).order_by(col(Waiver.expires_at))
        if not include_expired:
            query = query.where(Waiver.expires_at > now)
        waivers = session.exec(query).all()
    table = Table(title="Waivers", title_justify="left")
    for column in ("id", "check", "resource", "owner", "expires", "state", "reason"):
        table.add_column(column, overflow="fold")
    for waiver in waivers:
        table.add_row(
            str(waiver.id), waiver.check_id, waiver.resource_pattern, waiver.owner,
            f"{waiver.expires_at:%Y-%m-%d}", waiver.state(now), waiver.reason,
        )  # fmt: skip
    out.print(table if waivers else "No waivers.")


@waivers_app.command("revoke")
def revoke(waiver_id: int) -> None:
    """End a waiver now (it stays on record as expired)."""
    with Session(_engine()) as session:
        waiver = session.get(Waiver, waiver_id)
        if waiver is None:
            err.print(f"no waiver {waiver_id}")
            raise typer.Exit(1)
        waiver.expires_at = utcnow()
        session.add(waiver)
        session.commit()
    out.print(f"waiver {waiver_id} revoked")
