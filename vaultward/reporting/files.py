"""The weekly posture report's files (HTML, PDF, CSV, JSON) written to a folder and recorded.

The content comes from `report_content.build_report`; this module turns it into files and
records them once per distinct set of checksums. Names used by the CLI and the dashboard
(`build_report`, `week_bounds`, `week_range`, `iso_week_of`, `ReportError`) are re-exported here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.notification import DEFAULT_FORMATS, FORMATS
from vaultward.pipeline.registry import Registry
from vaultward.reporting.content import (
    SCHEMA_VERSION,
    NoEvaluation,
    WeeklyReport,
    build_report,
    spreadsheet_safe,
)
from vaultward.reporting.record import DeliveryOutcome, add_delivery, delivered_targets, find_or_add_report
from vaultward.reporting.weeks import ReportError, iso_week_of, week_bounds, week_range
from vaultward.store.models import Report, utcnow

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "NoEvaluation",
    "ReportError",
    "WeeklyReport",
    "build_report",
    "check_options",
    "dashboard_link_base",
    "generate_report",
    "iso_week_of",
    "report_files",
    "spreadsheet_safe",
    "week_bounds",
    "week_range",
    "write_built_report",
    "write_report",
]

if TYPE_CHECKING:
    from vaultward.config.settings import Settings

PAPERS = ("A4", "Letter")


def dashboard_link_base(settings: Settings) -> str | None:
    """Where the report's links point: the dashboard's public URL, or None (no links) when
    none is configured, since a loopback address means nothing to a report's readers."""
    return settings.dashboard_url() if settings.dashboard.public_url else None


def report_files(
    report: WeeklyReport, formats: list[str], paper: str = "A4", dashboard_url: str | None = None
) -> dict[str, tuple[str, bytes]]:
    """{format: (file name, bytes)} for each of `formats`; the same report gives the same bytes."""
    week = report.iso_week
    files: dict[str, tuple[str, bytes]] = {}
    for name in formats:
        if name == "json":
            files[name] = (f"vaultward-report-{week}.json", report.to_json().encode("utf-8"))
        elif name == "csv":
            files[name] = (f"vaultward-findings-{week}.csv", report.findings_csv().encode("utf-8"))
        elif name == "ocsf":
            from vaultward.reporting.ocsf import ocsf_findings

            files[name] = (f"vaultward-findings-{week}.ocsf.jsonl", ocsf_findings(report).encode("utf-8"))
        elif name == "html":
            from vaultward.reporting.html import render_html

            html = render_html(report, paper=paper, dashboard_url=dashboard_url)
            files[name] = (f"vaultward-report-{week}.html", html.encode("utf-8"))
        elif name == "pdf":
            from vaultward.reporting.pdf import render_pdf

            files[name] = (f"vaultward-report-{week}.pdf", render_pdf(report, paper, dashboard_url))
    return files


def write_report(
    engine: Engine,
    iso_week: str,
    formats: list[str],
    out_dir: Path,
    paper: str = "A4",
    dashboard_url: str | None = None,
    registry: Registry | None = None,
) -> tuple[Report, bool]:
    """Write the week's report files into `out_dir` and record them; (the Report row, whether
    it is new). The same week over the same store writes the same bytes and records nothing
    new. `paper` is A4 or Letter (PDF and the HTML's print layout); `dashboard_url`, when
    given, is the base of the report's links to the dashboard; `registry` supplies the
    checks' risk and remediation text."""
    check_options(formats, paper)
    return write_built_report(
        engine, build_report(engine, iso_week, registry), formats, out_dir, paper, dashboard_url
    )


def check_options(formats: list[str], paper: str) -> None:
    """`ReportError` naming an unknown format or paper size."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"format {', '.join(unknown)}: expected {', '.join(FORMATS)}")
    if paper not in PAPERS:
        raise ReportError(f"paper {paper!r}: expected {' or '.join(PAPERS)}")


def write_built_report(
    engine: Engine,
    report: WeeklyReport,
    formats: list[str],
    out_dir: Path,
    paper: str = "A4",
    dashboard_url: str | None = None,
) -> tuple[Report, bool]:
    """`write_report` for a report already built (see there)."""
    check_options(formats, paper)
    iso_week = report.iso_week
    contents = report_files(report, formats, paper, dashboard_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    files, checksums = {}, {}
    for name in formats:
        filename, content = contents[name]
        (out_dir / filename).write_bytes(content)
        files[name] = str((out_dir / filename).resolve())
        checksums[name] = hashlib.sha256(content).hexdigest()
    target = f"folder:{out_dir.resolve()}"
    with Session(engine) as session, session.begin():
        row, new = find_or_add_report(session, iso_week, report.evaluation_id, files, checksums)
        if target not in delivered_targets(session, row):
            add_delivery(session, row, DeliveryOutcome(target, "delivered", 1, checksums=checksums))
            new = True
        session.expunge(row)
    return row, new


def generate_report(
    engine: Engine,
    iso_week: str,
    out_dir: Path,
    actor: str,
    paper: str = "A4",
    dashboard_url: str | None = None,
    registry: Registry | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
) -> tuple[Report, bool]:
    """`write_report` (default: the human-readable formats and CSV, JSON) on someone's
    behalf, with an audit event."""
    from vaultward.store.models import AuditEvent

    row, new = write_report(engine, iso_week, list(formats), out_dir, paper, dashboard_url, registry)
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
