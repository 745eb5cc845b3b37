"""The findings, check scores and mitigation scores of one evaluation of an estate, one JSON
line each, sorted: run it before and after a change to the evaluation or the checks and
compare the files (`cmp`), to show the change leaves every finding as it was.

    PYTHONPATH=. .venv/bin/python benchmarks/findings_snapshot.py OUT
        [--estate synthetic|demo|second] [--identities 3000] [--database-url URL]

Estates: `synthetic` (default), a seeded synthetic organisation of `--identities` written
straight into the store and evaluated at a fixed clock; `demo`, the demo organisation
(demo/) and `second`, the second estate (tests/estates/second/), each collected by the real
collectors from moto and the loopback fakes (benchmarks/snapshot_estates.py), with a line
more per collection Run (collector, scope, status, facts).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from benchmarks.scratch_store import scratch_store
from benchmarks.synthetic.store import Organisation, seed_facts
from vaultward.pipeline.evaluation import EvaluationSummary, evaluate
from vaultward.pipeline.registry import discover
from vaultward.store.db import open_store
from vaultward.store.models import CheckScore, Finding, MitigationScore

NOW = datetime.fromisoformat("2026-11-24T08:00:00+00:00")  # fixed: ages in messages stay put


def evaluate_synthetic(engine: Engine, org: Organisation) -> EvaluationSummary:
    seed_facts(engine, org, NOW)
    settings = org.settings()
    return evaluate(settings, engine, discover(settings.plugin_dir), now=NOW)


def snapshot(
    engine: Engine, summary: EvaluationSummary, evidence: Callable[[Any], Any] = lambda e: e
) -> list[str]:
    """The evaluation's findings, check and mitigation scores and overall score, sorted; no
    ids or times of its own, so two evaluations of the same facts give the same lines."""
    evaluation = summary.evaluation_id
    lines: list[list[Any]] = []
    with Session(engine) as session:
        for f in session.exec(select(Finding).where(Finding.evaluation_id == evaluation)):
            lines.append([f.check_id, f.severity, f.resource, f.resource_name, f.scope, f.status, f.message,
                          evidence(f.evidence), f.waiver_id])  # fmt: skip
        for c in session.exec(select(CheckScore).where(CheckScore.evaluation_id == evaluation)):
            lines.append([c.check_id, c.score, c.passed, c.failed, c.unknown, c.waived, c.skipped])
        for m in session.exec(select(MitigationScore).where(MitigationScore.evaluation_id == evaluation)):
            lines.append([m.mitigation, m.score, m.measured])
    lines.append([summary.overall, summary.band, list(summary.problems)])
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


def estate_snapshot(estate: str, url: str, identities: int) -> list[str]:
    engine = open_store(url)
    try:
        if estate == "synthetic":
            org = Organisation(identities, identities // 10, identities // 2)
            return snapshot(engine, evaluate_synthetic(engine, org))
        from benchmarks.snapshot_estates import canonical, collect_and_evaluate, masked  # moto, the fakes

        with tempfile.TemporaryDirectory(prefix=f"vaultward-{estate}-") as folder:
            data_dir = Path(folder)
            outcomes, summary = collect_and_evaluate(estate, engine, data_dir)
        runs = [json.dumps(["run", o.collector, o.scope, o.status, o.items]) for o in outcomes]
        return sorted(masked(line, data_dir) for line in snapshot(engine, summary, canonical) + runs)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--estate", choices=("synthetic", "demo", "second"), default="synthetic")
    parser.add_argument("--identities", type=int, default=3_000, help="synthetic estate's size")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: a SQLite temp file)")
    args = parser.parse_args()
    name = f"snapshot-{args.identities}" if args.estate == "synthetic" else f"snapshot-{args.estate}"
    started = time.perf_counter()
    with scratch_store(args.database_url, name) as url:
        lines = estate_snapshot(args.estate, url, args.identities)
    args.out.write_text("\n".join(lines) + "\n")
    seconds = time.perf_counter() - started
    print(f"{args.estate}: {len(lines):,} lines written to {args.out} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
