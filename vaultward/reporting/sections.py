"""The weekly report's schema-2 sections: twelve weeks of history, the attack path, framework
coverage, each check with its guidance and the people by identity class, all from stored
scores and the evaluation's census (no I/O beyond reading).

Stage and control scores come from `attack_path.score_stages` and `frameworks.coverage` over
the week's stored `CheckScore` rows, so the report shows exactly what the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from vaultward.derived.people import Census
from vaultward.pipeline.registry import Registry
from vaultward.read.attack_path import score_stages
from vaultward.read.frameworks import NAMESPACES, coverage
from vaultward.store.models import CheckScore, Evaluation, MitigationScore

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
class WeekPoint:
    """One week of the sparklines: the last evaluation of that ISO week, if any."""

    iso_week: str
    evaluation_id: int | None
    overall: float | None
    mitigations: dict[str, float | None]  # measured scores only: None for no evidence or no evaluation


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


def history(session: Session, labels: list[str], first: datetime, mitigations: list[str]) -> list[WeekPoint]:
    """One point per week: `labels` are consecutive ISO weeks, the first starting at `first`."""
    rows = session.exec(
        select(Evaluation.id, Evaluation.started_at, Evaluation.overall_score)
        .where(col(Evaluation.started_at) >= first)
        .where(col(Evaluation.started_at) < first + timedelta(weeks=len(labels)))
        .order_by(col(Evaluation.started_at), col(Evaluation.id))
    ).all()
    last: dict[int, tuple[int, float | None]] = {}
    for evaluation_id, started_at, overall in rows:  # ascending: the week's last one wins
        if evaluation_id is not None:  # always, for stored rows; narrows the type
            last[(started_at - first) // timedelta(weeks=1)] = (evaluation_id, overall)
    scores: dict[tuple[int, str], float | None] = {}
    ids = [evaluation_id for evaluation_id, _ in last.values()]
    if ids:
        for row in session.exec(select(MitigationScore).where(col(MitigationScore.evaluation_id).in_(ids))):
            scores[(row.evaluation_id, row.mitigation)] = row.score if row.measured else None
    points = []
    for index, label in enumerate(labels):
        if index in last:
            evaluation_id, overall = last[index]
            points.append(
                WeekPoint(
                    label, evaluation_id, overall, {m: scores.get((evaluation_id, m)) for m in mitigations}
                )
            )
        else:
            points.append(WeekPoint(label, None, None, dict.fromkeys(mitigations)))
    return points
