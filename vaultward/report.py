"""The weekly posture report's content, computed from the store (no I/O beyond reading it).

A report covers one ISO week (Monday 00:00 to Monday 00:00, UTC) and uses the last
evaluation that started in it; the comparison is with the last evaluation of the week
before. Its JSON form (`to_json`) is stable for the same store: keys sorted, no generation
time inside, so re-running a week reproduces the same bytes and checksum. Schema: see
`SCHEMA_VERSION` and docs in README ("Weekly report").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vaultward.models import CheckScore, Evaluation, Finding, MitigationScore, Report, Waiver, utcnow
from vaultward.report_record import DeliveryOutcome, add_delivery, delivered_targets, find_or_add_report
from vaultward.scoring import band as scoring_band
from vaultward.sdk import MITIGATION_TITLES, MITIGATIONS

SCHEMA_VERSION = "1"
TOP_ACTIONS = 10
WAIVERS_WITHIN = timedelta(days=30)
OPEN = ("fail", "unknown")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReportError(ValueError):
    pass


class NoEvaluation(ReportError):
    """Nothing to report: no evaluation started in the week."""


def week_bounds(iso_week: str) -> tuple[datetime, datetime]:
    """`2026-W47` -> (Monday 00:00 UTC, the next Monday 00:00 UTC)."""
    try:
        year, week = iso_week.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ReportError(f"week {iso_week!r}: expected an ISO week like 2026-W47") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def iso_week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


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

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2, default=_json_default) + "\n"

    def findings_csv(self) -> str:
        """Every open finding of the week's evaluation, spreadsheet-safe."""
        out = io.StringIO()
        names = [f.name for f in FindingLine.__dataclass_fields__.values()]
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for line in self.failing:
            writer.writerow({k: spreadsheet_safe(v) for k, v in asdict(line).items()})
        return out.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _last_evaluation(session: Session, start: datetime, end: datetime) -> Evaluation | None:
    return session.exec(
        select(Evaluation)
        .where(col(Evaluation.started_at) >= start, col(Evaluation.started_at) < end)
        .order_by(col(Evaluation.started_at).desc(), col(Evaluation.id).desc())
        .limit(1)
    ).first()


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _lines(rows: list[Finding]) -> list[FindingLine]:
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


def build_report(engine: Engine, iso_week: str) -> WeeklyReport:
    """The report of `iso_week`; `ReportError` when no evaluation started in that week."""
    start, end = week_bounds(iso_week)
    with Session(engine) as session:
        evaluation = _last_evaluation(session, start, end)
        if evaluation is None or evaluation.id is None:
            raise NoEvaluation(
                f"no evaluation in {iso_week} ({start:%Y-%m-%d} to {end:%Y-%m-%d}): nothing to report"
            )
        previous = _last_evaluation(session, start - timedelta(days=7), start)

        def scores(evaluation_id: int | None) -> dict[str, MitigationScore]:
            if evaluation_id is None:
                return {}
            rows = session.exec(select(MitigationScore).where(MitigationScore.evaluation_id == evaluation_id))
            return {row.mitigation: row for row in rows}

        def open_findings(evaluation_id: int | None) -> list[Finding]:
            if evaluation_id is None:
                return []
            query = select(Finding).where(
                Finding.evaluation_id == evaluation_id, col(Finding.status).in_(OPEN)
            )
            return list(session.exec(query))

        now_scores, before_scores = scores(evaluation.id), scores(previous.id if previous else None)
        failing = open_findings(evaluation.id)
        before_failing = open_findings(previous.id if previous else None)
        checks = list(session.exec(select(CheckScore).where(CheckScore.evaluation_id == evaluation.id)))
        waivers = list(
            session.exec(
                select(Waiver)
                .where(col(Waiver.expires_at) > evaluation.started_at)
                .where(col(Waiver.expires_at) <= evaluation.started_at + WAIVERS_WITHIN)
                .order_by(col(Waiver.expires_at), col(Waiver.id))
            )
        )

    order: dict[str, int] = {name: rank for rank, name in enumerate(MITIGATIONS)}
    mitigations = []
    for name, row in sorted(now_scores.items(), key=lambda item: (order.get(item[0], 99), item[0])):
        before = before_scores.get(name)
        before_score = before.score if before is not None and before.measured else None
        score = row.score if row.measured else None
        mitigations.append(
            MitigationLine(
                name, MITIGATION_TITLES.get(name, name), row.score, before.score if before else None,
                _delta(score, before_score), row.measured, row.check_count, row.passed, row.failed,
                row.unknown, row.waived,
            )
        )  # fmt: skip

    key = lambda f: (f.check_id, f.resource)  # noqa: E731 - one finding's identity across weeks
    now_failed = {key(f): f for f in failing if f.status == "fail"}
    before_failed = {key(f): f for f in before_failing if f.status == "fail"}
    new_failures = _lines(
        [f for k, f in now_failed.items() if previous is not None and k not in before_failed]
    )
    fixes = _lines([f for k, f in before_failed.items() if k not in now_failed])

    actions = sorted(
        (
            Action(
                c.check_id,
                c.title,
                c.mitigation,
                c.severity,
                c.weight,
                c.failed + c.unknown,
                c.weight * (c.failed + c.unknown),
            )
            for c in checks
            if c.failed + c.unknown > 0
        ),  # fmt: skip
        key=lambda a: (-a.priority, a.check_id),
    )[:TOP_ACTIONS]

    caveats = [
        f"{line.title}: no evidence collected; its score of 0 rests on no data"
        for line in mitigations
        if not line.measured
    ]
    unknown = sum(line.unknown for line in mitigations)
    if unknown:
        caveats.append(
            f"{unknown} resource(s) could not be judged (unknown): stale, failed or missing sources"
        )
    caveats += list(evaluation.problems)
    if previous is None:
        caveats.append("no evaluation in the week before: no week-over-week comparison")

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
    )


FORMATS = ("json", "csv")


def write_report(
    engine: Engine, iso_week: str, formats: list[str], out_dir: Path, paper: str = "A4"
) -> tuple[Report, bool]:
    """Write the week's report files into `out_dir` (`paper`: the PDF's page size) and record
    them with their delivery to that folder; (the Report row, whether anything new was
    recorded). The same week over the same store writes the same bytes and records nothing
    new; a new folder for the same content is a new delivery of the same Report."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"format {', '.join(unknown)}: expected {', '.join(FORMATS)}")
    report = build_report(engine, iso_week)
    contents = {
        "json": (f"vaultward-report-{iso_week}.json", report.to_json()),
        "csv": (f"vaultward-findings-{iso_week}.csv", report.findings_csv()),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    files, checksums = {}, {}
    for name in formats:
        filename, text = contents[name]
        (out_dir / filename).write_text(text, encoding="utf-8")
        files[name] = str((out_dir / filename).resolve())
        checksums[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    target = f"folder:{out_dir.resolve()}"
    with Session(engine) as session, session.begin():
        row, new = find_or_add_report(session, iso_week, report.evaluation_id, files, checksums)
        if target not in delivered_targets(session, row):
            add_delivery(session, row, DeliveryOutcome(target, "delivered", 1, checksums=checksums))
            new = True
        session.expunge(row)
    return row, new


def generate_report(engine: Engine, iso_week: str, out_dir: Path, actor: str) -> tuple[Report, bool]:
    """`write_report` in every format on someone's behalf, with an audit event."""
    from vaultward.models import AuditEvent

    row, new = write_report(engine, iso_week, list(FORMATS), out_dir)
    with Session(engine) as session, session.begin():
        session.add(
            AuditEvent(
                at=utcnow(),
                actor=actor,
                action="report.generate",
                target=f"report {row.id} ({iso_week})",
                details={"new": new, "checksums": row.checksums},
            )
        )
    return row, new
