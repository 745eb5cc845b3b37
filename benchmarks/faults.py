"""Fault campaign: injects faults against the real CLI (`python -m vaultward ...` in a temporary
folder, simulated sources) on SQLite and on PostgreSQL, and prints per fault what the user
saw, whether it ended cleanly and what the store kept, as a markdown table, then
"faults injected N, ended cleanly M, facts lost 0, duplicated 0, runs orphaned 0, ...".
Exits 1 when a fact was lost or duplicated, a Run or evaluation half written, or a secret
printed; a fault that did not end cleanly is reported, not fatal. benchmarks/README.md says
what each fault expects.

    PYTHONPATH=. .venv/bin/python benchmarks/faults.py [--store sqlite|postgresql|both]
        [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--only FAULT ...] [--list] [--smoke]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

from benchmarks.fault_campaign.campaign import BOTH, FAULTS, SQLITE, CampaignError, bench_for, run_faults
from benchmarks.fault_campaign.outcome import Outcome, Totals, table

SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SMOKE = ["config-malformed", "collect-killed", "sqlite-not-a-database"]  # on SQLite, for CI


def campaign(store: str, names: list[str], server_url: str, stop: threading.Event) -> list[Outcome]:
    with bench_for(store, server_url) as bench:
        return run_faults(bench, names, stop)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=[*BOTH, "both"], default="both")
    parser.add_argument(
        "--server-url", default=SERVER_URL, help="a PostgreSQL server's URL: a scratch database is made there"
    )
    parser.add_argument("--only", action="append", choices=sorted(FAULTS), metavar="FAULT", help="repeatable")
    parser.add_argument("--list", action="store_true", help="list the faults and the stores they apply to")
    parser.add_argument("--smoke", action="store_true", help=f"only {', '.join(SMOKE)}, on SQLite")
    args = parser.parse_args()
    if args.smoke:
        args.store, args.only = SQLITE, SMOKE
    if args.list:
        for name, (_fault, stores) in FAULTS.items():
            print(f"{name:24} {', '.join(stores)}")
        return 0
    stores = BOTH if args.store == "both" else (args.store,)
    plans = {
        store: [
            name for name, (_f, where) in FAULTS.items() if store in where and name in (args.only or FAULTS)
        ]
        for store in stores
    }
    started = time.monotonic()
    # The stores side by side, a bench each: the campaign takes the time of the longer one.
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        runs = [
            pool.submit(campaign, store, names, args.server_url, stop)
            for store, names in plans.items()
            if names
        ]
        try:
            wait(runs)
        except KeyboardInterrupt:  # the faults under way end, their benches are cleaned up
            print("stopping after the faults under way", file=sys.stderr, flush=True)
            stop.set()
            wait(runs)
        try:
            outcomes = [outcome for run in runs for outcome in run.result()]
        except CampaignError as error:
            print(error, file=sys.stderr)
            return 2
    totals = Totals.of(outcomes)
    print(table(outcomes))
    print()
    print(totals.line())
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if not totals.integrity_held:
        return 1
    return 130 if stop.is_set() else 0  # stopped early: not the whole campaign


if __name__ == "__main__":
    sys.exit(main())
