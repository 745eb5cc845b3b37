"""The weekly report's schema-2 sections: the attack path, framework coverage, each check with
its guidance and the people by identity class, shaped from stored scores and the evaluation's
census read through `vaultward.read` (twelve weeks of history: `read.trends.weekly_history`).

Stage and control scores come from `attack_path.score_stages` and `frameworks.coverage` over
the week's stored `CheckScore` rows, so the report shows exactly what the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vaultward.derived.people import Census
from vaultward.pipeline.registry import Registry
from vaultward.read.attack_path import score_stages
from vaultward.read.frameworks import NAMESPACES, coverage
from vaultward.store.models import CheckScore

HISTORY_WEEKS = 12
# The standards the report shows, in this order (the dashboard shows more).
REPORT_FRAMEWORKS = ("attack-mitigation", "ccss", "cis-v8")


@dataclass(frozen=True)
class CheckLine:
    """One check of a mitigation in the week's evaluation, with what to do about it."""

    check_id: str
    title: str
    severity: str
    weight: float
    score: float | None
    measured: bool  # False when no resource passed or failed: the score rests on no evidence
    passed: int
    failed: int
    unknown: int
    waived: int
    skipped: int
    references: list[str]
    # From the check's code (the registry) when the report is built; None when the check is
    # not registered here (a plugin since removed): the store keeps scores, not prose.
    risk: str | None
    remediation: str | None


@dataclass(frozen=True)
class StageCheck:
    check_id: str
    title: str
    mitigation: str
    score: float | None
    passed: int
    failed: int
    unknown: int
    waived: int
    cites: list[str]  # the stage's ATT&CK techniques the check cites; empty when placed by mitigation


@dataclass(frozen=True)
class StageLine:
    stage: str
    title: str
    description: str
    techniques: list[str]
    score: float | None
    band: str
    measured: bool
    passed: int
    failed: int
    unknown: int
    waived: int
    checks: list[StageCheck]


@dataclass(frozen=True)
class ControlLine:
    control: str
    title: str
    checks: list[str]
    score: float | None
    measured: bool
    passed: int
    failed: int
    unknown: int
    waived: int


@dataclass(frozen=True)
class FrameworkLine:
    namespace: str
    title: str
    controls: list[ControlLine]


@dataclass(frozen=True)
class GuestLine:
    """A guest from outside the organisation (vaultward.derived.people), listed apart from staff."""

    id: str
    name: str
    sources: list[str]
    identities: list[str]
    why: str  # what marks them a guest, e.g. "entra says it is a guest (userType guest)"


@dataclass(frozen=True)
class PeopleLine:
    """Who the evaluation saw, by identity class: staff apart from guests and machines."""

    employees: int
    guests: int
    machines: int
    departed: int  # every identity suspended or deprovisioned
    guest_list: list[GuestLine] = field(default_factory=list)


def people_line(stored: dict[str, Any]) -> PeopleLine | None:
    """The evaluation's census; None for one stored before the census was."""
    found = Census.from_json(stored)
    if found is None:
        return None
    guests = [
        GuestLine(
            str(guest.get("id", "")),
            str(guest.get("name", "")),
            list(guest.get("sources", [])),
            list(guest.get("identities", [])),
            str(guest.get("why", "")),
        )
        for guest in found.guest_list
    ]
    return PeopleLine(found.employees, found.guests, found.machines, found.departed, guests)


def check_lines(checks: Iterable[CheckScore], registry: Registry | None) -> dict[str, list[CheckLine]]:
    """{mitigation: its checks sorted by id}; risk and remediation from `registry` when given."""
    specs = registry.checks if registry is not None else {}
    grouped: dict[str, list[CheckLine]] = {}
    for c in sorted(checks, key=lambda c: c.check_id):
        spec = specs.get(c.check_id)
        grouped.setdefault(c.mitigation, []).append(
            CheckLine(
                c.check_id, c.title, c.severity, c.weight, c.score, c.passed + c.failed > 0,
                c.passed, c.failed, c.unknown, c.waived, c.skipped, sorted(c.references),
                spec.risk if spec else None, spec.remediation if spec else None,
            )
        )  # fmt: skip
    return grouped


def stage_lines(checks: Iterable[CheckScore]) -> list[StageLine]:
    return [
        StageLine(
            stage.stage.id, stage.stage.title, stage.stage.description, list(stage.stage.techniques),
            stage.score, stage.band, stage.measured, stage.passed, stage.failed, stage.unknown,
            stage.waived,
            [
                StageCheck(c.check_id, c.title, c.mitigation, c.score, c.passed, c.failed, c.unknown,
                           c.waived, list(c.cites))
                for c in stage.controls
            ],
        )
        for stage in score_stages(checks)
    ]  # fmt: skip


def framework_lines(checks: Iterable[CheckScore]) -> list[FrameworkLine]:
    grouped = coverage(checks)
    return [
        FrameworkLine(
            namespace,
            NAMESPACES[namespace],
            [
                ControlLine(
                    c.control,
                    c.title,
                    list(c.checks),
                    c.score,
                    c.measured,
                    c.passed,
                    c.failed,
                    c.unknown,
                    c.waived,
                )
                for c in grouped[namespace]
            ],  # fmt: skip
        )
        for namespace in REPORT_FRAMEWORKS
        if namespace in grouped
    ]
