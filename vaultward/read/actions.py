"""Fix first: the latest evaluation's work, as a CISO hands it out. Checks with failed
resources, most severe first, then by weight x affected resources (failed + unknown), each
with its owners ([policy.owners], resolved at evaluation); checks whose open findings are all
`unknown` apart, as "needs data", with the reason most of them give (the missing source or
setting); and a line of what is fine. One ranking for the dashboard and the weekly report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from vaultward.read.findings import SEVERITY_RANK
from vaultward.read.scores import check_scores, mitigation_order
from vaultward.store.models import CheckScore, Finding


@dataclass(frozen=True)
class ActionRow:
    """One check with failed resources: the work, its size and who must do it."""

    check_id: str
    title: str
    mitigation: str
    severity: str
    weight: float
    failed: int
    unknown: int
    owners: tuple[str, ...] = ()
    remediation: str | None = None

    @property
    def affected(self) -> int:
        return self.failed + self.unknown

    @property
    def priority(self) -> float:
        return self.weight * self.affected

    @property
    def owner(self) -> str:
        """The owners as one line ("" when `[policy.owners]` names nobody)."""
        return ", ".join(self.owners)


@dataclass(frozen=True)
class NeedsDataRow:
    """A check that failed nothing but could not judge some resources."""

    check_id: str
    title: str
    mitigation: str
    severity: str
    unknown: int
    reason: str  # what most of its unknown findings say is missing
    owner: str = ""  # its owners as one line, "" when `[policy.owners]` names nobody


@dataclass(frozen=True)
class FixFirst:
    actions: list[ActionRow]
    needs_data: list[NeedsDataRow]
    passing: int  # checks whose every judged resource passed, none waived
    judged: int  # checks that judged at least one resource
    clean_mitigations: list[str]  # mitigations with no failed and no unknown resource

    def fine_line(self) -> str:
        """What is fine, in one sentence."""
        if not self.judged:
            return "Nothing has been judged yet."
        line = f"{self.passing} of {self.judged} checks pass on every resource they judge, none waived"
        if self.clean_mitigations:
            line += f"; nothing open in {', '.join(self.clean_mitigations)}"
        return line + "."


def rank(action: ActionRow) -> tuple[int, float, str]:
    """Most severe first, then the most weight x affected resources, then by id."""
    return SEVERITY_RANK.get(action.severity, len(SEVERITY_RANK)), -action.priority, action.check_id


def fix_first(
    session: Session, evaluation_id: int, remediation: Mapping[str, str | None] | None = None
) -> FixFirst:
    """The ranked actions, the checks needing data and what is fine, for `evaluation_id`;
    `remediation` (check id -> text, from the registry) fills in how to fix each."""
    remediation = remediation or {}
    scores = check_scores(session, evaluation_id)
    actions = sorted(
        (
            ActionRow(
                s.check_id,
                s.title,
                s.mitigation,
                s.severity,
                s.weight,
                s.failed,
                s.unknown,
                tuple(s.owners or ()),
                remediation.get(s.check_id),
            )
            for s in scores
            if s.failed > 0
        ),  # fmt: skip
        key=rank,
    )
    blind = [s for s in scores if s.failed == 0 and s.unknown > 0]
    reasons = _main_reasons(session, evaluation_id, [s.check_id for s in blind])
    needs_data = sorted(
        (
            NeedsDataRow(
                s.check_id,
                s.title,
                s.mitigation,
                s.severity,
                s.unknown,
                reasons.get(s.check_id, ""),
                ", ".join(s.owners or ()),
            )
            for s in blind
        ),  # fmt: skip
        key=lambda row: (SEVERITY_RANK.get(row.severity, len(SEVERITY_RANK)), -row.unknown, row.check_id),
    )
    judged = [s for s in scores if s.passed + s.failed + s.unknown > 0]
    # A mitigation is clean when it judged something and nothing is open; judging nothing is no evidence.
    open_by_mitigation: dict[str, int] = {}
    for s in scores:
        # A waived failure is accepted, not fixed: it keeps its mitigation off the fine line.
        open_by_mitigation[s.mitigation] = (
            open_by_mitigation.get(s.mitigation, 0) + s.failed + s.unknown + s.waived
        )
    judged_mitigations = {s.mitigation for s in judged}
    clean = sorted(
        (m for m, n in open_by_mitigation.items() if n == 0 and m in judged_mitigations), key=mitigation_order
    )
    passing = sum(1 for s in judged if s.failed == 0 and s.unknown == 0 and s.waived == 0)
    return FixFirst(actions, needs_data, passing, len(judged), clean)


def _main_reasons(session: Session, evaluation_id: int, check_ids: list[str]) -> dict[str, str]:
    """Per check, the message most of its unknown findings give, and how many other reasons."""
    if not check_ids:
        return {}
    count = func.count().label("n")
    rows = session.exec(
        select(Finding.check_id, Finding.message, count)
        .where(
            Finding.evaluation_id == evaluation_id,
            Finding.status == "unknown",
            col(Finding.check_id).in_(check_ids),
        )
        .group_by(Finding.check_id, Finding.message)
    ).all()
    by_check: dict[str, list[tuple[int, str]]] = {}
    for check_id, message, n in rows:
        by_check.setdefault(check_id, []).append((n, message))
    reasons = {}
    for check_id, messages in by_check.items():
        messages.sort(key=lambda item: (-item[0], item[1]))
        others = len(messages) - 1
        reasons[check_id] = messages[0][1] + (
            f" (and {others} other reason{'s' * (others > 1)})" if others else ""
        )
    return reasons


def check_owners(session: Session, evaluation_id: int) -> dict[str, tuple[str, ...]]:
    """Check id -> its owners as the evaluation resolved them (for the mitigation pages)."""
    rows = session.exec(
        select(CheckScore.check_id, CheckScore.owners).where(CheckScore.evaluation_id == evaluation_id)
    ).all()
    return {check_id: tuple(owners or ()) for check_id, owners in rows}
