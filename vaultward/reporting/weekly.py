"""The weekly report job: write a week's report into its folder, then deliver it to S3 and
e-mail as configured; used by the worker's `report:weekly` job and `vaultward report`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.settings import Settings
from vaultward.pipeline.registry import Registry
from vaultward.reporting.delivery import (
    ReportFiles,
    deliver,
    email_report,
    email_target,
    s3_target,
    upload_to_s3,
)
from vaultward.reporting.files import (
    NoEvaluation,
    build_report,
    check_options,
    dashboard_link_base,
    write_built_report,
)
from vaultward.reporting.record import DeliveryOutcome, delivered_targets, record_delivery
from vaultward.store.models import Report, utcnow
from vaultward.store.unit_of_work import in_unit_of_work

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRun:
    report: Report
    new: bool  # a new Report, or its first delivery to this folder
    files: ReportFiles
    deliveries: list[DeliveryOutcome]  # the folder first, then S3 and e-mail when asked

    @property
    def failed(self) -> list[DeliveryOutcome]:
        return [d for d in self.deliveries if d.status == "failed"]


def last_complete_week(now: datetime, timezone: str) -> str:
    """The ISO week before the one `now` falls in, by the calendar of `timezone`."""
    year, week, _ = (now.astimezone(ZoneInfo(timezone)) - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def report_folder(settings: Settings, out_dir: Path | None = None) -> Path:
    """`out_dir` as given, else [report].out_dir (relative: under [store].data_dir)."""
    if out_dir is not None:
        return out_dir
    configured = settings.report.out_dir
    return configured if configured.is_absolute() else settings.store.data_dir / configured


def produce_and_deliver(
    settings: Settings,
    engine: Engine,
    iso_week: str,
    formats: list[str] | None = None,
    out_dir: Path | None = None,
    remote: bool = True,
    initial_wait: float = 1.0,
    paper: str | None = None,
    registry: Registry | None = None,
) -> ReportRun:
    """Write the week's report (recorded once per content) and, with `remote`, deliver it to
    every configured target it has not reached yet. A target that fails after
    [report].max_attempts is recorded `failed` and tried again next time; the others still
    get it. `ReportError` for bad input or no evaluation in the week."""
    formats = formats or list(settings.report.formats)
    paper = paper or settings.report.paper
    check_options(formats, paper)
    folder = report_folder(settings, out_dir)
    # Built once: the files and the e-mail's summary say the same, whatever lands meanwhile.
    content = build_report(engine, iso_week, registry)
    row, new = write_built_report(engine, content, formats, folder, paper, dashboard_link_base(settings))
    assert row.id is not None
    files = ReportFiles(
        iso_week,
        {fmt: folder.resolve() / Path(path).name for fmt, path in row.files.items()},
        dict(row.checksums),
    )
    folder_status = "delivered" if new else "already delivered"
    outcomes = [
        DeliveryOutcome(f"folder:{folder.resolve()}", folder_status, 1 if new else 0, None, files.checksums)
    ]
    if not remote:
        return ReportRun(row, new, files, outcomes)

    targets: list[tuple[str, Any]] = []
    s3, email = settings.report.s3, settings.report.email
    if s3 is not None:
        targets.append((s3_target(s3, iso_week), lambda: upload_to_s3(settings, s3, files)))
    if email is not None:

        def send() -> dict[str, Any]:
            assert email is not None
            return email_report(settings, email, content, files)

        targets.append((email_target(email), send))

    with Session(engine) as session:
        done = delivered_targets(session, row)
    for target, action in targets:
        if target in done:
            outcomes.append(DeliveryOutcome(target, "already delivered"))
            continue
        outcome = deliver(target, action, files, settings.report.max_attempts, initial_wait)
        in_unit_of_work(engine, record_delivery, row.id, outcome)
        outcomes.append(outcome)
    return ReportRun(row, new, files, outcomes)


def run_weekly_report(
    settings: Settings,
    engine: Engine,
    now: datetime | None = None,
    initial_wait: float = 1.0,
    registry: Registry | None = None,
) -> ReportRun | None:
    """The worker's weekly job: last complete week's report in [report].formats, delivered to
    the folder and every configured target. None (and a warning) when that week has no
    evaluation; failed targets are logged as errors."""
    week = last_complete_week(now or utcnow(), settings.report.schedule.timezone)
    try:
        run = produce_and_deliver(settings, engine, week, initial_wait=initial_wait, registry=registry)
    except NoEvaluation as error:
        log.warning("weekly report: %s", error)
        return None
    for outcome in run.deliveries:
        if outcome.status == "failed":
            log.error("weekly report %s: delivery to %s failed: %s", week, outcome.target, outcome.error)
        else:
            log.info(
                "weekly report %s (report %s): %s %s", week, run.report.id, outcome.target, outcome.status
            )
    return run
