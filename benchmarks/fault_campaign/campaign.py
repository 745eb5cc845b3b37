"""The faults in the order they run, and a bench per store to run them on: a temporary folder,
the store (created by a first `collect` and `evaluate`, the facts every fault must keep), the
Okta fake with hostile people in it."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from benchmarks.fault_campaign import input_faults, process_faults, store_faults
from benchmarks.fault_campaign.bench import PASSWORD, Bench
from benchmarks.fault_campaign.outcome import Outcome
from benchmarks.scratch_store import scratch_store
from demo.fakes.okta import make_okta_fake

SQLITE, POSTGRESQL = "sqlite", "postgresql"
BOTH = (SQLITE, POSTGRESQL)
Fault = Callable[[Bench], Outcome]

# name -> (fault, the stores it applies to)
FAULTS: dict[str, tuple[Fault, tuple[str, ...]]] = {
    "config-unknown-key": (input_faults.config_unknown_key, BOTH),
    "config-long-region": (input_faults.config_long_region, BOTH),
    "config-malformed": (input_faults.config_malformed, BOTH),
    "source-500s": (input_faults.source_500s, BOTH),
    "source-malformed": (input_faults.source_malformed, BOTH),
    "source-stalls": (input_faults.source_stalls, BOTH),
    "hostile-text": (input_faults.hostile_text, BOTH),
    "collect-killed": (process_faults.collect_killed, BOTH),
    "evaluate-killed": (process_faults.evaluate_killed, BOTH),
    "worker-killed": (process_faults.worker_killed, BOTH),
    "two-workers": (process_faults.two_workers, BOTH),
    "postgresql-terminated": (store_faults.postgresql_terminated, (POSTGRESQL,)),
    "postgresql-refusing": (store_faults.postgresql_refusing, (POSTGRESQL,)),
    "postgresql-unreachable": (store_faults.postgresql_unreachable, (POSTGRESQL,)),
    "sqlite-locked-briefly": (store_faults.sqlite_locked_briefly, (SQLITE,)),
    "sqlite-locked-too-long": (store_faults.sqlite_locked_too_long, (SQLITE,)),
    "sqlite-not-a-database": (store_faults.sqlite_not_a_database, (SQLITE,)),
}


class CampaignError(Exception):
    """The bench could not be set up: no fault was injected."""


@contextmanager
def bench_for(store: str, server_url: str) -> Iterator[Bench]:
    """A bench on a new store of its kind, with the facts of a first collection and an evaluation."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"vaultward-faults-{store}-")))
        okta = stack.enter_context(make_okta_fake(input_faults.hostile_okta()))
        if store == SQLITE:
            bench = Bench(store, folder, f"sqlite:///{folder / 'data' / 'vaultward.db'}", okta)
        else:
            url = stack.enter_context(scratch_store(server_url, "faults"))
            url = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
            bench = Bench(store, folder, url, okta, admin_url=server_url)
        stack.callback(bench.close)
        for step in (
            bench.run("collect", "collect", "--source", "counted", "--source", "okta", config=bench.fast),
            bench.run("evaluate", "evaluate", config=bench.fast),
        ):
            if step.code != 0:
                raise CampaignError(
                    f"{store}: the first {step.label} failed ({step.code}):\n{step.stderr[-3000:]}"
                )
        yield bench


def run_faults(bench: Bench, names: list[str], stop: threading.Event | None = None) -> list[Outcome]:
    """Each fault in turn, until `stop` is set; one that breaks off is an outcome too (not
    clean, its error said)."""
    for name in names:
        if stop is not None and stop.is_set():
            break
        fault, _stores = FAULTS[name]
        started = time.monotonic()
        try:
            outcome = fault(bench)
        except Exception as error:
            outcome = Outcome(bench.store, name)
            outcome.check(f"the campaign finished this fault ({type(error).__name__}: {error})", False)
            bench.outcomes.append(outcome)
            traceback.print_exc()
        verdict = "clean" if outcome.clean else "NOT CLEAN"
        print(
            f"[{bench.store}] {name}: {verdict} ({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    return bench.outcomes
