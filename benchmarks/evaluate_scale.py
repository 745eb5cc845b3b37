"""How does evaluation scale? Seeds a synthetic organisation at size S and 2S (each in a fresh
store), runs `vaultward.pipeline.evaluation.evaluate` with the full built-in catalog in a child process
per run (so its peak RSS is its own), and prints median wall time, peak RSS, findings written
and the 2S/S time ratio (target: <= 2.2).

    PYTHONPATH=. .venv/bin/python benchmarks/evaluate_scale.py [--identities 100000]
        [--wallets 10000] [--sg-rules 50000] [--repeats 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from benchmarks.scratch_store import scratch_store
from benchmarks.synthetic.store import Organisation, seed_facts, utc_now

TARGET = 2.2
SMOKE = Organisation(identities=400, wallets=40, sg_rules=200)


@dataclass(frozen=True)
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system: less disturbed than wall time on a shared machine
    peak_rss_mib: float
    findings: int
    evaluation_id: int


def evaluate_once(url: str, org: Organisation, now: datetime) -> Measurement:
    """One evaluation of the store at `url` with every built-in check, as the CLI runs it."""
    from vaultward.pipeline.evaluation import evaluate
    from vaultward.pipeline.registry import discover
    from vaultward.store.db import open_store

    settings = org.settings()
    engine = open_store(url)
    registry = discover(settings.plugin_dir)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    summary = evaluate(settings, engine, registry, now=now)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    engine.dispose()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak_kib = after.ru_maxrss  # KiB on Linux
    return Measurement(seconds, cpu, peak_kib / 1024, summary.findings, summary.evaluation_id)


def measure_in_child(url: str, org: Organisation, now: datetime) -> Measurement:
    """`evaluate_once` in a fresh interpreter, so neither seeding nor earlier runs count in its
    peak memory."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", url, "--now", now.isoformat()]
    argv += [
        "--identities",
        str(org.identities),
        "--wallets",
        str(org.wallets),
        "--sg-rules",
        str(org.sg_rules),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"evaluation failed:\n{done.stderr[-4000:]}")
    return Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))


def seed(url: str, org: Organisation, now: datetime) -> tuple[int, float]:
    from vaultward.store.db import open_store

    engine = open_store(url)
    start = time.perf_counter()
    facts = seed_facts(engine, org, now)
    engine.dispose()
    return facts, time.perf_counter() - start


def run_size(server_url: str | None, org: Organisation, repeats: int, now: datetime) -> list[Measurement]:
    with scratch_store(server_url, f"evaluate-{org.identities}") as url:
        facts, seeded = seed(url, org, now)
        print(
            f"{org.identities:,} identities, {org.wallets:,} wallets, {org.sg_rules:,} security-group rules: "
            f"{facts:,} facts seeded in {seeded:.1f} s",
            flush=True,
        )
        runs = []
        for _ in range(repeats):
            runs.append(measure_in_child(url, org, now))
            last = runs[-1]
            print(
                f"  evaluation {last.seconds:6.1f} s (CPU {last.cpu_seconds:5.1f} s), peak RSS {last.peak_rss_mib:6.0f} MiB, "
                f"{last.findings:,} findings",
                flush=True,
            )
        return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--wallets", type=int, default=10_000)
    parser.add_argument("--sg-rules", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3, help="evaluations per size (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite temp files)")
    parser.add_argument("--smoke", action="store_true", help="a tiny organisation, one evaluation per size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args()
    org = Organisation(args.identities, args.wallets, args.sg_rules)
    if args.child:
        print(json.dumps(asdict(evaluate_once(args.child, org, datetime.fromisoformat(args.now)))))
        return
    if args.smoke:
        org, args.repeats = SMOKE, 1
    now = utc_now()
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(f"store: {store}; {args.repeats} evaluation(s) per size, full built-in catalog")
    medians, cpu = {}, {}
    for factor in (1, 2):
        sized = Organisation(org.identities * factor, org.wallets * factor, org.sg_rules * factor, org.seed)
        runs = run_size(args.database_url, sized, args.repeats, now)
        medians[factor] = statistics.median(r.seconds for r in runs)
        cpu[factor] = statistics.median(r.cpu_seconds for r in runs)
        print(
            f"  median {medians[factor]:.1f} s (CPU {cpu[factor]:.1f} s), peak RSS {max(r.peak_rss_mib for r in runs):.0f} MiB, "
            f"{runs[-1].findings:,} findings",
            flush=True,
        )
    ratio = medians[2] / medians[1]
    verdict = "within" if ratio <= TARGET else "ABOVE"
    print(
        f"time ratio 2S/S: {ratio:.2f} ({verdict} the {TARGET} target); CPU time ratio {cpu[2] / cpu[1]:.2f}"
    )


if __name__ == "__main__":
    main()
