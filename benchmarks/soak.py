"""Soak: runs `vaultward worker` for a while against the `counted` test source with faults
injected (scopes that fail midway, slow calls, the worker killed with SIGKILL and started
again), then checks that nothing was lost or duplicated: every successful Run holds exactly
the facts the collector yielded, failed Runs hold none, no Run is left running, and every
evaluation has all its findings and scores. Prints what it saw; exits 1 on any problem.

    PYTHONPATH=. .venv/bin/python benchmarks/soak.py [--seconds 60] [--kill-every 15]
        [--database-url postgresql+psycopg://...]   (default: a SQLite file in a temp folder)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from tests.reliability.worker_process import start_worker, write_config
from vaultward.pipeline.collection import INTERRUPTED
from vaultward.store.db import open_store
from vaultward.store.models import CheckScore, Evaluation, Fact, Finding, MitigationScore, Run

SCOPES, RECORDS, MITIGATIONS = 3, 40, 5
LAST_WORKER_SECONDS = 4.0  # long enough to mark what the kills left and collect again


@dataclass
class SoakResult:
    workers_started: int = 0
    attempted: int = 0  # scope Runs
    ok: int = 0
    failed: int = 0  # by an injected collector failure
    recovered: int = 0  # left running by a killed worker, marked failed by the next one
    evaluations: int = 0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"workers started  {self.workers_started} (killed and restarted {self.workers_started - 1})",
            f"runs attempted   {self.attempted}",
            f"  ok             {self.ok}",
            f"  failed         {self.failed} (injected failures)",
            f"  recovered      {self.recovered} (interrupted by a kill, marked failed on restart)",
            f"evaluations      {self.evaluations}",
            *(f"PROBLEM: {problem}" for problem in self.problems),
            "nothing lost or duplicated" if not self.problems else f"{len(self.problems)} problem(s)",
        ]


def soak(folder: Path, database_url: str, seconds: float, kill_every: float, seed: int = 7) -> SoakResult:
    """Run the worker for `seconds`, killing it about every `kill_every` seconds, then check the store."""
    chance = random.Random(seed)  # when the kills land
    engine = open_store(database_url)
    config = write_config(
        folder, schedule="1s", scopes=SCOPES, records=RECORDS, delay_seconds=0.002,
        failure_rate=0.2, slow_rate=0.2, slow_seconds=0.5,
    )  # fmt: skip
    result = SoakResult()
    deadline = time.monotonic() + seconds
    while True:
        result.workers_started += 1
        worker = start_worker(folder, database_url, config, f"worker{result.workers_started}.log")
        lifetime, remaining = kill_every * chance.uniform(0.5, 1.5), deadline - time.monotonic()
        if lifetime > remaining - LAST_WORKER_SECONDS:  # the last one runs a while and stops cleanly
            time.sleep(max(remaining, LAST_WORKER_SECONDS))
            if worker.stop() != 0:
                result.problems.append(f"the last worker did not stop cleanly:\n{worker.log()}")
            break
        time.sleep(lifetime)
        worker.kill()
    check_store(engine, result)
    engine.dispose()
    return result


def check_store(engine, result: SoakResult) -> None:
    with Session(engine) as session:
        runs = session.exec(select(Run).where(Run.scope != "counted:discovery")).all()
        facts = dict(
            session.exec(
                select(Fact.run_id, func.count(func.distinct(Fact.key))).group_by(col(Fact.run_id))
            ).all()
        )
        rows = dict(session.exec(select(Fact.run_id, func.count()).group_by(col(Fact.run_id))).all())
        evaluations = session.exec(select(Evaluation)).all()
        for evaluation in evaluations:
            scores = session.exec(select(func.count()).where(CheckScore.evaluation_id == evaluation.id)).one()
            findings = session.exec(select(func.count()).where(Finding.evaluation_id == evaluation.id)).one()
            mitigations = session.exec(
                select(func.count()).where(MitigationScore.evaluation_id == evaluation.id)
            ).one()
            if (scores, findings, mitigations) != (
                evaluation.check_count,
                evaluation.finding_count,
                MITIGATIONS,
            ):
                result.problems.append(
                    f"evaluation {evaluation.id}: {scores} check scores, {findings} findings, "
                    f"{mitigations} mitigation scores; expected {evaluation.check_count}, "
                    f"{evaluation.finding_count}, {MITIGATIONS}"
                )
    result.attempted, result.evaluations = len(runs), len(evaluations)
    for run in runs:
        assert run.id is not None  # stored runs have their ids
        stored = (rows.get(run.id, 0), facts.get(run.id, 0))
        if run.status == "ok":
            result.ok += 1
            if stored != (RECORDS, RECORDS) or run.item_count != RECORDS:
                result.problems.append(
                    f"run {run.id} ({run.scope}) ok with {stored[0]} facts, {stored[1]} distinct"
                )
        elif run.status == "failed":
            if run.error == INTERRUPTED:
                result.recovered += 1
            elif "injected failure" in (run.error or ""):
                result.failed += 1
            else:
                result.problems.append(f"run {run.id} failed unexpectedly: {run.error}")
            if stored != (0, 0):
                result.problems.append(f"run {run.id} failed but holds {stored[0]} facts")
        else:
            result.problems.append(f"run {run.id} ({run.scope}) left {run.status}")
    if not result.ok or not result.evaluations:
        result.problems.append("no successful run or no evaluation at all")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-every", type=float, default=15, help="mean seconds between SIGKILLs")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vaultward-soak-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'store.db'}"
        result = soak(Path(folder), url, args.seconds, args.kill_every)
    print("\n".join(result.lines()))
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
