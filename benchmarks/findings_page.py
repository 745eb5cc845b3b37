"""Does a mitigation page's render time grow with the number of findings? Seeds a store with
one evaluation of 2,000 and one of 200,000 access findings (5 checks, 2 sources, 100 accounts
and tenants), renders the Access page with Streamlit's AppTest on fresh caches several times
each (unfiltered, then filtered to one account and searched), and prints the median times and
their ratio. Target: a render under 1 s at 200,000 findings, 100x the data costing at most 2x
the time (the page filters, counts and pages in the store; it used to load every finding).

    PYTHONPATH=. .venv/bin/python benchmarks/findings_page.py [--repeats 5] [--smoke]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from benchmarks.overview_render import render_times
from benchmarks.scratch_store import scratch_store
from vaultward.store.models import CheckScore, Evaluation, Finding, MitigationScore

CHECKS = [f"access.check_{n}" for n in range(5)]
STATUSES = ("pass", "pass", "fail", "unknown", "pass")
TARGET_RATIO, TARGET_SECONDS = 2.0, 1.0
SCRIPTS = {
    "unfiltered": "from dashboard.app_pages.mitigation import render\nrender('access')\n",
    "filtered": (
        "import streamlit as st\n"
        "st.session_state['access_account'] = ['acct-7']\n"
        "st.session_state['access_search'] = 'user-1'\n"
        "from dashboard.app_pages.mitigation import render\nrender('access')\n"
    ),
}


def seed(url: str, findings: int, now: datetime) -> None:
    """One evaluation with `findings` access findings, bulk-inserted."""
    from vaultward.store.db import open_store

    engine = open_store(url)
    per_check = findings // len(CHECKS)
    rows = [
        dict(evaluation_id=1, check_id=check, mitigation="access", severity="high",
             resource=f"{'okta' if n % 2 else 'aws'}:user-{n}", resource_name=f"user-{n}",
             scope=f"{'okta' if n % 2 else 'aws'}:acct-{n % 50}", status=STATUSES[n % 5],
             message=f"user-{n} has no phishing-resistant factor", evidence={"n": n, "factors": ["sms"]},
             waiver_id=None)
        for check in CHECKS for n in range(per_check)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            insert(Evaluation),
            [dict(id=1, started_at=now, finished_at=now + timedelta(seconds=30), overall_score=50.0,
                  band="weak", check_count=len(CHECKS), finding_count=len(rows), runs=[], problems=[])],
        )  # fmt: skip
        connection.execute(
            insert(MitigationScore),
            [dict(evaluation_id=1, mitigation="access", score=50.0, weight=1.0, check_count=len(CHECKS),
                  passed=0, failed=0, unknown=0, waived=0, measured=True)],
        )  # fmt: skip
        connection.execute(
            insert(CheckScore),
            [dict(evaluation_id=1, check_id=check, mitigation="access", title=check.replace("_", " "),
                  severity="high", weight=1.0, score=60.0, passed=3 * per_check // 5, failed=per_check // 5,
                  unknown=per_check // 5, waived=0, skipped=0, references=[]) for check in CHECKS],
        )  # fmt: skip
        for start in range(0, len(rows), 20_000):
            connection.execute(insert(Finding), rows[start : start + 20_000])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="renders per store and view (median reported)")
    parser.add_argument("--smoke", action="store_true", help="200 vs 2,000 findings, one render each")
    parser.add_argument("--database-url", help="a PostgreSQL server to use (a scratch database is made)")
    args = parser.parse_args()
    sizes = (200, 2_000) if args.smoke else (2_000, 200_000)
    repeats = 1 if args.smoke else args.repeats
    now = datetime.now(UTC).replace(microsecond=0)
    medians: dict[tuple[str, int], float] = {}
    for size in sizes:
        with scratch_store(args.database_url, f"findings-{size}") as url:
            start = time.perf_counter()
            seed(url, size, now)
            print(f"{size:,} findings in one evaluation, seeded in {time.perf_counter() - start:.1f} s")
            for view, script in SCRIPTS.items():
                render_times(url, 1, script=script)  # warm-up: imports, not the store
                times = render_times(url, repeats, script=script)
                medians[view, size] = statistics.median(times)
                print(
                    f"  {view:<10} median {medians[view, size] * 1000:5.0f} ms over {len(times)} "
                    f"renders (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
                )
    small, large = sizes
    for view in SCRIPTS:
        ratio = medians[view, large] / medians[view, small]
        met = ratio <= TARGET_RATIO and medians[view, large] <= TARGET_SECONDS
        print(
            f"{view} ratio {large:,}/{small:,}: {ratio:.2f}, {medians[view, large]:.2f} s at {large:,} "
            f"({'within' if met else 'OUTSIDE'} the target: ratio <= {TARGET_RATIO}, <= {TARGET_SECONDS} s)"
        )


if __name__ == "__main__":
    main()
