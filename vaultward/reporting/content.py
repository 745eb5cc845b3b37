"""The weekly posture report's content, computed from the store (no I/O beyond reading it).

A report covers one ISO week (Monday to Sunday, UTC: see `reporting/weeks.py`) and uses the last
evaluation that started in it; the comparison is with the last evaluation of the week
before. Its JSON form (`to_json`) is stable for the same store: keys sorted, no generation
time inside, so re-running a week reproduces the same bytes and checksum. Schema: see
`SCHEMA_VERSION` and docs in README ("Weekly report").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import band as scoring_band
from vaultward.read.actions import NeedsDataRow, fix_first
from vaultward.read.evaluations import baseline_evaluation, evaluation_in
from vaultward.read.finding_sets import OpenFinding, findings_of_checks, open_findings
from vaultward.read.phishing_summary import CHECKS as PHISHING_CHECKS
from vaultward.read.phishing_summary import PhishingSummary, phishing_summary
from vaultward.read.scores import check_scores, mitigation_scores
from vaultward.read.trends import WeekPoint, weekly_history
from vaultward.read.unknowns import unknown_causes
from vaultward.read.waivers import waivers_expiring
from vaultward.read.workstation_report import WorkstationStage, workstation_stage
from vaultward.reporting.caveats import data_caveats
from vaultward.reporting.sections import (
    HISTORY_WEEKS,
    CheckLine,
    FrameworkLine,
    PeopleLine,
    StageLine,
    check_lines,
    framework_lines,
    people_line,
    stage_lines,
)
from vaultward.reporting.wallets import WalletLine, wallet_lines
from vaultward.reporting.weeks import ReportError, iso_week_of, no_evaluation_message, week_bounds

SCHEMA_VERSION = "3"
TOP_ACTIONS = 10
WAIVERS_WITHIN = timedelta(days=30)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_REPORT = "first report: no comparison yet"
NO_WEEK_BEFORE = "no evaluation in the week before: no week-over-week comparison"


class NoEvaluation(ReportError):
    """Nothing to report: no evaluation started in the week."""


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class MitigationLine:
    mitigation: str
    title: str
    score: float | None
    previous: float | None
    delta: float | None
    measured: bool
    check_count: int
    passed: int
    failed: int
    unknown: int
    waived: int
    band: str = ""  # of `score` when measured, else "unmeasured"
    checks: list[CheckLine] = field(default_factory=list)


@dataclass(frozen=True)
class FindingLine:
    check_id: str
    mitigation: str
    severity: str
    resource: str
    resource_name: str
    status: str
    message: str


@dataclass(frozen=True)
class Action:
    check_id: str
    title: str
    mitigation: str
    severity: str
    weight: float
    affected: int  # failed + unknown resources
    priority: float  # weight x affected
    remediation: str | None = None  # from the registry, like `CheckLine.remediation`
    owner: str = ""  # who must act, from `policy.owners`; "" when none is configured


@dataclass(frozen=True)
class WeeklyReport:
    schema_version: str
    iso_week: str
    period_start: datetime
    period_end: datetime
    evaluation_id: int
    evaluated_at: datetime
    overall: float | None
    band: str
    verdict: str
    previous_evaluation_id: int | None
    previous_overall: float | None
    delta: float | None
    mitigations: list[MitigationLine]
    new_failures: list[FindingLine]
    fixes: list[FindingLine]
    actions: list[Action]
    waivers_expiring: list[dict[str, Any]]
    caveats: list[str]
    failing: list[FindingLine] = field(default_factory=list)  # appendix: every open finding
    history: list[WeekPoint] = field(default_factory=list)  # the 12 weeks ending with this one
    attack_path: list[StageLine] = field(default_factory=list)
    frameworks: list[FrameworkLine] = field(default_factory=list)
    wallets: list[WalletLine] = field(default_factory=list)  # m-of-n and value tier of each wallet
    people: PeopleLine | None = None  # None: the evaluation predates the census
    phishing: PhishingSummary | None = None  # the training section's phishing programme
    # The attack path's workstation stage: devices, EDR, takeover alerts (None: its checks did not run)
    workstation: WorkstationStage | None = None
    # Checks whose open findings are all unknown: what to connect or configure, listed apart
    # from the actions (filled by the action ranking; empty until it does).
    needs_data: list[NeedsDataRow] = field(default_factory=list)  # failed nothing, judged not all
    action_count: int = 0  # checks with failed resources; `actions` holds the first TOP_ACTIONS
    first_report: bool = False  # no evaluation at all before this week's: nothing to compare with

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2, default=_json_default) + "\n"

    def findings_csv(self) -> str:
        """Every open finding of the week's evaluation, spreadsheet-safe."""
        out = io.StringIO()
        names = [f.name for f in FindingLine.__dataclass_fields__.values()]
        # CRLF (RFC 4180): a cell holding a carriage return is quoted, never a row break.
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
        writer.writeheader()
        for line in self.failing:
            writer.writerow({k: spreadsheet_safe(v) for k, v in asdict(line).items()})
        return out.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _lines(rows: list[OpenFinding]) -> list[FindingLine]:
    return [
        FindingLine(
            f.check_id,
            f.mitigation,
            f.severity,
            f.resource,
            f.resource_name or f.resource,
            f.status,
            f.message,
        )
        for f in sorted(rows, key=lambda f: (f.check_id, f.resource))
    ]


def build_report(engine: Engine, iso_week: str, registry: Registry | None = None) -> WeeklyReport:
    """The report of `iso_week`; `ReportError` when no evaluation started in that week.
    `registry` supplies each check's risk and remediation text (None leaves them out)."""
    start, end = week_bounds(iso_week)
    with Session(engine) as session:
        evaluation = evaluation_in(session, start, end)
        if evaluation is None:
            raise NoEvaluation(no_evaluation_message(session, iso_week))
        # The ISO week's semantic of the one baseline: the last evaluation of the week before.
        previous = baseline_evaluation(session, evaluation, period=(start, end))
        scores = mitigation_scores(session, evaluation.id, previous.id if previous else None)
        failing = open_findings(session, evaluation.id)
        before_failing = open_findings(session, previous.id) if previous else []
        checks = check_scores(session, evaluation.id)
        phishing = phishing_summary(findings_of_checks(session, evaluation.id, PHISHING_CHECKS))
        waivers = waivers_expiring(session, evaluation.started_at, WAIVERS_WITHIN)
        names = [line.mitigation for line in scores]
        weeks = [iso_week_of(start - timedelta(weeks=back)) for back in reversed(range(HISTORY_WEEKS))]
        trend = weekly_history(session, weeks, start - timedelta(weeks=HISTORY_WEEKS - 1), names)
        wallets = wallet_lines(session, evaluation.id)
        remediation = {c: spec.remediation for c, spec in (registry.checks if registry else {}).items()}
        work = fix_first(session, evaluation.id, remediation)
        causes = unknown_causes(session, evaluation.id)
        workstation = workstation_stage(session, evaluation.id)
        first_report = previous is None and evaluation_in(session, EPOCH, start) is None

    checks_by_mitigation = check_lines(checks, registry)

    mitigations = [
        MitigationLine(
            row.mitigation, MITIGATION_TITLES.get(row.mitigation, row.mitigation), row.score,
            row.baseline_recorded, row.delta, row.measured, row.check_count, row.passed, row.failed,
            row.unknown, row.waived, scoring_band(row.measured_score)[0],
            checks_by_mitigation.get(row.mitigation, []),
        )
        for row in scores
    ]  # fmt: skip

    key = lambda f: (f.check_id, f.resource)  # noqa: E731 - one finding's identity across weeks
    now_failed = {key(f): f for f in failing if f.status == "fail"}
    before_failed = {key(f): f for f in before_failing if f.status == "fail"}
    new_failures = _lines(
        [f for k, f in now_failed.items() if previous is not None and k not in before_failed]
    )
    fixes = _lines([f for k, f in before_failed.items() if k not in now_failed])

    actions = [
        Action(
            a.check_id, a.title, a.mitigation, a.severity, a.weight, a.affected, a.priority,
            a.remediation, a.owner,
        )
        for a in work.actions[:TOP_ACTIONS]
    ]  # fmt: skip

    titles = {c.check_id: c.title for c in checks}
    caveats = data_caveats(
        [line.title for line in mitigations if not line.measured],
        causes,
        titles,
        evaluation.problems,
        None if previous is not None else (FIRST_REPORT if first_report else NO_WEEK_BEFORE),
    )

    band_name, verdict = scoring_band(evaluation.overall_score)
    return WeeklyReport(
        schema_version=SCHEMA_VERSION,
        iso_week=iso_week,
        period_start=start,
        period_end=end,
        evaluation_id=evaluation.id,
        evaluated_at=evaluation.started_at,
        overall=evaluation.overall_score,
        band=band_name,
        verdict=verdict,
        previous_evaluation_id=previous.id if previous else None,
        previous_overall=previous.overall_score if previous else None,
        delta=_delta(evaluation.overall_score, previous.overall_score if previous else None),
        mitigations=mitigations,
        new_failures=new_failures,
        fixes=fixes,
        actions=actions,
        waivers_expiring=[
            {
                "id": w.id,
                "check_id": w.check_id,
                "resource": w.resource_pattern,
                "owner": w.owner,
                "expires_at": w.expires_at,
                "reason": w.reason,
            }
            for w in waivers
        ],  # fmt: skip
        caveats=caveats,
        failing=_lines(failing),
        history=trend,
        attack_path=stage_lines(checks),
        frameworks=framework_lines(checks),
        wallets=wallets,
        people=people_line(evaluation.people),
        phishing=phishing,
        workstation=workstation,
        first_report=first_report,
        needs_data=work.needs_data,
        action_count=len(work.actions),
    )
