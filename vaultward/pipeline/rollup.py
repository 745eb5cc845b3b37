"""One roll-up of check scores, shared by a mitigation, an attack-path stage and a framework
control: the weighted mean of the checks' scores and the sum of their counts (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Weighted(Protocol):
    """A scored check as a roll-up reads it: a `CheckTally` or a stored `CheckScore` fits."""

    @property
    def score(self) -> float | None: ...
    @property
    def weight(self) -> float: ...
    @property
    def passed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def unknown(self) -> int: ...
    @property
    def waived(self) -> int: ...


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of (value, weight) pairs, ignoring None values; None when nothing is left."""
    total = weight_sum = 0.0
    for value, weight in pairs:
        if value is None or weight <= 0:
            continue
        total += value * weight
        weight_sum += weight
    if weight_sum == 0:
        return None
    return total / weight_sum


@dataclass(frozen=True)
class Rollup:
    score: float | None  # weighted mean of the checks' scores; None when none has one
    passed: int
    failed: int
    unknown: int
    waived: int

    @property
    def measured(self) -> bool:
        """False when no check judged a resource: the score rests on no evidence."""
        return self.passed + self.failed > 0

    @classmethod
    def of(cls, checks: Iterable[Weighted]) -> Rollup:
        """Means are over checks, never raw findings: a check with thousands of passing
        resources cannot drown one that fails everywhere."""
        checks = list(checks)
        return cls(
            score=weighted_mean((check.score, check.weight) for check in checks),
            passed=sum(check.passed for check in checks),
            failed=sum(check.failed for check in checks),
            unknown=sum(check.unknown for check in checks),
            waived=sum(check.waived for check in checks),
        )
