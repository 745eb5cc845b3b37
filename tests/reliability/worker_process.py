"""`vaultward worker` as a real process for the fault tests: its config (the `counted` test
source only, through an entry point), start, SIGKILL, and waiting on the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from tests.reliability.fake_sources import SLOW_CHECK, install_entry_point
from vaultward.store.models import Evaluation, Run

ROOT = Path(__file__).resolve().parents[2]
VAULTWARD = str(Path(sys.executable).parent / "vaultward")
AWS_SOURCES = ("aws_iam", "aws_custody", "aws_network", "aws_detection", "aws_organization")


def write_config(folder: Path, name: str = "vaultward.toml", schedule: str = "2s", **counted: Any) -> Path:
    """A configuration with only the `counted` source (its options as given) and the slow
    check plugin folder (slow only when the worker's SLOW_CHECK_SECONDS says so)."""
    plugins = folder / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "slow_check.py").write_text(SLOW_CHECK)
    lines = [f'plugin_dir = "{plugins}"', "[sources.counted]", f'schedule = "{schedule}"']
    lines += [f"{key} = {value!r}" for key, value in counted.items()]
    for source in AWS_SOURCES:
        lines += [f"[sources.{source}]", "enabled = false"]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # stuck: its threads' stacks go to its log
                self.process.send_signal(signal.SIGABRT)
                self.process.wait(timeout=30)
        return self.process.returncode


def environment(folder: Path, database_url: str, **env: str) -> dict[str, str]:
    """The process environment: the store, and the `counted` entry point on the path."""
    entry_points = install_entry_point(folder / "entry-points")
    path = os.pathsep.join(p for p in (str(entry_points), str(ROOT), os.environ.get("PYTHONPATH")) if p)
    values = {**os.environ, "PYTHONPATH": path, "VAULTWARD_DATABASE_URL": database_url, **env}
    values["PYTHONFAULTHANDLER"] = "1"
    values.pop("VAULTWARD_CONFIG", None)
    return values


def run_cli(folder: Path, database_url: str, config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VAULTWARD, "--config", str(config), *args],
        env=environment(folder, database_url),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def start_worker(
    folder: Path,
    database_url: str,
    config: Path,
    log_name: str = "worker.log",
    command: str = "worker",
    **env: str,
) -> WorkerProcess:
    """`vaultward worker` (or another long-running `command`, like queue-worker)."""
    log_path = folder / log_name
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [VAULTWARD, "--config", str(config), command],
            env=environment(folder, database_url, **env),
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(process, log_path)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, *workers: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for worker in workers:
            assert worker.process.poll() is None, f"worker exited while waiting for {what}:\n{worker.log()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n" + "\n".join(
            w.log() for w in workers
        )
        time.sleep(0.2)


def count(engine: Engine, model: type, *where: Any) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def scope_runs(engine: Engine, scope: str) -> list[Run]:
    with Session(engine) as session:
        return list(session.exec(select(Run).where(Run.scope == scope).order_by(col(Run.id))).all())


def evaluations(engine: Engine) -> list[Evaluation]:
    with Session(engine) as session:
        return list(session.exec(select(Evaluation).order_by(col(Evaluation.id))).all())
