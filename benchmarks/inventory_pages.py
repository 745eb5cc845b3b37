"""What do the People and Wallets pages cost at size? Seeds a synthetic organisation
(benchmarks/synthetic/store.py) at --identities, renders each page with Streamlit's AppTest
first on empty caches (people and wallets resolved from the latest facts) and then again in
the same process (from the cache, which holds until a run finishes or an evaluation is
stored, or for an hour), and prints both times and the peak memory.

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
from vaultward.store.db import open_store

PAGES = ("people", "wallets")


def render_seconds(page: str) -> float:
    at = AppTest.from_string(
        f"from dashboard.app_pages.{page} import render\nrender()\n", default_timeout=600
    )
    start = time.perf_counter()
    at.run()
    if at.exception:
        sys.exit(f"the {page} page raised: {[e.value for e in at.exception]}")
    return time.perf_counter() - start


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
        os.environ["VAULTWARD_DATABASE_URL"] = url
        render_seconds("overview")  # warm-up: imports, the engine
        for page in PAGES:
            st.cache_data.clear()
            cold = render_seconds(page)
            warm = render_seconds(page)
            print(f"  {page:<8} first render {cold:6.2f} s, then {warm:5.2f} s from the cache")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
