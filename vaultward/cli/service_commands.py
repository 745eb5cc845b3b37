"""The long-running commands and the set-up around them: `serve`, `worker`, `queue-worker`,
`db upgrade` and `demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from vaultward.cli.app import (
    State,
    app,
    db_app,
    err,
    log,
    out,
    registry_or_exit,
    settings_or_exit,
    store_failed,
    store_or_exit,
)
from vaultward.cli.failures import store_error
from vaultward.cli.store_location import DEMO_DIR
from vaultward.contract import redaction


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
    store_or_exit(settings).dispose()
    raise typer.Exit(run_server(settings, address=address, port=port))


@app.command()
def worker() -> None:
    """Run every enabled source on its schedule and re-evaluate after each run. With a task
    queue configured ([queue] broker_url), only schedule: each firing is enqueued for
    `vaultward queue-worker` processes."""
    from vaultward.ops.scheduler import run_worker

    settings = settings_or_exit()
    engine, registry = store_or_exit(settings), registry_or_exit(settings)
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
    engine, registry = store_or_exit(settings), registry_or_exit(settings)
    run_queue_worker(settings, engine, registry)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the store's schema migrations (also done automatically on first use)."""
    from vaultward.store.db import make_engine, redact_url, upgrade

    settings = settings_or_exit()
    target = redact_url(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except Exception as error:  # a URL naming no database or driver, a folder it cannot make
        raise typer.Exit(store_failed(settings, error)) from None
    try:
        before, after = upgrade(engine)
    except Exception as error:
        if store_error(error) is not None:
            raise typer.Exit(store_failed(settings, error)) from None
        err.print(f"cannot upgrade {target}: {redaction.redact(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None
    if before == after:
        out.print(f"{target}: schema is current ({after})")
    else:
        out.print(f"{target}: schema upgraded from {before or 'empty'} to {after}")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8501,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Collect and evaluate, then exit.")] = False,
    weeks: Annotated[
        int,
        typer.Option(
            min=1,
            help="Weeks of history: one collection and evaluation per week, ending this week (1: today only).",
        ),
    ] = 12,
) -> None:
    """Seed a demo organisation in a local AWS emulator, collect it with the real collectors
    and evaluate it once a simulated week (twelve weeks of history by default), and serve the
    dashboard. Its store is in --data-dir (default .vaultward-demo), a folder of its own: a
    store the demo did not create is never written to."""
    from demo.run import run_demo

    settings_or_exit()  # validates a config if one is given; the demo builds its own
    data_dir = State.data_dir or DEMO_DIR
    raise typer.Exit(
        run_demo(data_dir=data_dir, port=port, serve_dashboard=not no_serve, console=out, weeks=weeks)
    )
