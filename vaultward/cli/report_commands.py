"""`vaultward report`, `frameworks` and `iam-policy`: what the store and the collectors' declarations give to people outside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaultward.cli.app import app, err, existing_store_or_exit, out, registry_or_exit, settings_or_exit
from vaultward.cli.names import known_or_exit
from vaultward.cli.output import WIDE
from vaultward.config.settings import ConfigError
from vaultward.contract import redaction


@app.command("iam-policy")
def iam_policy() -> None:
    """Print the read-only IAM policy (JSON) for the enabled AWS collectors: the actions they
    declare, and AssumeRole limited to the roles they enter."""
    import json

    from vaultward.cli.iam_policy import PolicyError
    from vaultward.cli.iam_policy import iam_policy as build_policy

    settings = settings_or_exit()
    try:
        policy = build_policy(settings, registry_or_exit(settings).collectors)
    except (ConfigError, PolicyError) as error:
        err.print(str(error), soft_wrap=True)
        raise typer.Exit(2) from None
    print(json.dumps(policy, indent=2))


@app.command()
def frameworks(
    namespace: Annotated[
        str | None,
        typer.Option(help="Only this standard: attack-mitigation, ccss, cis-v8, seal, nist-csf, attack."),
    ] = None,
) -> None:
    """The latest scores by standard: one row per control the checks cite, with its score."""
    from vaultward.pipeline.scoring import format_score
    from vaultward.read.frameworks import NAMESPACES, latest_coverage

    known_or_exit("standard", namespace, NAMESPACES)
    settings = settings_or_exit()
    evaluation, grouped = latest_coverage(existing_store_or_exit(settings))
    if evaluation is None:
        out.print("No evaluation yet: run `vaultward evaluate`.")
        return
    for name, controls in grouped.items():
        if namespace and name != namespace:
            continue
        if out.width < WIDE:  # a table would squeeze the ids: a few lines per control instead
            out.print(NAMESPACES.get(name, name))
            for c in controls:
                score = format_score(c.score) + ("" if c.measured else " (no data)")
                out.print(f"{c.control}  {c.title}", soft_wrap=True)
                out.print(
                    f"  score {score}: pass {c.passed}, fail {c.failed}, unknown {c.unknown}, waived {c.waived}"
                )
                out.print(f"  {' '.join(c.checks)}")
            continue
        table = Table(title=NAMESPACES.get(name, name), title_justify="left")
        for column in ("control", "title", "score", "pass", "fail", "unknown", "waived", "checks"):
            # Ids (the control, the checks: one a line) stay whole, so they can be copied.
            table.add_column(column, no_wrap=column in ("control", "checks"))
        for c in controls:
            score = format_score(c.score) + ("" if c.measured else " (no data)")
            counts = (str(c.passed), str(c.failed), str(c.unknown), str(c.waived))
            table.add_row(c.control, c.title, score, *counts, "\n".join(c.checks))
        out.print(table)


@app.command()
def report(
    week: Annotated[
        str | None,
        typer.Option(
            help="ISO week, e.g. 2026-W47 (default: the last complete week, or the last week with an evaluation)."
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", help="Comma-separated: html, pdf, csv, json, ocsf (default: [report].formats)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the report files (default: [report].out_dir)."),
    ] = None,
    paper: Annotated[
        str | None, typer.Option(help="PDF paper: A4 or Letter (default from [report] paper).")
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver", help="Also send it to S3 and e-mail as [report] configures.")
    ] = False,
) -> None:
    """Write the weekly posture report of one ISO week (its last evaluation, compared with the
    week before) and record it; re-running a week rewrites the same bytes and delivers nothing
    twice. Exit 1 when a delivery still fails after its retries."""
    from vaultward.reporting.files import FORMATS, PAPERS, ReportError, week_range
    from vaultward.reporting.weekly import last_complete_week, produce_and_deliver, report_folder
    from vaultward.reporting.weeks import default_week, week_bounds
    from vaultward.store.models import utcnow

    settings = settings_or_exit()
    formats = [f.strip() for f in format.split(",") if f.strip()] if format is not None else None
    if formats is not None and not formats:
        err.print("--format: give at least one of html, pdf, csv, json, ocsf")
        raise typer.Exit(2)
    for name in formats or []:
        known_or_exit("format", name, FORMATS)
    known_or_exit("paper", paper, PAPERS)
    registry = registry_or_exit(settings)  # the configuration's errors first
    engine = existing_store_or_exit(settings)
    chosen = week
    if chosen is None:
        last_complete = last_complete_week(utcnow(), settings.report.schedule.timezone)
        chosen, why = default_week(engine, last_complete)
        err.print(f"no --week: reporting {chosen} ({week_range(chosen)}), {why}", soft_wrap=True)
        if deliver and week_bounds(chosen)[1] > utcnow():  # recipients get weeks that are over
            err.print(
                f"--deliver sends complete weeks only: {chosen} is not over. Give --week {chosen} to send "
                "it anyway, or leave out --deliver to write it here.",
                soft_wrap=True,
            )
            raise typer.Exit(2)
    try:
        run = produce_and_deliver(
            settings, engine, chosen, formats, out_dir, remote=deliver, paper=paper,
            registry=registry,
        )  # fmt: skip
    except ReportError as error:
        err.print(str(error), soft_wrap=True)
        raise typer.Exit(2) from None
    except OSError as error:
        folder = report_folder(settings, out_dir)
        err.print(f"cannot write the report into {folder}: {redaction.redact(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None
    for name, path in run.files.paths.items():
        out.print(f"{name}: {path} (sha256 {run.files.checksums[name]})", soft_wrap=True)
    for outcome in run.deliveries:
        if outcome.status == "failed":
            out.print(f"{outcome.target}: FAILED after {outcome.attempts} attempt(s)", soft_wrap=True)
        elif outcome.status == "delivered":
            out.print(f"{outcome.target}: delivered ({outcome.attempts} attempt(s))", soft_wrap=True)
        else:
            out.print(f"{outcome.target}: already delivered", soft_wrap=True)
    if all(o.status == "already delivered" for o in run.deliveries):
        out.print(f"{chosen}: unchanged since report {run.report.id}; nothing new recorded")
    for outcome in run.failed:
        err.print(f"delivery to {outcome.target} failed: {outcome.error}", soft_wrap=True)
    if run.failed:
        err.print("the failed target(s) are recorded and tried again on the next run")
        raise typer.Exit(1)
