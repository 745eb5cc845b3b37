"""SaaS collection under a rate limit: the real Okta, KnowBe4 and Safe collectors, through
`vaultward.pipeline.collection.collect`, against their loopback fakes seeded with a synthetic
organisation (benchmarks/synthetic/saas.py), each fake enforcing a rate limit (default 600
requests a minute per token) and answering after a small latency. Safe is collected as
one scope per chain (four threads on one API key), so its pace is shared across threads. Runs once with the
collectors pacing themselves, then (unless --no-contrast) once with the pace off, and
prints per source the requests made, the achieved rate against the limit, the most
requests in any 10 s, the 429s the fake answered, the client's retries and the failed Runs,
and checks the stored facts are exactly the organisation's. The default size (1,000
people, as many Safes) makes about 1,000 requests per source: well over a minute's budget, so the fakes'
windows are really exercised (about 100 s per run).

    PYTHONPATH=. .venv/bin/python benchmarks/collect_saas.py [--limit 600] [--users 1000]
        [--latency 0.02] [--smoke] [--no-contrast] [--database-url postgresql+psycopg://...]

Target: with the pace on, achieved rate >= 90 % of the limit with zero failed Runs (and
no 429). Exits 1 when the paced run misses it or stores other facts than the organisation's.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from benchmarks.synthetic.saas import OrgSize, SyntheticSaas, synthetic_saas
from demo.fakes import knowbe4, okta, safe
from demo.fakes.server import FakeApi, RateLimit
from vaultward.config.settings import parse_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.registry import discover
from vaultward.store.db import open_store
from vaultward.store.models import Fact, Run

SOURCES = ("okta", "knowbe4", "safe")
TARGET_RATIO = 0.9
KNOWBE4_PAGE_SIZE = 10  # small pages, so KnowBe4 takes as many requests as Okta does


@dataclass
class SourceFigures:
    source: str
    requests: int  # answered by the fake, 429s included
    rate_limited: int  # 429s the fake's limit answered
    retries: int  # retries the client logged (429s, 5xx, transport errors)
    seconds: float  # the source's Runs, first start to last finish
    limit: int
    failed_runs: int
    facts_match: bool
    peak_10s: int  # the most requests the fake received in any 10 seconds

    @property
    def per_minute(self) -> float:
        return 60 * self.requests / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.per_minute / self.limit

    def line(self) -> str:
        return (
            f"  {self.source:8} {self.requests:6d} requests in {self.seconds:6.1f}s = "
            f"{self.per_minute:6.0f}/min ({self.ratio:4.0%} of {self.limit}/min), "
            f"peak {self.peak_10s} in 10s, {self.rate_limited} 429s, {self.retries} retries, {self.failed_runs} failed runs, "
            f"facts {'= the organisation' if self.facts_match else 'DIFFER from the organisation'}"
        )


@dataclass
class BenchmarkRun:
    paced: bool
    figures: list[SourceFigures] = field(default_factory=list)

    def lines(self) -> list[str]:
        title = (
            "pace on (rate_limit_per_minute = the limit)"
            if self.paced
            else "pace off (rate_limit_per_minute = 0)"
        )
        return [f"{title}:"] + [figure.line() for figure in self.figures]

    def problems(self) -> list[str]:
        found = []
        for figure in self.figures:
            if not figure.facts_match:
                found.append(f"{figure.source}: stored facts differ from the organisation")
            if figure.failed_runs:
                found.append(f"{figure.source}: {figure.failed_runs} failed runs")
            if self.paced and figure.rate_limited:
                found.append(f"{figure.source}: {figure.rate_limited} 429s with the pace on")
        return found


class RetryCounter(logging.Handler):
    """Counts the client's retry warnings per source (their message starts with the source)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_source: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "; retry " in message:
            self.by_source[message.split(":", 1)[0]] += 1


@contextmanager
def seeded_fakes(org: SyntheticSaas, limit: int, latency: float) -> Iterator[dict[str, FakeApi]]:
    """The Okta, KnowBe4 and Safe fakes holding `org`, enforcing `limit` a minute after `latency`."""
    org.okta.rate_limit, org.okta.window_seconds = limit, 60.0
    with ExitStack() as stack:
        okta_fake = stack.enter_context(okta.make_okta_fake(org.okta, latency=latency))
        fakes = {"okta": okta_fake}
        for name, fake in (
            ("knowbe4", knowbe4.make_knowbe4_fake(org.knowbe4)),
            ("safe", safe.make_safe_fake(org.safe)),
        ):
            fake.rate_limit, fake.latency = RateLimit(limit), latency  # 429 + Retry-After over it
            fakes[name] = stack.enter_context(fake)
        yield fakes


def peak(arrivals: list[float], seconds: float) -> int:
    """The most arrivals within any `seconds`."""
    times, most, start = sorted(arrivals), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def stored_keys(engine: Engine, run_id: int) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    with Session(engine) as session:
        for kind, key in session.exec(select(Fact.kind, Fact.key).where(Fact.run_id == run_id)):
            keys.setdefault(kind, set()).add(key)
    return keys


def collect_once(org: SyntheticSaas, url: str, limit: int, latency: float, paced: bool) -> BenchmarkRun:
    """One collection of both sources (in parallel, one scope each) against fresh fakes."""
    engine = open_store(url)
    retries = RetryCounter()
    client_log = logging.getLogger("collectors.http_api")
    client_log.addHandler(retries)
    saved = dict(os.environ)
    try:
        with seeded_fakes(org, limit, latency) as fakes:
            os.environ["OKTA_API_TOKEN"] = okta.DEMO_TOKEN
            os.environ["KNOWBE4_API_TOKEN"] = knowbe4.DEMO_TOKEN
            os.environ["SAFE_API_KEY"] = safe.DEMO_API_KEY
            pace = {"rate_limit_per_minute": limit if paced else 0}
            settings = parse_settings(
                {
                    "sources": {
                        "okta": {"base_url": fakes["okta"].base_url, **pace},
                        "knowbe4": {
                            "base_url": fakes["knowbe4"].base_url,
                            "page_size": KNOWBE4_PAGE_SIZE,
                            **pace,
                        },
                        "safe": {"base_url": fakes["safe"].base_url, "wallets": org.safe_wallets, **pace},
                    }
                }
            )
            outcomes = collect(settings, engine, discover(entry_point_groups=False), sources=SOURCES)
            run = BenchmarkRun(paced)
            for source in SOURCES:
                mine = [o for o in outcomes if o.collector == source]
                with Session(engine) as session:
                    runs = session.exec(select(Run).where(Run.id.in_([o.run_id for o in mine]))).all()  # type: ignore[union-attr]
                # Wall-clock: a source's scopes run side by side (Safe: one thread per chain).
                finished = [r.finished_at for r in runs if r.finished_at]
                seconds = (
                    (max(finished) - min(r.started_at for r in runs)).total_seconds() if finished else 0.0
                )
                keys: dict[str, set[str]] = {}
                for outcome in mine:
                    for kind, found in stored_keys(engine, outcome.run_id).items():
                        keys.setdefault(kind, set()).update(found)
                expected = org.expected[source]
                run.figures.append(
                    SourceFigures(
                        source,
                        fakes[source].counts["requests"],
                        fakes[source].counts["rate_limited"],
                        retries.by_source[source],
                        seconds,
                        limit,
                        sum(1 for o in mine if o.status != "ok"),
                        {kind: keys.get(kind, set()) for kind in expected} == expected,
                        peak(fakes[source].arrivals, 10.0),
                    )
                )
            return run
    finally:
        client_log.removeHandler(retries)
        os.environ.clear()
        os.environ.update(saved)
        engine.dispose()


def org_size(users: int) -> OrgSize:
    """`users` people (and as many Safes, at least 40, on four chains), 8 phishing tests."""
    return OrgSize(people=users, phishing_tests=8, safes=max(users, 40), chains=4)


def benchmark(
    users: int, limit: int, latency: float, contrast: bool, database_url: str | None, folder: Path
) -> list[BenchmarkRun]:
    org = synthetic_saas(org_size(users))
    runs = []
    for number, paced in enumerate([True, False] if contrast else [True]):
        url = database_url or f"sqlite:///{folder / f'store-{number}.db'}"
        runs.append(collect_once(org, url, limit, latency, paced))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=600, help="requests a minute each fake allows per token")
    parser.add_argument("--users", type=int, default=1000, help="people in the organisation")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds each answer takes")
    parser.add_argument("--smoke", action="store_true", help="20 people, 120 requests a minute, no contrast")
    parser.add_argument("--no-contrast", action="store_true", help="skip the run with the pace off")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    users, limit, contrast = args.users, args.limit, not args.no_contrast
    if args.smoke:
        users, limit, contrast = 20, 120, False
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vaultward-saas-") as folder:
        runs = benchmark(users, limit, args.latency, contrast, args.database_url, Path(folder))
    print(
        f"SaaS collection, {users} people, fakes enforcing {limit} requests/minute, {args.latency}s latency"
    )
    for run in runs:
        print("\n".join(run.lines()))
    paced = runs[0]
    slow = [f for f in paced.figures if f.ratio < TARGET_RATIO]
    print(
        f"target: achieved rate >= {TARGET_RATIO:.0%} of the limit with zero failed runs (pace on): "
        + ("met" if not slow and not paced.problems() else "MISSED")
        + f"   [{time.monotonic() - started:.0f}s in all]"
    )
    problems = paced.problems() + [f"{f.source}: achieved {f.ratio:.0%} of the limit" for f in slow]
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if args.smoke:  # the smoke run is too short for a rate figure to mean anything
        return 1 if paced.problems() else 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
