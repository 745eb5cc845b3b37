"""Collection progress: a live rich display per scope on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from vaultward.contract.sdk import Scope
from vaultward.pipeline.collection import Progress as ProgressCallback
from vaultward.pipeline.collection import RunOutcome

log = logging.getLogger("vaultward.collect")
STYLE = {"ok": "green", "partial": "yellow", "failed": "red"}


@contextmanager
def collection_progress(console: Console) -> Iterator[ProgressCallback]:
    if not console.is_terminal:

        def plain(event: str, scope: Scope, outcome: RunOutcome | None) -> None:
            if event == "start":
                log.info("collecting %s %s", scope.collector, scope.id)
            elif outcome is not None:
                log.info(
                    "%s %s: %s, %d facts in %.1fs%s",
                    scope.collector,
                    scope.id,
                    outcome.status,
                    outcome.items,
                    outcome.seconds,
                    f" ({outcome.error})" if outcome.error else "",
                )

        yield plain
        return

    lock = threading.Lock()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        overall = progress.add_task("scopes", total=None)
        tasks: dict[tuple[str, str], TaskID] = {}

        def live(event: str, scope: Scope, outcome: RunOutcome | None) -> None:
            with lock:
                key = (scope.collector, scope.id)
                if event == "start":
                    tasks[key] = progress.add_task(f"{scope.collector} {scope.id}", total=1)
                    total = progress.tasks[overall].total or 0
                    progress.update(overall, total=total + 1)
                    return
                assert outcome is not None
                task = tasks.get(key) or progress.add_task(f"{scope.collector} {scope.id}", total=1)
                colour = STYLE.get(outcome.status, "white")
                progress.update(
                    task,
                    completed=1,
                    description=f"{scope.collector} {scope.id} [{colour}]{outcome.status}[/{colour}] "
                    f"{outcome.items} facts",
                )
                progress.advance(overall)

        yield live
