"""What the soak (benchmarks/soak.py) reads in the store: the Runs a process has in flight,
the fact counts of committed Runs, and the final account of what was lost, duplicated,
recovered or left running."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from vaultward.store.models import CheckScore, Evaluation, Fact, Finding, MitigationScore, Run

SOURCE, SCOPES, RECORDS, MITIGATIONS = "counted", 3, 40, 5
DISCOVERY = f"{SOURCE}:discovery"


@dataclass
class SoakResult:
    processes: int = 0  # workers and `vaultward collect`s started
    kills: int = 0  # SIGKILLs sent
    kills_in_flight: int = 0  # of them, with a Run still `running` once the process was dead
    killed_runs: set[int] = field(default_factory=set)  # those Runs' ids
    committed: dict[int, int] = field(default_factory=dict)  # Run id: facts, when first seen finished
    attempted: int = 0  # Runs: each scope's, and the discovery's that lists them
    ok: int = 0
    failed: int = 0  # by an injected collector failure
    interrupted: int = 0  # Runs failed / interrupted, by the soak's kills or not
    recovered: int = 0  # killed in flight, found failed / interrupted by id
    still_running: int = 0  # Runs `running` after the final recovery pass
    lost: int = 0  # facts of committed Runs gone by the end
    duplicated: int = 0  # facts with the same run, kind and key as another
    evaluations: int = 0
    problems: list[str] = field(default_factory=list)

    def failing(self) -> bool:
        return bool(
            self.problems
            or self.lost
            or self.duplicated
            or self.still_running
            or (self.kills and not self.recovered)
        )

    def lines(self) -> list[str]:
        return [
            f"processes started  {self.processes} (workers and `vaultward collect`)",
            f"kills              {self.kills} (SIGKILL)",
            f"  with a Run in flight {self.kills_in_flight} ({len(self.killed_runs)} Runs running at the kill)",
            f"recovered          {self.recovered} of {len(self.killed_runs)} (found failed, interrupted)",
            f"still running      {self.still_running} (after the final recovery pass)",
            f"facts lost         {self.lost} (of {sum(self.committed.values())} in committed Runs)",
            f"facts duplicated   {self.duplicated}",
            f"runs attempted     {self.attempted}: {self.ok} ok, {self.failed} injected failures, "
            f"{self.interrupted} interrupted",
            f"evaluations        {self.evaluations}",
            *(f"PROBLEM: {problem}" for problem in self.problems),
            "FAILED" if self.failing() else "nothing lost, duplicated or left running",
        ]


def last_run_id(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.max(Run.id))).one() or 0


def running(engine: Engine, above: int = 0, up_to: int | None = None) -> set[int]:
    """Ids of the Runs `running` with an id above `above` (a process's own: the soak starts
    one at a time) and up to `up_to`."""
    query = select(Run.id).where(Run.status == "running", col(Run.id) > above)
    if up_to is not None:
        query = query.where(col(Run.id) <= up_to)
    with Session(engine) as session:
        return {run_id for run_id in session.exec(query).all() if run_id is not None}


def finished_above(engine: Engine, after: int) -> bool:
    """Whether a Run with an id above `after` has finished."""
    with Session(engine) as session:
        query = select(func.count()).where(Run.status != "running", col(Run.id) > after)
        return session.exec(query).one() > 0


def note_committed(engine: Engine, result: SoakResult) -> None:
    """Remember the fact count of every Run that finished, as first seen: the end compares."""
    with Session(engine) as session:
        rows = session.exec(
            select(Run.id, func.count(col(Fact.id)))
            .join(Fact, col(Fact.run_id) == Run.id, isouter=True)
            .where(Run.status != "running", col(Run.id).not_in(result.committed))
            .group_by(col(Run.id))
        ).all()
    for run_id, facts in rows:
        assert run_id is not None  # stored Runs have their ids
        result.committed.setdefault(run_id, facts)


def check_store(engine: Engine, result: SoakResult) -> None:
    """The end: killed Runs recovered, nothing running, lost or duplicated, every successful
    Run holding what the collector yielded, every evaluation whole."""
    with Session(engine) as session:
        runs = session.exec(select(Run)).all()  # with the discovery Runs (listing the scopes)
        rows = dict(session.exec(select(Fact.run_id, func.count()).group_by(col(Fact.run_id))).all())
        duplicates = session.exec(
            select(func.count())
            .select_from(Fact)
            .group_by(col(Fact.run_id), col(Fact.kind), col(Fact.key))
            .having(func.count() > 1)
        ).all()
        evaluations = session.exec(select(Evaluation)).all()
        for evaluation in evaluations:
            counts = (
                session.exec(select(func.count()).where(CheckScore.evaluation_id == evaluation.id)).one(),
                session.exec(select(func.count()).where(Finding.evaluation_id == evaluation.id)).one(),
                session.exec(
                    select(func.count()).where(MitigationScore.evaluation_id == evaluation.id)
                ).one(),
            )
            if counts != (evaluation.check_count, evaluation.finding_count, MITIGATIONS):
                result.problems.append(
                    f"evaluation {evaluation.id}: {counts} check scores, findings, mitigation scores;"
                    f" expected {evaluation.check_count}, {evaluation.finding_count}, {MITIGATIONS}"
                )
    result.evaluations, result.attempted = len(evaluations), len(runs)
    result.duplicated = sum(n - 1 for n in duplicates)
    result.still_running = sum(run.status == "running" for run in runs)
    result.lost = sum(max(0, facts - rows.get(run_id, 0)) for run_id, facts in result.committed.items())
    for run_id, facts in result.committed.items():
        if rows.get(run_id, 0) != facts:
            result.problems.append(
                f"run {run_id} held {facts} facts when finished, {rows.get(run_id, 0)} at the end"
            )
    by_id = {run.id: run for run in runs}
    for run_id in sorted(result.killed_runs):
        run = by_id.get(run_id)
        if run and run.status == "failed" and (run.error or "").startswith("interrupted"):
            result.recovered += 1
        else:
            state = f"{run.status}: {run.error}" if run else "gone"
            result.problems.append(f"run {run_id} killed in flight, now {state}")
    for run in runs:
        assert run.id is not None
        stored = rows.get(run.id, 0)
        if run.status == "ok":
            result.ok += 1
            expected = SCOPES if run.scope == DISCOVERY else RECORDS
            if stored != expected or run.item_count != expected:
                result.problems.append(f"run {run.id} ({run.scope}) ok with {stored} facts")
        elif run.status == "failed":
            if "injected failure" in (run.error or ""):
                result.failed += 1
            elif (run.error or "").startswith("interrupted"):
                result.interrupted += 1
            else:
                result.problems.append(f"run {run.id} failed unexpectedly: {run.error}")
            if stored:
                result.problems.append(f"run {run.id} failed but holds {stored} facts")
        elif run.status != "running":  # running ones are counted above
            result.problems.append(f"run {run.id} ({run.scope}) {run.status}")
    if not result.ok or not result.evaluations:
        result.problems.append("no successful run or no evaluation at all")
