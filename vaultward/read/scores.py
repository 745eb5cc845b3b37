"""Stored scores of an evaluation: per mitigation with its change against a baseline (one
query for the dashboard, the report, `status` and alerts), and per check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from vaultward.contract.vocabulary import MITIGATIONS
from vaultward.store.models import CheckScore, MitigationScore

MITIGATION_ORDER: dict[str, int] = {name: rank for rank, name in enumerate(MITIGATIONS)}


@dataclass(frozen=True)
class MitigationScoreRow:
    """One mitigation's stored score, with the baseline's for comparison."""

    mitigation: str
    score: float | None
    measured: bool  # False: no evidence, the score rests on no data
    check_count: int
    passed: int
    failed: int
    unknown: int
    waived: int
    baseline_recorded: float | None = None  # the baseline's stored score, measured or not
    baseline_score: float | None = None  # the baseline's score when it was measured
    delta: float | None = None  # score - baseline_score, both measured; else None

    @property
    def measured_score(self) -> float | None:
        """The score when measured: None says "no evidence" where a 0 would claim one."""
        return self.score if self.measured else None


def mitigation_order(name: str) -> tuple[int, str]:
    """The display order: the vocabulary's, then any other mitigation by name."""
    return MITIGATION_ORDER.get(name, 99), name


def mitigation_scores(
    session: Session, evaluation_id: int, baseline_id: int | None = None
) -> list[MitigationScoreRow]:
    """The mitigations scored in `evaluation_id`, in display order, each with its change
    against `baseline_id` (a mitigation the baseline did not measure has no change)."""
    ids = [evaluation_id] if baseline_id is None else [evaluation_id, baseline_id]
    rows = session.exec(select(MitigationScore).where(col(MitigationScore.evaluation_id).in_(ids))).all()
    current = {row.mitigation: row for row in rows if row.evaluation_id == evaluation_id}
    before = {row.mitigation: row for row in rows if row.evaluation_id == baseline_id}
    lines = []
    for name in sorted(current, key=mitigation_order):
        row, previous = current[name], before.get(name)
        baseline_score = previous.score if previous is not None and previous.measured else None
        measured = bool(row.measured)
        delta = None
        if measured and row.score is not None and baseline_score is not None:
            delta = row.score - baseline_score
        lines.append(
            MitigationScoreRow(
                mitigation=name,
                score=row.score,
                measured=measured,
                check_count=row.check_count,
                passed=row.passed,
                failed=row.failed,
                unknown=row.unknown,
                waived=row.waived,
                baseline_recorded=previous.score if previous is not None else None,
                baseline_score=baseline_score,
                delta=delta,
            )
        )
    return lines


def check_scores(session: Session, evaluation_id: int, mitigation: str | None = None) -> list[CheckScore]:
    """The stored check scores of `evaluation_id` (of one mitigation, or all)."""
    query = select(CheckScore).where(CheckScore.evaluation_id == evaluation_id)
    if mitigation is not None:
        query = query.where(CheckScore.mitigation == mitigation)
    return list(session.exec(query).all())
