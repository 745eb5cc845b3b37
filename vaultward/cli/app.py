"""The `vaultward` Typer app and what its commands share: the configuration, the store and
the registry, or a clean exit naming the problem. The commands live in the `*_commands`
modules; `vaultward.cli.main` puts them together."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.exceptions import TyperException

from vaultward.cli import failures
from vaultward.cli.failures import STORE_UNAVAILABLE, USAGE
from vaultward.cli.global_options import GlobalOptionsGroup
from vaultward.cli.output import PlainConsole, setup_logging
from vaultward.config.settings import ConfigError, Settings, load_settings
from vaultward.contract import redaction


class VaultwardGroup(GlobalOptionsGroup):
    """The root group: whatever a command lets out ends in one line and a documented exit
    code (`vaultward.cli.failures`), the traceback only with --verbose."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except Exception as error:
            raise typer.Exit(failed(error)) from None


app = typer.Typer(
    cls=VaultwardGroup,
    help="Vaultward: readiness of a crypto platform against Lazarus-style theft, with evidence.\n\n"
    "The options below go before or after the command: `vaultward status --verbose`.",
    epilog=failures.EXIT_CODES,
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
    data_dir: Path | None = None
    verbose: bool = False
    settings: Settings | None = None  # once loaded: the store a failure names


def settings_or_exit() -> Settings:
    try:
        settings = load_settings(State.config, State.data_dir)
    except ConfigError as error:
        err.print(f"[red]configuration error[/red]\n{escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(USAGE) from None
    setup_logging(settings, State.verbose)
    State.settings = settings
    return settings


def failed(error: Exception) -> int:
    """Say what `error` was, in one line (after its traceback with --verbose), and its exit code."""
    from vaultward.cli.store_location import store_origin

    settings = State.settings
    url = settings.database_url if settings is not None else None
    if State.verbose:
        failures.show_traceback(err, error, url)
    if failures.store_error(error) is None:
        err.print(failures.unexpected_message(error, url), soft_wrap=True)
        return failures.FAILED
    origin = store_origin(settings, State.data_dir) if settings is not None else None
    err.print(failures.store_message(error, url, origin), soft_wrap=True)
    return STORE_UNAVAILABLE


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Configuration file (default: $VAULTWARD_CONFIG or ./vaultward.toml)."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="VAULTWARD_DATA_DIR",
            help="Folder of the store and reports, instead of [store] data_dir (e.g. .vaultward-demo).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """The options every command takes (`GlobalOptionsGroup` moves them in front of it)."""
    State.config, State.data_dir, State.verbose = config, data_dir, verbose
    State.settings = None


def store_or_exit(settings: Settings):
    """The store, created when it does not exist yet (saying where): for commands that write."""
    from vaultward.cli.store_location import store_origin
    from vaultward.store.db import open_store, redact_url, store_exists

    try:
        new = not store_exists(settings.database_url)
        engine = open_store(settings.database_url)
    except Exception as error:
        raise typer.Exit(store_failed(settings, error)) from None
    if new:
        origin = store_origin(settings, State.data_dir)
        err.print(
            f"created the store {redact_url(settings.database_url)} (chosen by {origin})", soft_wrap=True
        )
    return engine


def existing_store_or_exit(settings: Settings):
    """`store_or_exit` for commands that only read: a store that does not exist yet is not
    created (an empty one would answer nothing); the exit names the store looked for, how to
    point at another, and the demo's store when there is one here."""
    from vaultward.store.db import store_exists

    try:
        exists = store_exists(settings.database_url)
    except Exception as error:
        raise typer.Exit(store_failed(settings, error)) from None
    if not exists:
        err.print(missing_store_message(settings), soft_wrap=True)
        raise typer.Exit(STORE_UNAVAILABLE)
    return store_or_exit(settings)


def store_failed(settings: Settings, error: Exception) -> int:
    """A store that could not be opened: gone, locked or refusing (exit 3, a line saying what
    to do), a folder it cannot be made in (3 too), a URL that names no usable database or
    driver (2), or something unexpected (1), named."""
    from sqlalchemy.exc import ArgumentError

    from vaultward.cli.store_location import store_origin
    from vaultward.store.db import redact_url

    url = settings.database_url
    origin = store_origin(settings, State.data_dir)
    if State.verbose:
        failures.show_traceback(err, error, url)
    if failures.store_error(error) is not None or isinstance(error, OSError):
        err.print(failures.store_message(error, url, origin), soft_wrap=True)
        return STORE_UNAVAILABLE
    if isinstance(error, ArgumentError | ImportError):  # NoSuchModuleError is an ArgumentError
        what = failures.first_line(error, url)
        err.print(
            f"the store URL {redact_url(url)} (chosen by {origin}) cannot be used: {what}", soft_wrap=True
        )
        return USAGE
    err.print(f"cannot open the store {redact_url(url)}: {failures.first_line(error, url)}", soft_wrap=True)
    return failures.FAILED


def check_store(engine) -> None:
    """Raise the store's error if it cannot be reached now (the root group then exits 3 naming
    it): after runs failed, it tells a store that went away from sources that failed."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def missing_store_message(settings: Settings) -> str:
    from vaultward.cli.store_location import missing_store_message as message

    return message(settings, State.data_dir)


def registry_or_exit(settings: Settings):
    from vaultward.pipeline.registry import discover

    registry = discover(settings.plugin_dir)
    for broken in registry.broken:
        err.print(f"plugin skipped: {broken}", soft_wrap=True)
    try:
        settings.enabled_sources(registry.collectors)  # every source's own keys validate
        redaction.configure(settings.credential_variables(registry.collectors))
    except ConfigError as error:
        err.print(f"[red]configuration error[/red]\n{escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(USAGE) from None
    return registry
