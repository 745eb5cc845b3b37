"""The phishing programme as the checks judge it: each phishing test's organisation
phish-prone percentage, computed the way KnowBe4 defines a campaign's (the failures counted
over the messages delivered), and each person's outcome in each test.

KnowBe4 (support: "Failures and Phish-prone Percentages"): a failure is clicking the link,
entering data, opening an attachment, enabling a macro, replying, or scanning the QR code;
a recipient can fail several ways in one message and each counts, so the percentage can
pass 100. Opening the message is not a failure. Pure functions over typed records; checks
read the outcomes as `CheckContext.phishing_outcomes`, built once per evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vaultward.contract.records import PhishingResult, PhishingTest

if TYPE_CHECKING:
    from vaultward.contract.sdk import CheckContext
    from vaultward.derived.people import Directory

EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SimulationOutcome:
    test: PhishingTest
    results: Mapping[str, PhishingResult]  # by the person's e-mail (through policy.people.aliases)
    delivered: int  # recipients the message reached
    failures: int  # failures counted: each kind once per recipient
    gap: str = ""  # why the listed recipients are not the whole test; "" when they are

    @property
    def label(self) -> str:
        """The campaign and the day it started: what people know a test by."""
        name = self.test.campaign or self.test.label
        when = self.test.started_at.strftime("%Y-%m-%d") if self.test.started_at else "no start date"
        return f"{name} ({when})"

    @property
    def started_at(self) -> datetime | None:
        return self.test.started_at

    @property
    def percentage(self) -> float | None:
        """The organisation's phish-prone percentage in this test, or None when its
        recipients are not all known or it reached nobody."""
        if self.gap or not self.delivered:
            return None
        return 100 * self.failures / self.delivered

    @property
    def counts(self) -> bool:
        """Whether the test is a measurement: final (closed), dated, and it reached someone
        or may have (recipients not all known)."""
        return self.test.final is True and self.started_at is not None and bool(self.delivered or self.gap)

    def evidence(self) -> dict:
        """What a finding about this test keeps, for the trend chart and the report."""
        return {
            "test": self.test.label,
            "campaign": self.test.campaign,
            "label": self.label,
            "started_at": self.started_at,
            "status": self.test.status,
            "final": self.test.final is True,
            "delivered": self.delivered,
            "failures": self.failures,
            "percentage": None if self.percentage is None else round(self.percentage, 2),
            "scheduled": self.test.scheduled,
            "vendor_percentage": self.test.vendor_percentage,
            "gap": self.gap,
        }


def _gap(test: PhishingTest, results: Sequence[PhishingResult]) -> str:
    if test.scheduled is not None and len(results) != test.scheduled:
        return (
            f"{test.source} scheduled {test.scheduled} recipient(s) for {test.label}, its recipient "
            f"listing holds {len(results)}"
        )
    unsure = [r for r in results if r.delivered is True and r.failures is None]
    if unsure:
        return f"the outcome of {len(unsure)} delivered recipient(s) of {test.label} is not recorded"
    if test.started_at is None:
        return f"{test.label} has no start date: its place among the tests is not known"
    return ""


def _worse(a: PhishingResult, b: PhishingResult) -> PhishingResult:
    """Of two results for one person in one test, the one that says most against them:
    failed, then not recorded, then reached."""

    def rank(result: PhishingResult) -> tuple[bool, bool, bool]:
        reached = result.delivered is True
        return bool(result.failures), reached and result.failures is None, reached

    return max(a, b, key=rank)


def phishing_outcomes(
    tests: Iterable[PhishingTest], results: Iterable[PhishingResult], directory: Directory
) -> list[SimulationOutcome]:
    """Every phishing test with its outcome, oldest first (undated ones last)."""
    by_test: dict[str, list[PhishingResult]] = {}
    for result in results:
        by_test.setdefault(result.test, []).append(result)
    outcomes = []
    for test in tests:
        listed = by_test.get(test.key, [])
        people: dict[str, PhishingResult] = {}
        for result in listed:
            email = directory.email_of(result.person)
            people[email] = _worse(people[email], result) if email in people else result
        reached = [r for r in people.values() if r.delivered is True]
        outcomes.append(
            SimulationOutcome(
                test=test,
                results=people,
                delivered=len(reached),
                failures=sum(len(r.failures or ()) for r in reached),
                gap=_gap(test, listed),
            )
        )
    return sorted(outcomes, key=lambda o: (o.started_at is None, o.started_at or EARLIEST, o.test.key))


def finished_tests(ctx: CheckContext) -> list[SimulationOutcome]:
    """The tests that are measurements (`SimulationOutcome.counts`), oldest first."""
    return [outcome for outcome in ctx.phishing_outcomes if outcome.counts]


def why_not_counted(outcome: SimulationOutcome) -> str:
    """Why a test is not a measurement, as its not-applicable finding says."""
    if outcome.test.final is not True:
        return f"{outcome.label}: still running (status {outcome.test.status or 'not reported'}), results not final"
    if outcome.started_at is None:
        return f"{outcome.label}: no start date"
    return f"{outcome.label}: no message was delivered"


def unlinked_people(ctx: CheckContext) -> set[str]:
    """E-mails of people with results that name no listed test (facts from before tests
    were collected, or another source's): their tests' dates are not known."""
    tests = {test.key for test in ctx.records(PhishingTest)}
    return {ctx.directory.email_of(r.person) for r in ctx.records(PhishingResult) if r.test not in tests}
