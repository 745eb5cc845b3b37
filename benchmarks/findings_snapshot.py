"""The findings, check scores and mitigation scores of one evaluation of a seeded synthetic
organisation, one JSON line each, sorted: run it before and after a change to the evaluation
or the checks and compare the files (`cmp`), to show the change leaves every finding as it was.

    PYTHONPATH=. .venv/bin/python benchmarks/findings_snapshot.py OUT [--identities 3000]
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from benchmarks.scratch_store import scratch_store
from benchmarks.synthetic.store import Organisation, seed_facts
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.store.db import open_store
from vaultward.store.models import CheckScore, Finding, MitigationScore

NOW = datetime.fromisoformat("2026-11-24T08:00:00+00:00")  # fixed: ages in messages stay put


def snapshot(url: str, org: Organisation) -> list[str]:
    engine = open_store(url)
    seed_facts(engine, org, NOW)
    settings = org.settings()
    summary = evaluate(settings, engine, discover(settings.plugin_dir), now=NOW)
    lines: list[list[Any]] = []
    with Session(engine) as session:
        for f in session.exec(select(Finding).where(Finding.evaluation_id == summary.evaluation_id)):
            lines.append([f.check_id, f.severity, f.resource, f.resource_name, f.scope, f.status, f.message,
                          f.evidence, f.waiver_id])  # fmt: skip
        for c in session.exec(select(CheckScore).where(CheckScore.evaluation_id == summary.evaluation_id)):
            lines.append([c.check_id, c.score, c.passed, c.failed, c.unknown, c.waived, c.skipped])
        for m in session.exec(
            select(MitigationScore).where(MitigationScore.evaluation_id == summary.evaluation_id)
        ):
            lines.append([m.mitigation, m.score, m.measured])
    engine.dispose()
    lines.append([summary.overall, summary.band, list(summary.problems)])
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--identities", type=int, default=3_000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: a SQLite temp file)")
    args = parser.parse_args()
    org = Organisation(args.identities, args.identities // 10, args.identities // 2)
    with scratch_store(args.database_url, f"snapshot-{args.identities}") as url:
        lines = snapshot(url, org)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"{len(lines):,} lines written to {args.out}")


if __name__ == "__main__":
    main()
