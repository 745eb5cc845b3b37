"""What does every dashboard page cost at size, right after a new evaluation? Seeds a synthetic
organisation (benchmarks/synthetic/store.py) at --identities, evaluates it with every built-in
check under the organisation's policy (as the worker does), then renders each page with
Streamlit's AppTest first on empty caches (the first render after a new evaluation) and then
again in the same process (from the cache), and prints both times, the evaluation's time and
the peak memory. Target: every first render <= 1.5 s.

    PYTHONPATH=. .venv/bin/python benchmarks/inventory_pages.py [--identities 100000] [--smoke]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.scratch_store import scratch_store
from benchmarks.synthetic.store import Organisation, seed_facts, utc_now
from dashboard import inventories
from vaultward.store.db import open_store

TARGET = 1.5
# (label, page module, its render() arguments): every page of dashboard/app.py
PAGES = (
    ("overview", "overview", ()),
    ("attack-path", "attack_path", ()),
    ("trends", "trends", ()),
    *(
        (name, "mitigation", (name,))
        for name in ("custody", "training", "access", "segmentation", "detection")
    ),
    ("people", "people", ()),
    ("wallets", "wallets", ()),
    ("checks", "catalog", ()),
    ("waivers", "waivers", ()),
    ("reports", "reports", ()),
    ("sources", "sources", ()),
)


def render_seconds(page: str, args: tuple[str, ...] = ()) -> float:
    call = ", ".join(repr(a) for a in args)
    at = AppTest.from_string(
        f"from dashboard.app_pages.{page} import render\nrender({call})\n", default_timeout=600
    )
    start = time.perf_counter()
    at.run()
    if at.exception:
        sys.exit(f"the {page} page raised: {[e.value for e in at.exception]}")
    return time.perf_counter() - start


def evaluate_seconds(url: str, org: Organisation) -> float:
    """One evaluation with every built-in check, as the CLI runs it."""
    from vaultward.pipeline.evaluation import evaluate
    from vaultward.pipeline.registry import discover

    engine = open_store(url)
    start = time.perf_counter()
    settings = org.settings()
    evaluate(settings, engine, discover(settings.plugin_dir))
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="500 identities")
    parser.add_argument("--database-url", help="a PostgreSQL server to use (a scratch database is made)")
    args = parser.parse_args()
    size = 500 if args.smoke else args.identities
    org = Organisation(size, max(10, size // 10), max(100, size // 2))
    with scratch_store(args.database_url, f"inventory-{size}") as url:
        engine = open_store(url)
        facts = seed_facts(engine, org, utc_now())
        engine.dispose()
        print(f"{size:,} identities ({org.people:,} people, {org.wallets:,} wallets): {facts:,} facts")
        print(f"  evaluation {evaluate_seconds(url, org):.2f} s")
        os.environ["VAULTWARD_DATABASE_URL"] = url
        render_seconds("catalog")  # warm-up: imports, the engine, the registry
        slowest = 0.0
        for label, page, page_args in PAGES:
            st.cache_data.clear()
            inventories.forget()  # shared frames, a resource cache
            cold = render_seconds(page, page_args)
            warm = render_seconds(page, page_args)
            slowest = max(slowest, cold)
            print(f"  {label:<12} first render {cold:6.2f} s, then {warm:5.2f} s from the cache")
        verdict = "within" if slowest <= TARGET else "over"
        print(f"slowest first render {slowest:.2f} s ({verdict} the {TARGET} s target)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
