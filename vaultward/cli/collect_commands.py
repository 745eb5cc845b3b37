"""`vaultward collect`, `evaluate` (and its alerts), `status` and `prune`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vaultward.cli.app import (
    app,
    check_store,
    err,
    existing_store_or_exit,
    log,
    out,
    registry_or_exit,
    settings_or_exit,
    store_or_exit,
)
from vaultward.cli.output import WIDE
from vaultward.config.settings import ConfigError, Settings
from vaultward.contract import redaction


@app.command()
def collect(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
    ] = None,
) -> None:
    """Collect facts from every enabled source (or the named ones), one Run per scope. A
    source whose lease another process holds (a worker collecting it) is skipped."""
    from vaultward.ops.leased_collection import collect_leased
    from vaultward.pipeline.progress import collection_progress

    settings = settings_or_exit()
    engine, registry = store_or_exit(settings), registry_or_exit(settings)
    try:
        with collection_progress(err) as progress:
            outcomes, skipped = collect_leased(settings, engine, registry, sources=source, progress=progress)
    except (ValueError, ConfigError) as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    failed = [o for o in outcomes if o.status == "failed"]
    partial = [o for o in outcomes if o.status == "partial"]
    out.print(
        f"collected {len(outcomes)} scope(s): {len(outcomes) - len(failed) - len(partial)} ok, "
        f"{len(partial)} partial, {len(failed)} failed; {sum(o.items for o in outcomes)} facts"
        + (f"; {len(skipped)} source(s) skipped" if skipped else "")
    )
    for outcome in failed + partial:
        out.print(f"  {outcome.status}: {outcome.collector} {outcome.scope}: {outcome.error}", soft_wrap=True)
    for skip in skipped:
        out.print(f"  {skip.line()}", soft_wrap=True, markup=False)
    if failed:
        check_store(engine)  # runs that failed because the store went away: exit 3, not 1
    # Exit 1 when nothing was collected: every scope failed, or every source was skipped.
    if (outcomes or skipped) and len(failed) == len(outcomes):
        raise typer.Exit(1)


@app.command()
def evaluate() -> None:
    """Evaluate every check over the latest facts and store findings and scores."""
    from vaultward.pipeline.evaluation import evaluate as run_evaluation

    settings = settings_or_exit()
    engine, registry = store_or_exit(settings), registry_or_exit(settings)
    summary = run_evaluation(settings, engine, registry)
    out.print(f"evaluation {summary.evaluation_id}, {summary.findings} findings")
    for line in summary.lines():
        out.print(line, soft_wrap=True)
    _alert(settings, engine, registry, summary.evaluation_id)


def _alert(settings: Settings, engine, registry, evaluation_id: int) -> None:
    """Alerts for the evaluation just stored, a line each; a failure here never loses the
    evaluation (undelivered alerts are tried again after the next one)."""
    from vaultward.alerting.alerts import process_alerts

    try:
        outcomes = process_alerts(settings, engine, evaluation_id, sorted(registry.collectors))
    except Exception as error:
        log.exception("alerts failed")
        err.print(f"alerts failed: {redaction.redact(f'{type(error).__name__}: {error}')}", soft_wrap=True)
        return
    for outcome in outcomes:
        (err if outcome.failed else out).print(outcome.line(), soft_wrap=True, markup=False)


@app.command()
def status() -> None:
    """Last runs per source and scope, the latest scores, and what is stale."""
    from vaultward.read.gap_report import COLUMNS as GAP_COLUMNS
    from vaultward.read.status import latest_status

    settings = settings_or_exit()
    registry = registry_or_exit(settings)  # the configuration's errors first
    engine = existing_store_or_exit(settings)
    _reap(engine)
    report = latest_status(settings, engine, registry)
    if not report.runs:
        out.print("No collection has run yet: try `vaultward collect` or `vaultward demo`.")
    elif out.width < WIDE:  # a table would cut the scope ids: a line each, whole, to be copied
        out.print("Sources")
        for source, scope, state, finished, items, freshness, error in report.runs:
            out.print(f"{source} {scope}", no_wrap=True, overflow="ignore", crop=False)
            line = f"  {state}, finished {finished or 'never'}, {items or 0} items, {freshness}"
            out.print(line + (f", error: {error}" if error else ""))
    else:
        runs = Table(title="Sources", title_justify="left")
        for column in ("source", "scope", "status", "finished", "items", "freshness", "error"):
            runs.add_column(column, overflow="fold", no_wrap=column in ("source", "scope"))
        for row in report.runs:
            runs.add_row(*row)
        out.print(runs)
    if report.gaps:
        gaps = Table(title="What partial runs left unknown", title_justify="left")
        for column in GAP_COLUMNS:
            gaps.add_column(column, overflow="fold")
        for row in report.gaps:
            gaps.add_row(*row)
        out.print(gaps)
    if report.evaluation is None:
        out.print("No evaluation yet: run `vaultward evaluate`.")
        return
    scores = Table(title=f"Readiness {report.evaluation}", title_justify="left")
    for column in ("mitigation", "score", "checks", "pass", "fail", "unknown", "waived"):
        scores.add_column(column)
    for row in report.scores:
        scores.add_row(*row)
    out.print(scores)


def _reap(engine) -> None:
    """Mark Runs left `running` by killed processes failed; a store that cannot be written
    still shows them as interrupted (vaultward/read/runs.py judges them too)."""
    from vaultward.pipeline.orphans import reap_orphans

    try:
        reap_orphans(engine)
    except Exception as error:
        log.debug("could not mark interrupted runs failed: %s", type(error).__name__)


@app.command("prune")
def prune_store(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go, delete nothing.")] = False,
) -> None:
    """Delete what [retention] no longer keeps: findings of old evaluations (each week's
    last evaluation keeps its findings) and facts of superseded runs. The worker does this
    daily."""
    from vaultward.ops.retention import prune
    from vaultward.store.models import utcnow

    settings = settings_or_exit()
    pruned = prune(existing_store_or_exit(settings), settings.retention, utcnow(), dry_run=dry_run)
    out.print(("would have " if dry_run else "") + pruned.line(), soft_wrap=True, markup=False)
