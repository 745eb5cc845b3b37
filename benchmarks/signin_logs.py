"""Sign-in log collection at 100,000 events per source: the real collector of each sign-in log
source, with its default pacing, through `vaultward.pipeline.collection.run_scope` into a
SQLite store in a temporary folder, against the demo's loopback fake serving a log of
`--events` events lazily, page by page, in the vendor's largest page, each request the span it
names (benchmarks/synthetic/signin_logs.py). Two Runs per source, one after the other in the
same child process and store: the first reads the whole window; the second reads on from the
first's stored cursor, as a worker's next Run does: the runner hands it the first Run's log
and events (`scope.prior`), it asks the fake only for the overlap and what came since, and
carries the rest of the window (~100,000 events) forward. The fake runs in this process; the
collector in a fresh child process, so the peak resident memory printed (VmHWM, reset between
the Runs; `ru_maxrss` without /proc) is the collector's alone (target: under 300 MiB, each Run).

Per source and Run it prints the events stored (the second: read and carried), the log
requests made, the wall time, the achieved request rate against the collector's configured
pace and the vendor's documented limit, and the most log requests in any 60 s (and in any
10 s): by the collector's pacer clock (when it let each request go; the check: never above the
pace nor the documented limit) and by the fake's arrival times (a few milliseconds later, so
a sliding window may hold one more), plus the requests the fake refused (it enforces the
documented limit, in fixed windows as vendors do). At the documented paces a first Run of
100,000 events takes about 2 minutes (Okta, 100 pages at 50 a minute), under a minute
(Google, 2,400 a minute) and about 4 minutes (Entra, 100 pages at 4 per 10 s): measured in
full, no shortened run. The second takes a page or a few per listing.

    PYTHONPATH=. .venv/bin/python benchmarks/signin_logs.py [--events 100000]
        [--source okta|google_workspace|entra|all] [--latency 0.02] [--smoke]

Exits 1 when a Run is not ok, the events stored are not the events the fake's log holds in
the Run's window, the second Run carried fewer than half of them (it did not read on), a
window holds more requests than the pace or the documented limit allows, a request was
refused by the limit, or a Run's peak RSS is 300 MiB or more.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.signin_sources import SOURCES, Source

TARGET_MIB = 300
SMOKE_EVENTS = 2_000


@dataclass
class Child:
    """What the collecting child process reports of one Run."""

    status: str
    items: int
    events_stored: int
    seconds: float
    baseline_rss_mib: float  # before this Run (the first: after imports)
    peak_rss_mib: float  # this Run's own peak (the high-water mark is reset between Runs)
    error: str | None
    # per pacer (its name): requests let through, and the most in any 60 s / 10 s by the
    # client's clock (when the pacer let each go), which the pace bounds exactly
    paced: dict[str, tuple[int, int, int]]
    started: float = 0.0  # time.monotonic() when the Run began (the same clock as the fake's)
    events_read: int = 0  # the Run's SigninLog(s): events read from the vendor ...
    events_carried: int = 0  # ... and carried from the earlier Run
    covers_from: str = ""  # the window's start (ISO), earliest of the Run's logs


@dataclass
class Figures:
    """One Run of one source: the first reads the whole window, the second reads on from
    the first's cursor and carries the rest."""

    source: str
    run: str  # "first" or "second"
    events: int  # the events the fake's logs hold in the Run's window (what must be stored)
    child: Child
    requests: int  # log requests the fake answered
    rate_limited: int
    per_minute: float  # log requests over the Run's wall time
    most_60s: int  # by the fake's arrival times (a few ms after the client sent them)
    most_10s: int
    spec: Source

    @property
    def paced(self) -> tuple[int, int, int]:
        """(requests, most in any 60 s, most in any 10 s) by the collector's pacer clock."""
        return self.child.paced.get(self.spec.pacer, (0, 0, 0))

    def problems(self) -> list[str]:
        found = []
        name = f"{self.source} ({self.run} Run)"
        if self.child.status != "ok":
            found.append(f"{name}: the Run is {self.child.status}: {self.child.error}")
        if self.child.events_stored != self.events:
            found.append(f"{name}: {self.child.events_stored} events stored of {self.events}")
        allowed = min(self.spec.pace, self.spec.limit_per_minute)
        if self.paced[1] > allowed:
            found.append(f"{name}: {self.paced[1]} requests in 60 s by its pacer, over {allowed:.0f}")
        if self.spec.limit_per_10s is not None and self.paced[2] > self.spec.limit_per_10s:
            found.append(
                f"{name}: {self.paced[2]} requests in 10 s by its pacer, over {self.spec.limit_per_10s}"
            )
        if self.rate_limited:
            found.append(f"{name}: {self.rate_limited} requests refused by the rate limit")
        if self.child.peak_rss_mib >= TARGET_MIB:
            found.append(f"{name}: peak RSS {self.child.peak_rss_mib:.0f} MiB")
        if self.run == "second" and self.child.events_carried < self.events // 2:
            found.append(f"{name}: only {self.child.events_carried} events carried: it did not read on")
        return found

    def lines(self) -> list[str]:
        spec, child = self.spec, self.child
        if self.run == "first":
            head = f"{self.source}: {child.events_stored:,} of {self.events:,} events stored, Run {child.status}, "
        else:
            head = (
                f"{self.source}, second Run reading on: {child.events_stored:,} of {self.events:,} events "
                f"stored ({child.events_read:,} read, {child.events_carried:,} carried), Run {child.status}, "
            )
        return [
            head + f"{self.requests} log requests ({spec.page_size} events a page) in {child.seconds:.1f} s",
            f"  rate {self.per_minute:.0f}/min over the Run; pace {spec.pace}/min, documented limit "
            f"{spec.limit_per_minute:.0f}/min; most in any 60 s / 10 s: {self.paced[1]} / {self.paced[2]} "
            f"by the pacer ({self.paced[0]} requests through '{spec.pacer}'), {self.most_60s} / "
            f"{self.most_10s} by the fake's arrivals; {self.rate_limited} refused by the fake's limit",
            *([f"  limit: {spec.limit_text}"] if self.run == "first" else []),
            f"  collector peak RSS {child.peak_rss_mib:.0f} MiB (before the Run {child.baseline_rss_mib:.0f} MiB; "
            f"target < {TARGET_MIB})",
        ]


# --- the child: one collection --------------------------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak RSS: Linux's VmHWM (its own memory's high-water mark), because a
    process started by fork and exec inherits its parent's `ru_maxrss` (a large pytest process
    would read as the collector's peak); `ru_maxrss` where /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start the high-water mark again from the present RSS (Linux 4.0 on: writing 5 to
    clear_refs); where it cannot, the second Run's peak is the process's, both Runs'."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def collect_in_child(source: str, config: dict, database: str) -> list[Child]:
    """Run the real collector's every scope through run_scope into `database` twice: the
    first Run reads the whole window, the second reads on from the first's stored cursor
    (the runner hands it the first Run's log and events), as a worker's next Run would."""
    from sqlmodel import Session, col, func, select

    from benchmarks.synthetic.signin_logs import most_within
    from collectors.request_pacing import RequestPacer
    from vaultward.config.settings import parse_settings
    from vaultward.contract.records import SigninEvent, SigninLog
    from vaultward.pipeline.collection import run_scope
    from vaultward.pipeline.registry import discover
    from vaultward.store.db import open_store
    from vaultward.store.models import Fact

    sent: dict[str, list[float]] = {}
    acquire = RequestPacer.acquire

    def recorded(self: RequestPacer, *args: Any, **kwargs: Any) -> None:
        acquire(self, *args, **kwargs)
        sent.setdefault(self.name, []).append(time.monotonic())

    RequestPacer.acquire = recorded  # type: ignore[method-assign]
    engine = open_store(f"sqlite:///{database}")
    registry = discover(entry_point_groups=False)
    collector = registry.collectors[source](parse_settings({"sources": {source: config}}))
    runs = []
    for _ in range(2):
        sent.clear()
        reset_peak_rss()
        baseline = peak_rss_mib()
        started = time.monotonic()
        outcomes = [run_scope(engine, collector, scope) for scope in collector.scopes()]
        seconds = time.monotonic() - started
        peak = peak_rss_mib()
        ids = [o.run_id for o in outcomes]
        with Session(engine) as session:
            stored = session.exec(
                select(func.count()).where(Fact.kind == SigninEvent.kind, col(Fact.run_id).in_(ids))
            ).one()
            logs = session.exec(
                select(Fact.data).where(Fact.kind == SigninLog.kind, col(Fact.run_id).in_(ids))
            ).all()
        failed = [o for o in outcomes if o.status != "ok"]
        runs.append(
            Child(
                failed[0].status if failed else "ok",
                sum(o.items for o in outcomes),
                int(stored),
                seconds,
                baseline,
                peak,
                failed[0].error if failed else None,
                {
                    name: (len(times), most_within(times, 60.0), most_within(times, 10.0))
                    for name, times in sent.items()
                },
                started,
                sum(log["events_read"] for log in logs),
                sum(log.get("events_carried", 0) for log in logs),
                min((log["covers_from"] for log in logs), default=""),
            )
        )
    engine.dispose()
    return runs


def run_child(source: str, config: dict, environment: dict[str, str], folder: Path) -> list[Child]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", source, json.dumps(config)]
    argv.append(str(folder / f"{source}.db"))
    # The child imports `benchmarks` as the parent does: with the repository on its path
    # however the parent was started (pytest from an installed wheel sets no PYTHONPATH).
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **environment, "PYTHONPATH": path},
    )
    if done.returncode != 0:
        sys.exit(f"{source}: the collecting process failed:\n{done.stderr[-4000:]}")
    return [Child(**run) for run in json.loads(done.stdout.strip().splitlines()[-1])]


# --- the parent: fakes and figures ----------------------------------------------------------


def measure(source: str, events: int, latency: float, folder: Path) -> list[Figures]:
    """The first and the second Run of `source`'s collector against its lazy fake."""
    from benchmarks.synthetic import signin_logs as synthetic
    from demo.fakes import entra, google_workspace, okta

    spec = SOURCES[source]
    environment: dict[str, str] = {}
    if source == "okta":
        fake, arrivals, timelines = synthetic.okta_fake(events, latency)
        with fake:
            config = {"base_url": fake.base_url}
            environment["OKTA_API_TOKEN"] = okta.DEMO_TOKEN
            children = run_child(source, config, environment, folder)
    elif source == "entra":
        secret = "benchmark-entra-client-secret"  # noqa: S105 - the fake's own dummy credential
        fake, arrivals, timelines = synthetic.entra_fake(events, secret, latency)
        with fake:
            config = {
                "tenant_id": entra.DEMO_TENANT_ID,
                "graph_url": fake.base_url,
                "login_url": fake.base_url,
            }
            environment["ENTRA_CLIENT_ID"] = entra.DEMO_CLIENT_ID
            environment["ENTRA_CLIENT_SECRET"] = secret
            children = run_child(source, config, environment, folder)
    else:
        key, public_pem = google_workspace.make_service_account_key()
        key_file = folder / "google-service-account.json"
        key_file.write_text(json.dumps(key))
        key_file.chmod(0o600)
        fake, arrivals, timelines = synthetic.google_fake(events, public_pem)
        fake.latency = latency
        with fake:
            config = {
                "customer": "C03acme01",
                "admin_subject": synthetic.GOOGLE_ADMIN,
                "directory_url": fake.base_url,
                "token_url": fake.base_url + google_workspace.TOKEN_PATH,
            }
            environment["GOOGLE_SERVICE_ACCOUNT_FILE"] = str(key_file)
            children = run_child(source, config, environment, folder)
    all_times = arrivals.times(spec.log_path)
    # refused by the fake's limit: Okta's and Graph's 429, Google's 403 userRateLimitExceeded
    # (a clean Run has no other 403)
    statuses = arrivals.statuses(spec.log_path)
    refused = [t for t, status in zip(all_times, statuses, strict=True) if status in (403, 429)]
    second_start = children[1].started
    # the second Run must store what the logs hold in its window: the read span and the rest
    # of the first Run's events from the window's start on
    second_window = datetime.fromisoformat(children[1].covers_from) if children[1].covers_from else None
    held = sum(timeline.held(second_window) for timeline in timelines) if second_window else -1
    found = []
    for run, child, expected in (("first", children[0], events), ("second", children[1], held)):
        in_run = (lambda t: t < second_start) if run == "first" else (lambda t: t >= second_start)
        times = [t for t in all_times if in_run(t)]
        span = child.seconds or 1.0
        found.append(
            Figures(
                source,
                run,
                expected,
                child,
                len(times),
                len([t for t in refused if in_run(t)]),
                60 * len(times) / span,
                synthetic.most_within(times, 60.0),
                synthetic.most_within(times, 10.0),
                spec,
            )
        )
    return found


def benchmark(
    sources: list[str], events: int, latency: float, say: Callable[[str], None] = print
) -> list[Figures]:
    found = []
    with tempfile.TemporaryDirectory(prefix="vaultward-signin-logs-") as folder:
        for source in sources:
            for figures in measure(source, events, latency, Path(folder)):
                for line in figures.lines():
                    say(line)
                found.append(figures)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="events each source's log holds")
    parser.add_argument("--source", choices=[*SOURCES, "all"], default="all")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds each answer takes")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_EVENTS:,} events per source")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        source, config, database = args.child
        print(json.dumps([asdict(run) for run in collect_in_child(source, json.loads(config), database)]))
        return 0
    events = SMOKE_EVENTS if args.smoke else args.events
    sources = list(SOURCES) if args.source == "all" else [args.source]
    print(f"Sign-in log collection, {events:,} events per source, {args.latency}s latency", flush=True)
    started = time.monotonic()
    found = benchmark(sources, events, args.latency, lambda line: print(line, flush=True))
    problems = [problem for figures in found for problem in figures.problems()]
    print(
        f"target: every window within the pace and the documented limit, peak RSS < {TARGET_MIB} MiB: "
        + ("met" if not problems else "MISSED")
        + f"   [{time.monotonic() - started:.0f}s in all]"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
