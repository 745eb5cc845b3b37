"""A bench for one store: a temporary folder, the store (a SQLite file chosen by --data-dir, or
a scratch PostgreSQL database), the simulated sources (the `counted` test source of
tests/reliability and the demo's Okta fake on loopback), configurations, the CLI run as a
user runs it, and what the store holds before and after a fault."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import Engine, func
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from benchmarks.fault_campaign.outcome import Kept, Outcome, Step
from demo.fakes.okta import DEMO_TOKEN
from demo.fakes.server import FakeApi
from tests.reliability.worker_process import WorkerProcess, environment, start_worker, write_config
from vaultward.store.db import make_engine
from vaultward.store.models import CheckScore, Evaluation, Fact, Finding, Run

# In the PostgreSQL store's URL (the server trusts loopback, so it is never checked): no
# output, log or report may show it.
PASSWORD = "fault-campaign-password"  # noqa: S105 - a dummy, never checked
SECRETS = (PASSWORD, DEMO_TOKEN)
SCOPE_PREFIX = "counted:"
DISCOVERY = "counted:discovery"


@dataclass(frozen=True)
class Snapshot:
    facts: frozenset[tuple[int, str, str]]  # (run, kind, key)
    rows: int
    max_run: int
    max_evaluation: int


@dataclass
class Started:
    """A CLI command running in the background, its output in files."""

    label: str
    process: subprocess.Popen
    out: Path
    err: Path

    def step(self, code: int | None, expected: tuple[int, ...] | None) -> Step:
        return Step(
            self.label,
            code,
            expected,
            self.out.read_text(errors="replace"),
            self.err.read_text(errors="replace"),
        )


class Bench:
    def __init__(
        self, store: str, folder: Path, url: str, okta: FakeApi, admin_url: str | None = None
    ) -> None:
        self.store, self.folder, self.url, self.okta = store, folder, url, okta
        self.admin_url = admin_url  # PostgreSQL: the server's maintenance database, for the store faults
        self.data_dir = folder / "data"
        self.engine: Engine = make_engine(url)
        self.outcomes: list[Outcome] = []
        self._started = 0
        self.processes: list[subprocess.Popen] = []  # stopped by `close` if still alive
        self.fast = self.config("fast.toml")
        self.slow = self.config("slow.toml", records=30, delay=0.2)  # 6 s a scope: time to kill it
        self.worker_fast = self.config("worker-fast.toml", okta=False)
        self.worker_slow = self.config("worker-slow.toml", records=30, delay=0.2, okta=False)

    @property
    def database(self) -> str | None:
        return make_url(self.url).database

    # configurations -------------------------------------------------------------------

    def config(
        self,
        name: str,
        *,
        records: int = 20,
        scopes: int = 2,
        delay: float = 0.0,
        okta: bool = True,
        tables: dict[str, Any] | None = None,
        text: str = "",
    ) -> Path:
        """tests/reliability's worker configuration (the `counted` source, the slow check
        plugin) with the Okta fake as a source, retention off (nothing pruned under the
        campaign's count of facts), then `tables` and raw `text` appended."""
        path = write_config(
            self.folder, name, schedule="2s", scopes=scopes, records=records, delay_seconds=delay
        )
        appended: dict[str, Any] = {"retention": {"facts_days": 0, "findings_days": 0}, **(tables or {})}
        if okta:
            appended["sources"] = {
                "okta": {
                    "base_url": self.okta.base_url,
                    "credentials_env": {"token": "OKTA_API_TOKEN"},
                    "rate_limit_per_minute": 0,
                    "page_size": 20,
                }
            }
        path.write_text(path.read_text() + tomli_w.dumps(appended) + text, encoding="utf-8")
        return path

    # the CLI --------------------------------------------------------------------------

    def env(self, url: str | None = None, data_dir: bool = True, **extra: str) -> dict[str, str]:
        """The CLI's environment: the `counted` entry point, the Okta token; the store chosen by
        --data-dir (SQLite) or $VAULTWARD_DATABASE_URL (PostgreSQL, or `url`)."""
        # A wide terminal: a message is judged by its lines, not by where 80 columns cut it.
        values = environment(self.folder, url or self.url, OKTA_API_TOKEN=DEMO_TOKEN, COLUMNS="250", **extra)
        if url is None and self.store == "sqlite":
            values.pop("VAULTWARD_DATABASE_URL")
        return values

    def command(self, config: Path, data_dir: Path | None, args: tuple[str, ...]) -> list[str]:
        return [
            sys.executable, "-m", "vaultward", "--config", str(config),
            "--data-dir", str(data_dir or self.data_dir), *args,
        ]  # fmt: skip

    def run(
        self,
        label: str,
        *args: str,
        config: Path,
        expected: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
        timeout: float = 240,
    ) -> Step:
        try:
            done = subprocess.run(
                self.command(config, data_dir, args),
                env=env or self.env(), cwd=self.folder, capture_output=True, text=True,
                errors="replace", timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired as stopped:
            text = stopped.stderr.decode(errors="replace") if isinstance(stopped.stderr, bytes) else ""
            return Step(label, 124, expected, "", text + f"\n(stopped by the campaign after {timeout:.0f} s)")
        return Step(label, done.returncode, expected, done.stdout, done.stderr)

    def start(self, label: str, *args: str, config: Path, env: dict[str, str] | None = None) -> Started:
        self._started += 1
        out, err = (self.folder / f"cli{self._started}.{name}" for name in ("out", "err"))
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                self.command(config, None, args),
                env=env or self.env(),
                cwd=self.folder,
                stdout=stdout,
                stderr=stderr,
            )
        self.processes.append(process)
        return Started(label, process, out, err)

    def kill(self, started: Started) -> Step:
        started.process.kill()  # SIGKILL: no handler runs
        started.process.wait(timeout=30)
        return started.step(-9, None)

    def finish(self, started: Started, expected: tuple[int, ...], timeout: float = 120) -> Step:
        try:
            code = started.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            started.process.kill()
            started.process.wait(timeout=30)
            code = 124
        return started.step(code, expected)

    def worker(self, config: Path, log_name: str, **env: str) -> WorkerProcess:
        worker = start_worker(self.folder, self.url, config, log_name, OKTA_API_TOKEN=DEMO_TOKEN, **env)
        self.processes.append(worker.process)
        return worker

    def close(self) -> None:
        """Kill whatever a fault left running (a fault that broke off), and let go of the store."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        self.engine.dispose()

    # the store ------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with Session(self.engine) as session:
            facts = session.exec(select(Fact.run_id, Fact.kind, Fact.key)).all()
            max_run = session.exec(select(func.max(Run.id))).one() or 0
            max_evaluation = session.exec(select(func.max(Evaluation.id))).one() or 0
        return Snapshot(frozenset(facts), len(facts), max_run, max_evaluation)

    def runs_since(self, since: int) -> list[Run]:
        with Session(self.engine) as session:
            return list(session.exec(select(Run).where(col(Run.id) > since).order_by(col(Run.id))).all())

    def evaluations_since(self, since: int) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.count()).where(col(Evaluation.id) > since)).one()

    def scope_running(self, since: int) -> bool:
        """A `counted` scope Run (not discovery) newer than `since` is running."""
        return any(
            run.status == "running" and run.scope.startswith(SCOPE_PREFIX) and run.scope != DISCOVERY
            for run in self.runs_since(since)
        )

    def kept(self, before: Snapshot) -> Kept:
        """What the store kept of `before` and how the Runs and evaluations since ended."""
        after = self.snapshot()
        lost = len(before.facts - after.facts)
        half_written = orphaned = 0
        with Session(self.engine) as session:
            stored = dict(
                session.exec(
                    select(Fact.run_id, func.count())
                    .where(col(Fact.run_id) > before.max_run)
                    .group_by(col(Fact.run_id))
                ).all()
            )
            for run in session.exec(select(Run).where(col(Run.id) > before.max_run)).all():
                facts = stored.get(run.id or 0, 0)
                if run.status in ("ok", "partial"):
                    lost += max(run.item_count - facts, 0)
                elif facts:  # failed or running with facts: a half-written Run
                    half_written += 1
                orphaned += run.status == "running"
            since = col(Evaluation.id) > before.max_evaluation
            for evaluation in session.exec(select(Evaluation).where(since)).all():
                findings = session.exec(
                    select(func.count()).where(col(Finding.evaluation_id) == evaluation.id)
                ).one()
                scores = session.exec(
                    select(func.count()).where(col(CheckScore.evaluation_id) == evaluation.id)
                ).one()
                half_written += (findings, scores) != (evaluation.finding_count, evaluation.check_count)
        duplicated = (after.rows - len(after.facts)) - (before.rows - len(before.facts))
        return Kept(before.rows, after.rows, lost, duplicated, orphaned, half_written)

    # bookkeeping ----------------------------------------------------------------------

    def record(self, outcome: Outcome, *texts: str) -> Outcome:
        """Look for the secrets in everything the fault's commands printed (and `texts`)."""
        seen = [(step.label, step.stdout + step.stderr) for step in outcome.steps]
        seen += [("a log or file", text) for text in texts]
        outcome.leaked += [where for where, text in seen if any(secret in text for secret in SECRETS)]
        self.outcomes.append(outcome)
        return outcome


def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
