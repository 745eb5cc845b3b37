"""Why an evaluation's unknown findings are unknown, by cause, so a report's caveat names the
real reasons: the stale, failed or incomplete sources the evaluation's own messages name
(vaultward/pipeline/evidence.py writes them), the partial Runs it used, unreadable resources,
checks with no data at all, and what the checks themselves could not judge (missing fields
or settings) while every source behind them was current."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from vaultward.store.models import Evaluation, Finding, Run

# The reasons vaultward.pipeline.evidence (and freshness.stale_reason) give an unknown finding.
STALE = re.compile(r"facts for (?P<scope>\S+) from (?P<collector>\S+) are stale")
NEVER_COLLECTED = re.compile(
    r"no successful collection from (?P<collector>\S+) for (?P<scope>\S+): "
    r"|(?P<scope2>\S+) has never been collected successfully"
)
INCOMPLETE = re.compile(r"the \S+ listing of (?P<scope>\S+) (?:was|is) incomplete")
UNREADABLE = re.compile(r"could not be read: ")
NO_DATA = ("no data: ", "nothing to judge: ")


@dataclass(frozen=True)
class UnknownCauses:
    """Counts of unknown findings by cause; sources are named "collector for scope" (or the scope)."""

    total: int = 0
    stale: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    incomplete: Counter[str] = field(default_factory=Counter)
    unreadable: int = 0
    no_data: Counter[str] = field(default_factory=Counter)  # check id -> findings
    judged: Counter[str] = field(default_factory=Counter)  # check id -> findings the check left unknown
    partial_runs: list[str] = field(default_factory=list)  # partial Runs the evaluation used

    @property
    def source_trouble(self) -> bool:
        return bool(self.stale or self.failed or self.incomplete or self.partial_runs)


def unknown_causes(session: Session, evaluation_id: int) -> UnknownCauses:
    """The causes of the evaluation's unknown findings (messages only: no evidence decoded)."""
    query = select(Finding.check_id, Finding.message).where(
        Finding.evaluation_id == evaluation_id, Finding.status == "unknown"
    )
    stale: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    incomplete: Counter[str] = Counter()
    no_data: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    total = unreadable = 0
    for check_id, message in session.exec(query):
        total += 1
        if found := STALE.search(message):
            stale[f"{found['collector']} for {found['scope']}"] += 1
        elif found := NEVER_COLLECTED.search(message):
            scope = found["scope"] or found["scope2"]
            failed[f"{found['collector']} for {scope}" if found["collector"] else scope] += 1
        elif found := INCOMPLETE.search(message):
            incomplete[found["scope"]] += 1
        elif UNREADABLE.search(message):
            unreadable += 1
        elif message.startswith(NO_DATA):
            no_data[check_id] += 1
        else:
            judged[check_id] += 1
    run_ids = session.exec(select(Evaluation.runs).where(Evaluation.id == evaluation_id)).first() or []
    partial = session.exec(
        select(Run.collector, Run.scope)
        .where(col(Run.id).in_(run_ids), Run.status == "partial")
        .order_by(col(Run.collector), col(Run.scope))
    ).all()
    return UnknownCauses(
        total,
        stale,
        failed,
        incomplete,
        unreadable,
        no_data,
        judged,
        [f"{collector} for {scope}" for collector, scope in partial],
    )
