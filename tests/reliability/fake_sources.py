"""A collector for worker fault tests, loaded by `vaultward worker` through a real
`vaultward.collectors` entry point: `records` identities per scope, optionally slow and
failing at random (seeded), so a test knows exactly what a successful Run must hold."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from tests.factories import make_identity
from vaultward.contract.records import Identity, Record
from vaultward.contract.sdk import Collector, Problem, Scope


class CountedOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scopes: int = 1
    records: int = 20
    delay_seconds: float = 0.0  # per record: a slow API
    failure_rate: float = 0.0  # chance a scope raises midway
    slow_rate: float = 0.0  # chance a scope pauses `slow_seconds` midway
    slow_seconds: float = 0.5
    hold_while: str = ""  # a file: each scope waits while it exists (a collection held open)


class CountedCollector(Collector):
    name: ClassVar[str] = "counted"
    title: ClassVar[str] = "Counted test source"
    produces: ClassVar[tuple[type[Record], ...]] = (Identity,)
    options_model: ClassVar[type[BaseModel] | None] = CountedOptions

    def scopes(self) -> list[Scope]:
        return [Scope(self.name, f"counted:{n}") for n in range(1, self.options.scopes + 1)]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: CountedOptions = self.options
        chance = random.Random()  # independent per scope and run: faults land anywhere
        fail_at = options.records // 2 if chance.random() < options.failure_rate else -1
        while options.hold_while and Path(options.hold_while).exists():
            time.sleep(0.05)
        for n in range(options.records):
            if n == fail_at:
                raise ConnectionError(f"{scope.id}: injected failure after {n} records")
            if n == options.records // 2 and chance.random() < options.slow_rate:
                time.sleep(options.slow_seconds)
            time.sleep(options.delay_seconds)
            yield make_identity(key=f"{scope.id}/person{n}", name=f"person{n}", scope=scope.id)


SLOW_CHECK = '''
"""A check that takes its time (a slow plugin): the worker can be killed mid-evaluation."""
import os
import pathlib
import time

from vaultward.contract.records import Identity
from vaultward.contract.sdk import check


@check(
    id="access.slow_plugin_check",
    title="A slow plugin check",
    mitigation="access",
    severity="low",
    weight=1,
    reads=[Identity],
    references=["cis-v8:6.5"],
    remediation="None: a test plugin.",
)
def slow_plugin_check(ctx):
    """Takes SLOW_CHECK_SECONDS, after touching SLOW_CHECK_MARKER."""
    marker = os.environ.get("SLOW_CHECK_MARKER")
    if marker:
        pathlib.Path(marker).touch()
    time.sleep(float(os.environ.get("SLOW_CHECK_SECONDS", "0")))
    return []
'''


def install_entry_point(folder: Path) -> Path:
    """A distribution's metadata declaring `counted` under `vaultward.collectors`: put the
    folder on PYTHONPATH and importlib.metadata finds it like a pip-installed plugin."""
    dist = folder / "vaultward_test_sources-0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vaultward-test-sources\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(
        "[vaultward.collectors]\ncounted = tests.reliability.fake_sources:CountedCollector\n"
    )
    return folder
