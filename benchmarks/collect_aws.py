"""AWS collection at scale: a synthetic organisation in a moto server with a per-request
latency, collected by aws_organization, aws_iam and aws_network (Organizations discovery)
with the concurrent pool and with one worker. Prints wall times (medians over repeats),
requests per second, facts stored and the speed-up; exits 1 when a Run is not ok or the
facts differ from the generated organisation (or between the two collections).

    PYTHONPATH=. .venv/bin/python benchmarks/collect_aws.py [--accounts 500] [--regions 2]
        [--users 50] [--security-groups 20] [--latency 0.05] [--workers 32] [--repeats 3]
        [--serial-accounts 20] [--database-url postgresql+psycopg://...] [--smoke]

One worker at 50 ms per request would take about half an hour for 500 accounts, so unless
--serial-accounts covers them all, it collects the first N accounts only (discovery still
lists all, the rest excluded) and the full serial time is scaled linearly per account:
fixed part (discovery, the Organizations tree) + the sampled accounts' Run seconds x 500/N.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from benchmarks.synthetic.aws import OrgShape, SyntheticOrganisation
from benchmarks.synthetic.aws_server import SyntheticAws
from vaultward.config.settings import AwsSection, parse_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.registry import Registry, discover
from vaultward.store.db import open_store, redact_url
from vaultward.store.models import Fact, Run

SOURCES = ("aws_organization", "aws_iam", "aws_network")
PER_ACCOUNT = ("aws_iam", "aws_network")  # their Runs scale with the accounts
TARGET_SPEEDUP = 4.0
DUMMY_ENVIRONMENT = {  # the emulator accepts any credentials; keep boto3 away from real ones
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


@dataclass
class CollectionPass:
    """One `collect` over the organisation (or its first accounts)."""

    workers: int
    accounts: int
    seconds: float
    requests: int
    facts: Counter[str]
    per_account_seconds: float  # the aws_iam and aws_network Runs' seconds, summed
    rows: set[tuple[str, str, str, str]] = field(repr=False)  # (kind, key, scope, data)
    cpu: tuple[float, float] = (0.0, 0.0)  # CPU seconds of the collector's process, the emulator's
    problems: list[str] = field(default_factory=list)

    def scaled_seconds(self, accounts: int) -> float:
        """This pass's wall time for `accounts` accounts: its fixed part plus its per-account
        part scaled linearly (exact when it collected them all)."""
        return self.seconds - self.per_account_seconds + self.per_account_seconds * accounts / self.accounts


def collect_pass(
    aws: SyntheticAws, engine: Engine, registry: Registry, workers: int, accounts: list[str] | None = None
) -> CollectionPass:
    organisation = aws.organisation
    settings = parse_settings(organisation.settings_dict(workers, accounts), "benchmark")
    with Session(engine) as session:
        last_run = session.exec(select(func.max(Run.id))).one() or 0
    requests, emulator_cpu, collector_cpu = aws.requests(), aws.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    outcomes = collect(settings, engine, registry, sources=SOURCES)
    seconds = time.perf_counter() - started
    requests = aws.requests() - requests
    emulator_cpu, collector_cpu = aws.cpu_seconds() - emulator_cpu, time.process_time() - collector_cpu
    chosen = organisation.accounts if accounts is None else accounts
    result = CollectionPass(
        workers=workers,
        accounts=len(chosen),
        seconds=seconds,
        requests=requests,
        facts=Counter(),
        per_account_seconds=sum(o.seconds for o in outcomes if o.collector in PER_ACCOUNT),
        rows=set(),
        cpu=(collector_cpu, emulator_cpu),
    )
    with Session(engine) as session:
        runs = session.exec(select(Run).where(Run.id > last_run)).all()  # type: ignore[operator]
        facts = session.exec(select(Fact).where(Fact.run_id > last_run)).all()  # type: ignore[operator]
    result.problems += [f"{r.collector} {r.scope}: {r.status}: {r.error}" for r in runs if r.status != "ok"]
    result.facts = Counter(fact.kind for fact in facts)
    result.rows = {(f.kind, f.key, f.scope, json.dumps(f.data, sort_keys=True)) for f in facts}
    expected = organisation.expected(accounts)
    if result.facts != expected:
        result.problems.append(
            f"facts {dict(sorted(result.facts.items()))} != generated {dict(sorted(expected.items()))}"
        )
    return result


def account_scopes(organisation: SyntheticOrganisation, accounts: list[str]) -> set[str]:
    return {f"aws:{a}" for a in accounts} | {
        f"aws:{a}/{r}" for a in accounts for r in organisation.shape.region_names
    }


@dataclass
class BenchmarkResult:
    organisation: SyntheticOrganisation
    shape: OrgShape
    latency: float
    database: str
    seconds_to_seed: float
    concurrent: list[CollectionPass]
    serial: list[CollectionPass]
    problems: list[str]

    @property
    def concurrent_seconds(self) -> float:
        return statistics.median(p.seconds for p in self.concurrent)

    @property
    def serial_seconds(self) -> float:
        """One worker's median wall time, scaled to every account."""
        return statistics.median(p.scaled_seconds(self.shape.accounts) for p in self.serial)

    @property
    def speedup(self) -> float:
        return self.serial_seconds / self.concurrent_seconds

    def lines(self) -> list[str]:
        shape, fast, slow = self.shape, self.concurrent[0], self.serial[0]
        scaled = slow.accounts < shape.accounts
        lines = [
            f"AWS collection: {shape.accounts} accounts x {shape.regions} regions, {shape.users} IAM users "
            f"per account, {shape.security_groups} security groups per account and region; "
            f"{self.latency * 1000:.0f} ms per request in the emulator",
            f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, store {self.database}",
            f"seeded in {self.seconds_to_seed:.1f} s (accounts through the Organizations API, "
            "users and groups into moto's backends)",
            f"concurrent, {fast.workers} workers: median {self.concurrent_seconds:.1f} s over "
            f"{len(self.concurrent)} ({', '.join(f'{p.seconds:.1f}' for p in self.concurrent)}); "
            f"{fast.requests} requests per pass, {fast.requests / self.concurrent_seconds:.0f} requests/s; "
            f"{sum(fast.facts.values())} facts; CPU of the first pass {fast.cpu[0]:.1f} s collector, "
            f"{fast.cpu[1]:.1f} s emulator",
            f"one worker, {slow.accounts} of {shape.accounts} accounts: median "
            f"{statistics.median(p.seconds for p in self.serial):.1f} s over {len(self.serial)}; "
            f"{slow.requests} requests, {slow.requests / slow.seconds:.0f} requests/s",
        ]
        if scaled:
            per_account = slow.per_account_seconds / slow.accounts
            lines.append(
                f"one worker, scaled linearly to {shape.accounts} accounts (NOT measured): "
                f"{self.serial_seconds:.0f} s = fixed {slow.seconds - slow.per_account_seconds:.1f} s "
                f"+ {per_account:.2f} s per account x {shape.accounts}"
            )
        verdict = "met" if self.speedup >= TARGET_SPEEDUP else "NOT met"
        lines.append(
            f"speed-up of {fast.workers} workers over one: {self.speedup:.1f}x "
            f"(target >= {TARGET_SPEEDUP:.0f}x at 50 ms per request: {verdict})"
        )
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        if not self.problems:
            lines.append(
                "checked: every Run ok; facts by kind equal the generated organisation; "
                "one worker's facts equal the concurrent ones for the accounts it collected"
            )
        return lines


def run_benchmark(
    shape: OrgShape,
    latency: float,
    workers: int,
    repeats: int,
    serial_accounts: int,
    database_url: str,
    progress: Callable[[str], None] = lambda line: None,
) -> BenchmarkResult:
    """Seed, collect `repeats` times concurrently and with one worker, check every pass."""
    engine = open_store(database_url)
    registry = discover(entry_point_groups=False)
    try:
        with SyntheticAws(shape, latency) as aws:
            organisation = aws.organisation
            sample = organisation.accounts[: max(1, min(serial_accounts, shape.accounts))]
            concurrent, serial = [], []
            progress(f"seeded {shape.accounts} accounts in {aws.seconds_to_seed:.0f} s")
            for repeat in range(1, repeats + 1):  # interleaved, so drift in the shared machine hits both
                concurrent.append(collect_pass(aws, engine, registry, workers))
                progress(f"repeat {repeat}: {workers} workers {concurrent[-1].seconds:.1f} s")
                serial.append(collect_pass(aws, engine, registry, 1, sample))
                progress(f"repeat {repeat}: one worker, {len(sample)} accounts {serial[-1].seconds:.1f} s")
            seconds_to_seed = aws.seconds_to_seed
    finally:
        engine.dispose()
    problems = [p for one in concurrent + serial for p in one.problems]
    scopes = account_scopes(organisation, sample)
    if {row for row in concurrent[0].rows if row[2] in scopes} != {
        row for row in serial[0].rows if row[2] in scopes
    }:
        problems.append("one worker's facts differ from the concurrent collection's for the same accounts")
    database = "sqlite" if database_url.startswith("sqlite") else redact_url(database_url)
    return BenchmarkResult(
        organisation, shape, latency, database, seconds_to_seed, concurrent, serial, problems
    )


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=500, help="accounts, the management account included")
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--users", type=int, default=50, help="IAM users per account")
    parser.add_argument("--security-groups", type=int, default=20, help="per account and region")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request, in the emulator")
    parser.add_argument("--workers", type=int, default=AwsSection().max_workers)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--serial-accounts", type=int, default=20, help="accounts one worker collects")
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temp folder")
    parser.add_argument("--smoke", action="store_true", help="3 accounts, 5 users, 4 groups, 10 ms, once")
    args = parser.parse_args()
    if args.smoke:
        args.accounts, args.users, args.security_groups, args.latency, args.repeats = 3, 5, 4, 0.01, 1
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(DUMMY_ENVIRONMENT)
    shape = OrgShape(args.accounts, args.regions, args.users, args.security_groups)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'store.db'}"
        result = run_benchmark(
            shape, args.latency, args.workers, args.repeats, args.serial_accounts, url, progress=_stderr
        )
    for line in result.lines():
        print(line)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
