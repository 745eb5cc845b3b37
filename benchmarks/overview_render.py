"""Does the Overview page's render time grow with history? Seeds a SQLite store with 7 and
with 730 daily evaluations (25 checks over 5 mitigations, 300 findings and 8 collector Runs a
day), renders the Overview with Streamlit's AppTest on fresh caches several times each, and
prints the median times and their ratio (target: <= 1.5).

    PYTHONPATH=. .venv/bin/python benchmarks/overview_render.py [--repeats 7]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy import Engine, insert
from streamlit.testing.v1 import AppTest

from benchmarks.scratch_store import scratch_store
from vaultward.store.db import open_store
from vaultward.store.models import CheckScore, Evaluation, Finding, MitigationScore, Run

MITIGATIONS = ("custody", "training", "access", "segmentation", "detection")
CHECKS = [(f"{mitigation}.check_{n}", mitigation) for mitigation in MITIGATIONS for n in range(5)]
FINDINGS_PER_EVALUATION = 300
COLLECTORS = ("aws_iam", "aws_network", "aws_custody", "aws_detection", "okta", "knowbe4", "safe", "bitgo")
STATUSES = ("pass", "pass", "pass", "fail", "unknown")
PAGES = ("overview", "trends", "sources")  # the ratio target is the Overview's; the others for reference
TARGET = 1.5


def seed(engine: Engine, days: int, now: datetime) -> None:
    """`days` daily evaluations up to `now`, each with the Runs it used, bulk-inserted."""
    runs, evaluations, mitigation_scores, check_scores, findings = [], [], [], [], []
    for day in range(days):
        evaluation_id = day + 1
        started = now - timedelta(days=days - 1 - day)
        run_ids = []
        for n, collector in enumerate(COLLECTORS):
            run_id = day * len(COLLECTORS) + n + 1
            run_ids.append(run_id)
            runs.append(
                dict(id=run_id, collector=collector, scope=f"{collector}:acme", status="ok",
                     started_at=started - timedelta(minutes=20), finished_at=started - timedelta(minutes=19),
                     item_count=120, counts={}, error=None)
            )  # fmt: skip
        score = 40 + 30 * day / max(days, 1)
        evaluations.append(
            dict(id=evaluation_id, started_at=started, finished_at=started + timedelta(seconds=30),
                 overall_score=score, band="fair", check_count=len(CHECKS),
                 finding_count=FINDINGS_PER_EVALUATION, runs=run_ids, problems=[])
        )  # fmt: skip
        for mitigation in MITIGATIONS:
            mitigation_scores.append(
                dict(evaluation_id=evaluation_id, mitigation=mitigation, score=score, weight=1.0,
                     check_count=5, passed=36, failed=12, unknown=12, waived=0, measured=True)
            )  # fmt: skip
        for check_id, mitigation in CHECKS:
            check_scores.append(
                dict(evaluation_id=evaluation_id, check_id=check_id, mitigation=mitigation,
                     title=check_id.replace("_", " "), severity="high", weight=2.0, score=score,
                     passed=7, failed=2, unknown=3, waived=0, skipped=0, references=["cis-v8:6.5"])
            )  # fmt: skip
        for n in range(FINDINGS_PER_EVALUATION):
            check_id, mitigation = CHECKS[n % len(CHECKS)]
            findings.append(
                dict(evaluation_id=evaluation_id, check_id=check_id, mitigation=mitigation,
                     severity="high", resource=f"arn:aws:iam::111111111111:user/u{n}",
                     resource_name=f"u{n}", scope="aws:111111111111", status=STATUSES[n % 5],
                     message=f"user u{n} has no MFA device", evidence={"mfa": False, "n": n},
                     waiver_id=None)
            )  # fmt: skip
    with engine.begin() as connection:
        for model, rows in (
            (Run, runs),
            (Evaluation, evaluations),
            (MitigationScore, mitigation_scores),
            (CheckScore, check_scores),
            (Finding, findings),
        ):
            connection.execute(insert(model), rows)  # type: ignore[arg-type]


def render_times(url: str, repeats: int, page: str = "overview", script: str | None = None) -> list[float]:
    """Seconds per render of one dashboard page (or of `script`), each on fresh caches
    (nothing carried over)."""
    os.environ["VAULTWARD_DATABASE_URL"] = url
    script = script or f"from dashboard.app_pages.{page} import render\nrender()\n"
    times = []
    for _ in range(repeats):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_string(script, default_timeout=120)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            sys.exit(f"the page raised: {[e.value for e in at.exception]}")
    return times


def main(argv: list[str] | None = None) -> dict[tuple[str, int], float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="renders per store (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite temp files)")
    parser.add_argument("--smoke", action="store_true", help="2 and 14 days of history, one render each")
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    short, long = (2, 14) if args.smoke else (7, 730)
    repeats = 1 if args.smoke else args.repeats
    medians: dict[tuple[str, int], float] = {}
    print(f"store: {'PostgreSQL' if args.database_url else 'SQLite'}")
    for days in (short, long):
        with scratch_store(args.database_url, f"history-{days}") as url:
            engine = open_store(url)
            start = time.perf_counter()
            seed(engine, days, now)
            engine.dispose()
            seeded = time.perf_counter() - start
            print(
                f"{days} daily evaluations ({days * FINDINGS_PER_EVALUATION:,} findings, "
                f"{days * len(COLLECTORS):,} runs), seeded in {seeded:.1f} s"
            )
            for page in PAGES:
                render_times(url, 1, page)  # warm-up: imports and the check registry, not the store
                times = render_times(url, repeats, page)
                medians[page, days] = statistics.median(times)
                print(
                    f"  {page:<9} median {medians[page, days] * 1000:5.0f} ms over {len(times)} renders "
                    f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
                )
    for page in PAGES:
        ratio = medians[page, long] / medians[page, short]
        verdict = (
            f" ({'within' if ratio <= TARGET else 'ABOVE'} the {TARGET} target)" if page == "overview" else ""
        )
        print(f"{page} ratio {long}/{short}: {ratio:.2f}{verdict}")
    return medians


if __name__ == "__main__":
    main()
