"""The `vaultward` command line: collect, evaluate, status, serve, worker, db upgrade, demo."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vaultward.cli.output import PlainConsole, setup_logging
from vaultward.config.settings import ConfigError, Settings, load_settings
from vaultward.contract import redaction

app = typer.Typer(
    help="Vaultward: readiness of a crypto platform against Lazarus-style theft, with evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _add_groups() -> None:
    from vaultward.cli.checks import checks_app
    from vaultward.cli.waivers import waivers_app

    app.add_typer(checks_app, name="checks")
    app.add_typer(waivers_app, name="waive")


_add_groups()

log = logging.getLogger("vaultward")
err = PlainConsole(stderr=True)
out = PlainConsole()


class State:
    config: Path | None = None
    verbose: bool = False


def settings_or_exit() -> Settings:
    try:
        settings = load_settings(State.config)
    except ConfigError as error:
        err.print(f"[red]configuration error[/red]\n{escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(2) from None
    setup_logging(settings, State.verbose)
    return settings


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Configuration file (default: $VAULTWARD_CONFIG or ./vaultward.toml)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    State.config, State.verbose = config, verbose


def _store(settings: Settings):
    from vaultward.store.db import open_store, redact_url

    try:
        return open_store(settings.database_url)
    except Exception as error:
        err.print(
            f"cannot open the store {redact_url(settings.database_url)}: {redaction.redact(str(error))}"
        )
        raise typer.Exit(1) from None


def _registry(settings: Settings):
    from vaultward.pipeline.registry import discover

    registry = discover(settings.plugin_dir)
    for broken in registry.broken:
        err.print(f"plugin skipped: {broken}", soft_wrap=True)
    try:
        settings.enabled_sources(registry.collectors)  # every source's own keys validate
        redaction.configure(settings.credential_variables(registry.collectors))
    except ConfigError as error:
        err.print(f"[red]configuration error[/red]\n{escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(2) from None
    return registry


@app.command()
def collect(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
    ] = None,
) -> None:
    """Collect facts from every enabled source (or the named ones), one Run per scope."""
    from vaultward.pipeline.collection import collect as run_collection
    from vaultward.pipeline.progress import collection_progress

    settings = settings_or_exit()
    engine, registry = _store(settings), _registry(settings)
    try:
        with collection_progress(err) as progress:
            outcomes = run_collection(settings, engine, registry, sources=source, progress=progress)
    except (ValueError, ConfigError) as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    failed = [o for o in outcomes if o.status == "failed"]
    partial = [o for o in outcomes if o.status == "partial"]
    out.print(
        f"collected {len(outcomes)} scope(s): {len(outcomes) - len(failed) - len(partial)} ok, "
        f"{len(partial)} partial, {len(failed)} failed; {sum(o.items for o in outcomes)} facts"
    )
    for outcome in failed + partial:
        out.print(f"  {outcome.status}: {outcome.collector} {outcome.scope}: {outcome.error}", soft_wrap=True)
    if outcomes and len(failed) == len(outcomes):
        raise typer.Exit(1)


@app.command()
def evaluate() -> None:
    """Evaluate every check over the latest facts and store findings and scores."""
    from vaultward.pipeline.evaluation import evaluate as run_evaluation

    settings = settings_or_exit()
    engine, registry = _store(settings), _registry(settings)
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
    engine, registry = _store(settings), _registry(settings)
    report = latest_status(settings, engine, registry)
    runs = Table(title="Sources", title_justify="left")
    for column in ("source", "scope", "status", "finished", "items", "freshness", "error"):
        runs.add_column(column, overflow="fold")
    for row in report.runs:
        runs.add_row(*row)
    out.print(
        runs if report.runs else "No collection has run yet: try `vaultward collect` or `vaultward demo`."
    )
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


@app.command("prune")
def prune_store(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go, delete nothing.")] = False,
) -> None:
    """Delete what the `retention` settings no longer keep: findings of old evaluations (each week's
    last evaluation keeps its findings) and facts of superseded runs. The worker does this
    daily."""
    from vaultward.store.models import utcnow
    from vaultward.store.retention import prune

    settings = settings_or_exit()
    pruned = prune(_store(settings), settings.retention, utcnow(), dry_run=dry_run)
    out.print(("would have " if dry_run else "") + pruned.line(), soft_wrap=True, markup=False)


@app.command("iam-policy")
def iam_policy() -> None:
    """Print the read-only IAM policy (JSON) for the enabled AWS collectors: the actions they
    declare, and AssumeRole limited to the roles they enter."""
    import json

    from vaultward.cli.iam_policy import PolicyError
    from vaultward.cli.iam_policy import iam_policy as build_policy

    settings = settings_or_exit()
    try:
        policy = build_policy(settings, _registry(settings).collectors)
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

    if namespace is not None and namespace not in NAMESPACES:
        err.print(f"unknown standard {namespace!r}: expected one of {', '.join(NAMESPACES)}")
        raise typer.Exit(2)
    settings = settings_or_exit()
    evaluation, grouped = latest_coverage(_store(settings))
    if evaluation is None:
        out.print("No evaluation yet: run `vaultward evaluate`.")
        return
    for name, controls in grouped.items():
        if namespace and name != namespace:
            continue
        table = Table(title=NAMESPACES.get(name, name), title_justify="left")
        for column in ("control", "title", "score", "pass", "fail", "unknown", "waived", "checks"):
            table.add_column(column, overflow="fold")
        for c in controls:
            score = format_score(c.score) + ("" if c.measured else " (no data)")
            counts = (str(c.passed), str(c.failed), str(c.unknown), str(c.waived))
            table.add_row(c.control, c.title, score, *counts, " ".join(c.checks))
        out.print(table)


@app.command()
def report(
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: the last complete week).")
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
    from vaultward.reporting.files import ReportError
    from vaultward.reporting.weekly import last_complete_week, produce_and_deliver, report_folder
    from vaultward.store.models import utcnow

    settings = settings_or_exit()
    chosen = week or last_complete_week(utcnow(), settings.report.schedule.timezone)
    formats = [f.strip() for f in format.split(",") if f.strip()] if format is not None else None
    if formats is not None and not formats:
        err.print("--format: give at least one of html, pdf, csv, json, ocsf")
        raise typer.Exit(2)
    engine = _store(settings)
    try:
        run = produce_and_deliver(
            settings, engine, chosen, formats, out_dir, remote=deliver, paper=paper,
            registry=_registry(settings),
        )  # fmt: skip
    except ReportError as error:
        err.print(str(error))
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


@app.command()
def serve(
    address: Annotated[
        str | None, typer.Option(help="Address to bind (default from config: 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from config: 8501).")] = None,
) -> None:
    """Serve the dashboard (reads the store only)."""
    from vaultward.ops.serve import serve as run_server

    settings = settings_or_exit()
    _store(settings).dispose()
    raise typer.Exit(run_server(settings, address=address, port=port))


@app.command()
def worker() -> None:
    """Run every enabled source on its schedule and re-evaluate after each run. With a task
    queue configured ([queue] broker_url), only schedule: each firing is enqueued for
    `vaultward queue-worker` processes."""
    from vaultward.ops.scheduler import run_worker

    settings = settings_or_exit()
    engine, registry = _store(settings), _registry(settings)
    if not settings.queue.effective_broker_url():
        run_worker(settings, engine, registry)
        return
    from vaultward.ops.task_queue import build_task_queue

    queue = build_task_queue(settings, engine, registry)
    log.info("task queue configured: this worker schedules, queue workers collect and evaluate")
    try:
        run_worker(settings, engine, registry, enqueue=queue.enqueue_round)
    finally:
        queue.broker.close()


@app.command("queue-worker")
def queue_worker() -> None:
    """Collect and evaluate what `vaultward worker` enqueues (needs [queue] broker_url or
    $VAULTWARD_BROKER_URL); run as many as needed, on any number of machines."""
    from vaultward.ops.task_queue import run_queue_worker

    settings = settings_or_exit()
    if not settings.queue.effective_broker_url():
        err.print("no task queue: set [queue] broker_url or $VAULTWARD_BROKER_URL")
        raise typer.Exit(2)
    engine, registry = _store(settings), _registry(settings)
    run_queue_worker(settings, engine, registry)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the store's schema migrations (also done automatically on first use)."""
    from vaultward.store.db import make_engine, redact_url, upgrade

    settings = settings_or_exit()
    target = redact_url(settings.database_url)
    try:
        before, after = upgrade(make_engine(settings.database_url))
    except Exception as error:
        err.print(f"cannot upgrade {target}: {redaction.redact(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None
    if before == after:
        out.print(f"{target}: schema is current ({after})")
    else:
        out.print(f"{target}: schema upgraded from {before or 'empty'} to {after}")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8501,
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its store.")] = Path(".vaultward-demo"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Collect and evaluate, then exit.")] = False,
) -> None:
    """Seed a demo organisation in a local AWS emulator, collect it with the real collectors,
    evaluate, and serve the dashboard."""
    from demo.run import run_demo

    settings_or_exit()  # validates a config if one is given; the demo builds its own
    raise typer.Exit(run_demo(data_dir=data_dir, port=port, serve_dashboard=not no_serve, console=out))


if __name__ == "__main__":  # pragma: no cover
    app()
