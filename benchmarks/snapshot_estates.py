"""The demo and the second estate for `findings_snapshot.py`: each estate seeded into an
in-process moto server and its loopback vendor fakes, as `vaultward demo` and the second
estate's tests run them, collected by the real collectors into a store and evaluated.

What would differ between two runs of the same code is pinned or masked:
- moto's random ids (accounts, VPCs, groups) come from its generator, seeded first; CloudHSM
  cluster ids, which moto draws from `uuid.uuid4`, are drawn from that generator too;
- the estates date their records back from "now" (keys 200 days old, training 40 days
  ago): their modules' clock is pinned to NOW, and the evaluation runs at NOW, so every
  date and age is the same on any day. The collection Runs are stamped by the wall clock,
  after NOW: their facts are fresh (a negative age) on any day, and no snapshot line holds
  them;
- the loopback ports of the fakes and moto, which name some scopes, read `127.0.0.1:<port>`,
  and the estate's temporary folder (the Prowler import's scope) `<data_dir>`;
- lists inside evidence are sorted: some follow the order facts load in, which follows the
  order concurrent collections finished in.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from sqlalchemy.engine import Engine

from demo.organisation import seed_demo_organisation
from demo.run import DEMO_ENVIRONMENT, ISOLATED_ENVIRONMENT, demo_settings, start_emulator
from demo.saas import saas_fakes
from tests.estates.second.estate import northwind_estate
from vaultward.config.settings import Settings
from vaultward.contract import redaction
from vaultward.pipeline.collection import RunOutcome, collect
from vaultward.pipeline.evaluation import EvaluationSummary, evaluate
from vaultward.pipeline.registry import discover

MOTO_SEED = 17
NOW = datetime.fromisoformat("2026-12-07T08:00:00+00:00")  # a day the estates were written for
# The modules that date the estates' records from datetime.now().
DATED = ("demo.seeder", "demo.fakes.knowbe4", "demo.fakes.prowler", "demo.fakes.training_csv",
         "tests.estates.second.estate")  # fmt: skip
LOOPBACK = re.compile(r"\b(127\.0\.0\.1|localhost):\d+")


def canonical(value: Any) -> Any:
    """`value` with every list in it sorted (by its items' JSON)."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((canonical(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def masked(line: str, data_dir: Path) -> str:
    """A snapshot line without what differs from run to run: loopback ports, the data folder."""
    line = line.replace(str(data_dir.resolve()), "<data_dir>").replace(str(data_dir), "<data_dir>")
    return LOOPBACK.sub(r"\1:<port>", line)


@contextmanager
def pinned_clock(instant: datetime) -> Iterator[None]:
    """`datetime.now()` is `instant` in the modules that date the estates' records."""

    class Pinned(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

    with ExitStack() as stack:
        for module in DATED:
            stack.enter_context(mock.patch(f"{module}.datetime", Pinned))
        yield


@contextmanager
def seeded_moto() -> Iterator[str]:
    """A moto server on loopback, in this process, its random ids seeded; its endpoint."""
    from moto.moto_api._internal import mock_random

    for name in ISOLATED_ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(DEMO_ENVIRONMENT)
    os.environ.pop("VAULTWARD_DATABASE_URL", None)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    mock_random.seed(MOTO_SEED)
    server, endpoint = start_emulator()
    try:
        with mock.patch("moto.cloudhsmv2.models.uuid", SimpleNamespace(uuid4=mock_random.uuid4)):
            yield endpoint
    finally:
        server.stop()


@contextmanager
def estate_settings(estate: str, data_dir: Path) -> Iterator[Settings]:
    """The estate seeded and its fakes running, while the block runs; its Settings."""
    with seeded_moto() as endpoint:
        if estate == "second":
            with northwind_estate(endpoint, data_dir) as northwind:
                yield northwind.settings
            return
        organisation = seed_demo_organisation(endpoint)
        with saas_fakes(data_dir.resolve(), organisation.accounts["production"]) as saas:
            os.environ.update(saas.environment)
            yield demo_settings(organisation.settings_dict(), saas, data_dir, port=8501)


def collect_and_evaluate(
    estate: str, engine: Engine, data_dir: Path
) -> tuple[list[RunOutcome], EvaluationSummary]:
    """Collect `estate` ("demo" or "second") into the store and evaluate it."""
    registry = discover(entry_point_groups=False)
    with pinned_clock(NOW), estate_settings(estate, data_dir) as settings:
        redaction.configure(settings.credential_variables(registry.collectors))
        outcomes = collect(settings, engine, registry)
        return outcomes, evaluate(settings, engine, registry, now=NOW)
