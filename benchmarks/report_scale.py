"""How long does the weekly report take at scale? Seeds a synthetic organisation (default
100,000 identities) with 12 weeks of daily scores, evaluates it a week ago and now, then
times the report's content and each format (JSON, CSV, HTML, PDF), the median over
--repeats builds, with sizes and the PDF's page count.

    PYTHONPATH=. .venv/bin/python benchmarks/report_scale.py [--identities 100000]
        [--wallets 10000] [--sg-rules 50000] [--repeats 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--smoke]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.scratch_store import scratch_store
from benchmarks.synthetic.history import seed_history
from benchmarks.synthetic.store import Organisation, seed_facts, utc_now
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.reporting.files import build_report, iso_week_of, report_files
from vaultward.store.db import open_store

SMOKE = Organisation(identities=400, wallets=40, sg_rules=200)
HISTORY_DAYS = 84
FORMATS = ("json", "csv", "html", "pdf")


@dataclass(frozen=True)
class Timed:
    name: str
    seconds: float
    size: int = 0


def prepare(url: str, org: Organisation, now: datetime) -> int:
    """Facts, 12 weeks of daily scores before last week, and real evaluations a week ago and
    now (so week-over-week changes are real); the open findings of the latest."""
    engine = open_store(url)
    settings = org.settings()
    registry = discover(settings.plugin_dir)
    seed_facts(engine, org, now)
    checks = sorted((spec.id, spec.mitigation) for spec in registry.checks.values())
    seed_history(engine, HISTORY_DAYS, now - timedelta(days=7), checks)
    evaluate(settings, engine, registry, now=now - timedelta(days=7))
    summary = evaluate(settings, engine, registry, now=now)
    engine.dispose()
    return summary.findings


def pdf_pages(path: Path) -> int | None:
    """Pages of a PDF as poppler's pdfinfo counts them; None without poppler-utils."""
    try:
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
    return int(found.group(1)) if found else None


def time_report(url: str, org: Organisation, now: datetime, out_dir: Path) -> tuple[list[Timed], int, int]:
    """(timings, open findings in the report, printed rows) for the week of `now`."""
    engine = open_store(url)
    registry = discover(org.settings().plugin_dir)
    start = time.perf_counter()
    report = build_report(engine, iso_week_of(now), registry)
    timings = [Timed("content", time.perf_counter() - start)]
    for name in FORMATS:
        start = time.perf_counter()
        filename, content = report_files(report, [name])[name]
        timings.append(Timed(name, time.perf_counter() - start, len(content)))
        (out_dir / filename).write_bytes(content)
    engine.dispose()
    from vaultward.reporting.appendix import printable

    return timings, len(report.failing), len(printable(report.failing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--wallets", type=int, default=10_000)
    parser.add_argument("--sg-rules", type=int, default=50_000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: a SQLite temp file)")
    parser.add_argument("--out", type=Path, help="keep the report files here (default: a temp folder)")
    parser.add_argument("--repeats", type=int, default=3, help="report builds (median reported)")
    parser.add_argument("--smoke", action="store_true", help="a tiny organisation, one build")
    args = parser.parse_args()
    repeats = 1 if args.smoke else max(1, args.repeats)
    org = SMOKE if args.smoke else Organisation(args.identities, args.wallets, args.sg_rules)
    now = utc_now()
    store = "PostgreSQL" if args.database_url else "SQLite"
    with (
        scratch_store(args.database_url, f"report-{org.identities}") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        out_dir = args.out or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        findings = prepare(url, org, now)
        print(
            f"store: {store}; {org.identities:,} identities, {org.wallets:,} wallets, {org.sg_rules:,} "
            f"security-group rules, {HISTORY_DAYS} days of scores; {findings:,} findings in the "
            f"latest evaluation (prepared in {time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        runs = [time_report(url, org, now, out_dir) for _ in range(repeats)]
        _, open_count, printed = runs[0]
        timings = [
            Timed(step.name, statistics.median(run[0][n].seconds for run in runs), step.size)
            for n, step in enumerate(runs[0][0])
        ]
        for timed in timings:
            size = f", {timed.size / 1024:,.0f} KiB" if timed.size else ""
            print(f"  {timed.name:<8} {timed.seconds:6.1f} s{size} (median of {repeats})")
        pdf = next(out_dir.glob("*.pdf"))
        print(
            f"  total    {sum(t.seconds for t in timings):6.1f} s; {open_count:,} open findings "
            f"({printed:,} rows printed in the appendix, every one in the CSV and JSON); "
            f"PDF {pdf_pages(pdf)} pages; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
