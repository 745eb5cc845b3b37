"""`vaultward waive ...`: accept a failing finding for a while, with a reason and an owner."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from vaultward.cli.output import PlainConsole
from vaultward.store.models import Waiver, utcnow

waivers_app = typer.Typer(
    help="Accept risks for a while: add, list and revoke waivers.", no_args_is_help=True
)
out = PlainConsole()
err = PlainConsole(stderr=True)


def _engine():
    """The configured store, which must exist: a waiver is about findings already in it."""
    from vaultward.cli.app import existing_store_or_exit, settings_or_exit

    return existing_store_or_exit(settings_or_exit())


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


@waivers_app.command("add")
def add(
    check_id: Annotated[str, typer.Argument(help="The check, e.g. access.console_user_mfa.")],
    resource: Annotated[str, typer.Argument(help="Resource key or a pattern (fnmatch: *, ?).")],
    reason: Annotated[str, typer.Option(help="Why the risk is accepted.")],
    owner: Annotated[str, typer.Option(help="Who answers for it (an e-mail).")],
    expires: Annotated[str, typer.Option(help="30d, or a date like 2027-03-31 (at most a year).")] = "30d",
) -> None:
    """Waive the findings of CHECK_ID on resources matching RESOURCE until the expiry."""
    from vaultward.cli.app import settings_or_exit
    from vaultward.pipeline.registry import discover
    from vaultward.store.unit_of_work import unit_of_work
    from vaultward.store.waivers import WaiverError, create_waiver

    checks = discover(settings_or_exit().plugin_dir).checks
    try:
        with unit_of_work(_engine()) as session:
            waiver = create_waiver(
                session, check_id, resource, reason, owner, expires, checks, actor=_actor()
            )
    except WaiverError as error:
        for problem in error.problems:
            err.print(problem)
        raise typer.Exit(2) from None
    out.print(
        f"waiver {waiver.id}: {check_id} on {waiver.resource_pattern} until {waiver.expires_at:%Y-%m-%d} ({owner})"
    )


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
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "check"))
    for waiver in waivers:
        table.add_row(
            str(waiver.id), waiver.check_id, waiver.resource_pattern, waiver.owner,
            f"{waiver.expires_at:%Y-%m-%d}", waiver.state(now), waiver.reason,
        )  # fmt: skip
    out.print(table if waivers else "No waivers.")


@waivers_app.command("revoke")
def revoke(waiver_id: int) -> None:
    """End a waiver now (it stays on record as expired)."""
    from vaultward.store.unit_of_work import in_unit_of_work
    from vaultward.store.waivers import revoke_waiver

    if in_unit_of_work(_engine(), revoke_waiver, waiver_id, actor=_actor()) is None:
        err.print(f"no waiver {waiver_id}")
        raise typer.Exit(1)
    out.print(f"waiver {waiver_id} revoked")
