"""Readiness scores: per check, per mitigation, overall (pure functions, no I/O).

Per check: the share of its resources that pass; unknown counts as not passing, waived and
skipped are left out. Per mitigation: the weighted mean of its checks. Overall: the weighted
mean of the mitigations. Means are over checks, never over raw findings, so a check with
thousands of passing resources cannot drown one that fails everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vaultward.pipeline.rollup import Rollup, weighted_mean

BANDS: tuple[tuple[float, str, str], ...] = (
    (90, "strong", "Strong: the controls that stop this attack are in place and evidenced."),
    (75, "good", "Good: most controls are in place; close the remaining gaps."),
    (60, "fair", "Fair: real gaps an attacker following this playbook could use."),
    (40, "weak", "Weak: several steps of the attack path are open."),
    (0, "critical", "Critical: the attack path is largely open."),
)


@dataclass(frozen=True)
class CheckTally:
    check_id: str
    mitigation: str
    weight: float
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0
    skipped: int = 0

    @property
    def counted(self) -> int:
        return self.passed + self.failed + self.unknown

    @property
    def score(self) -> float | None:
        """0-100, or None when nothing is left to score (all waived or skipped)."""
        if self.counted == 0:
            return None
        return 100.0 * self.passed / self.counted


@dataclass(frozen=True)
class MitigationTally:
    mitigation: str
    weight: float
    score: float | None
    check_count: int
    passed: int
    failed: int
    unknown: int
    waived: int

    @property
    def measured(self) -> bool:
        """False when no resource could be judged: the score rests on no evidence."""
        return self.passed + self.failed > 0


def tally_check(check_id: str, mitigation: str, weight: float, statuses: Iterable[str]) -> CheckTally:
    counts = Counter(statuses)
    return CheckTally(
        check_id=check_id,
        mitigation=mitigation,
        weight=weight,
        passed=counts["pass"],
        failed=counts["fail"],
        unknown=counts["unknown"],
        waived=counts["waived"],
        skipped=counts["skipped"],
    )


def score_mitigation(mitigation: str, weight: float, checks: list[CheckTally]) -> MitigationTally:
    rollup = Rollup.of(checks)
    return MitigationTally(
        mitigation=mitigation,
        weight=weight,
        score=rollup.score,
        check_count=len(checks),
        passed=rollup.passed,
        failed=rollup.failed,
        unknown=rollup.unknown,
        waived=rollup.waived,
    )


def overall_score(mitigations: Iterable[MitigationTally]) -> float | None:
    return weighted_mean((m.score, m.weight) for m in mitigations)


def band(score: float | None) -> tuple[str, str]:
    """The band name and its plain-language sentence for a 0-100 score."""
    if score is None:
        return "unmeasured", "Unmeasured: no evidence has been collected yet."
    for floor, name, sentence in BANDS:
        if score >= floor:
            return name, sentence
    return BANDS[-1][1], BANDS[-1][2]


def format_score(score: float | None) -> str:
    """A score as every view shows it: one decimal, or n/a."""
    return "n/a" if score is None else f"{score:.1f}"


def group_by_mitigation(checks: Iterable[CheckTally]) -> Mapping[str, list[CheckTally]]:
    grouped: dict[str, list[CheckTally]] = {}
    for check in checks:
        grouped.setdefault(check.mitigation, []).append(check)
    return grouped
