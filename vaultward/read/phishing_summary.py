"""The phishing programme as one evaluation judged it, read back from the findings of its three
checks: the organisation's phish-prone percentage test by test, the repeat clickers, and the
administrators and signers who fell for their latest test. The Training page and the weekly
report show this, so both show what the checks said and nothing computed a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from vaultward.store.models import Finding

TREND = "training.phish_prone_trend"
REPEAT = "training.repeat_clickers"
PRIVILEGED = "training.privileged_clicked_latest"
CHECKS = (TREND, REPEAT, PRIVILEGED)
OPEN = ("fail", "unknown")


class PhishingFinding(Protocol):
    check_id: str
    resource: str
    resource_name: str
    status: str
    message: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class SimulationPoint:
    """One phishing test: its organisation phish-prone percentage and the trend's verdict."""

    test: str  # the test's key
    name: str
    label: str  # campaign and start date
    started_at: datetime | None
    final: bool
    percentage: float | None  # None when its recipients are not all known
    delivered: int
    failures: int
    status: str  # the trend check's verdict (skipped: before the window, still running ...)
    message: str


@dataclass(frozen=True)
class PersonLine:
    person: str
    status: str
    message: str


@dataclass(frozen=True)
class PhishingSummary:
    bound: float | None  # policy.training.org_max_phish_prone_percent as the check applied it
    tests: list[SimulationPoint] = field(default_factory=list)  # oldest first
    repeat_clickers: list[PersonLine] = field(default_factory=list)  # failing, then unknown
    privileged_clickers: list[PersonLine] = field(default_factory=list)  # failing, then unknown

    @property
    def latest(self) -> SimulationPoint | None:
        """The newest finished test the trend judged."""
        judged = [point for point in self.tests if point.final and point.status != "skipped"]
        return judged[-1] if judged else None


@dataclass
class _PersonFinding:
    """An open finding of the repeat or privileged clicker check: no evidence is shown."""

    check_id: str
    resource: str
    resource_name: str
    status: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


def phishing_findings(session: Session, evaluation_id: int) -> list[PhishingFinding]:
    """What `phishing_summary` reads of an evaluation: the trend check's findings whole (their
    evidence holds each test's figures) and only the open findings of the two clicker checks,
    without evidence. At 100,000 identities loading every clicker finding with its evidence
    was most of the Training page's time."""
    trend = select(Finding).where(Finding.evaluation_id == evaluation_id, Finding.check_id == TREND)
    found: list[PhishingFinding] = list(session.exec(trend).all())
    if not any("label" in (f.evidence or {}) for f in found):
        return found  # the trend judged no test: there is no summary, whatever the clickers say
    columns: tuple[Any, ...] = (
        Finding.check_id, Finding.resource, Finding.resource_name, Finding.status, Finding.message,
    )  # fmt: skip
    clickers = select(*columns).where(
        Finding.evaluation_id == evaluation_id,
        col(Finding.check_id).in_((REPEAT, PRIVILEGED)),
        col(Finding.status).in_(OPEN),
    )
    found.extend(_PersonFinding(*row) for row in session.exec(clickers))
    return found


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _people(findings: list[PhishingFinding], tests: set[str]) -> list[PersonLine]:
    """Failing and unknown findings about people, failing first (a finding about a test, one
    missing recipients, is the trend's to show)."""
    lines = [
        PersonLine(f.resource, f.status, f.message)
        for f in findings
        if f.status in OPEN and f.resource not in tests and f.resource != "*"
    ]
    return sorted(lines, key=lambda line: (OPEN.index(line.status), line.person))


def phishing_summary(findings: Iterable[PhishingFinding]) -> PhishingSummary | None:
    """The summary of an evaluation's findings (any may be passed; the three checks' are
    read), or None when the trend check judged no test."""
    by_check: dict[str, list[PhishingFinding]] = {check: [] for check in CHECKS}
    for finding in findings:
        if finding.check_id in by_check:
            by_check[finding.check_id].append(finding)
    points = []
    bound = None
    for f in by_check[TREND]:
        evidence = f.evidence or {}
        if "label" not in evidence:
            continue  # "no data" and the like
        bound = evidence.get("bound", bound)
        percentage = evidence.get("percentage")
        points.append(
            SimulationPoint(
                test=f.resource,
                name=f.resource_name or f.resource,
                label=str(evidence["label"]),
                started_at=_time(evidence.get("started_at")),
                final=bool(evidence.get("final")),
                percentage=float(percentage) if isinstance(percentage, int | float) else None,
                delivered=int(evidence.get("delivered") or 0),
                failures=int(evidence.get("failures") or 0),
                status=f.status,
                message=f.message,
            )
        )
    if not points:
        return None
    points.sort(key=lambda p: (p.started_at is None, p.started_at.timestamp() if p.started_at else 0, p.test))
    return PhishingSummary(
        bound=float(bound) if isinstance(bound, int | float) else None,
        tests=points,
        repeat_clickers=_people(by_check[REPEAT], {p.test for p in points}),
        privileged_clickers=_people(by_check[PRIVILEGED], {p.test for p in points}),
    )
