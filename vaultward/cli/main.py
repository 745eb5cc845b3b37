"""The `vaultward` command line: collect, evaluate, status, report, serve, worker, db upgrade,
demo, checks, waive. The app and its shared helpers are in `vaultward.cli.app`; importing the
`*_commands` modules registers their commands on it, in this order."""

from __future__ import annotations

from vaultward.cli import collect_commands, report_commands, service_commands
from vaultward.cli.app import app

COMMAND_MODULES = (collect_commands, report_commands, service_commands)
__all__ = ["app"]

if __name__ == "__main__":  # pragma: no cover
    app()
