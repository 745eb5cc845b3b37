"""The `vaultward` Typer app and what its commands share: the configuration, the store and
the registry, or a clean exit naming the problem. The commands live in the `*_commands`
modules; `vaultward.cli.main` puts them together."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

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


def store_or_exit(settings: Settings):
    from vaultward.store.db import open_store, redact_url

    try:
        return open_store(settings.database_url)
    except Exception as error:
        err.print(
            f"cannot open the store {redact_url(settings.database_url)}: {redaction.redact(str(error))}"
        )
        raise typer.Exit(1) from None


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
        raise typer.Exit(2) from None
    return registry
