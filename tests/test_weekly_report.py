"""The weekly report job (worker) and `vaultward report --deliver` (CLI): the last complete
week, delivered once per target, a failing target retried on the next run and its error
kept free of secrets."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlmodel import Session, col, select

from tests.factories import make_account
from tests.fake_collectors import registry_with
from tests.test_delivery import BUCKET, deliveries, make_bucket, versions
from tests.test_report import seed
from vaultward.config.settings import parse_settings
from vaultward.ops.scheduler import make_scheduler
from vaultward.reporting.weekly import last_complete_week, run_weekly_report
from vaultward.store.models import Report, ReportDelivery

ZURICH = ZoneInfo("Europe/Zurich")
MONDAY_W48_0700_ZURICH = datetime(2026, 11, 23, 7, 0, tzinfo=ZURICH)


def test_the_last_complete_week_follows_the_schedules_calendar():
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # already Monday in Zurich
    assert last_complete_week(sunday_night_utc, "Europe/Zurich") == "2026-W47"
    assert last_complete_week(sunday_night_utc, "UTC") == "2026-W46"
    assert last_complete_week(datetime(2026, 1, 1, 12, tzinfo=UTC), "UTC") == "2025-W52"


def test_the_scheduler_runs_the_report_on_monday_morning_in_its_timezone(engine):
    settings = parse_settings({"report": {"schedule": {"cron": "0 7 * * mon", "timezone": "Europe/Zurich"}}})
    scheduler = make_scheduler(settings, engine, registry_with({"aws:1": [make_account()]}))
    job = next(j for j in scheduler.get_jobs() if j.id == "report:weekly")
    assert isinstance(job.trigger, CronTrigger) and str(job.trigger.timezone) == "Europe/Zurich"
    assert job.max_instances == 1
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fire = job.trigger.get_next_fire_time(None, wednesday)
    assert fire == datetime(2026, 11, 30, 7, 0, tzinfo=ZURICH)
    assert fire.astimezone(UTC) == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # CET is UTC+1 in winter
    assert job.args == ("report:weekly", run_weekly_report, settings, engine)  # under its lease


def test_the_job_twice_for_one_week_makes_one_report_and_one_delivery_per_target(
    engine, moto_endpoint, smtp_server, tmp_path
):
    seed(engine)
    s3 = make_bucket(moto_endpoint)
    settings = parse_settings(
        {
            "store": {"data_dir": str(tmp_path / "data")},
            "report": {  # every format by default: the PDF too must come out byte-identical
                "out_dir": "weekly",
                "schedule": {"cron": "0 7 * * mon", "timezone": "Europe/Zurich"},
                "s3": {"bucket": BUCKET, "server_side_encryption": "AES256", "endpoint_url": moto_endpoint},
                "email": {"to": ["ciso@example.com"]},
            },
            "smtp": smtp_server.settings(),
        }
    )
    for _ in range(2):
        run = run_weekly_report(settings, engine, now=MONDAY_W48_0700_ZURICH, initial_wait=0.01)
        assert run is not None and run.report.iso_week == "2026-W47"
    assert (tmp_path / "data" / "weekly" / "vaultward-report-2026-W47.json").exists()
    with Session(engine) as session:
        [report] = session.exec(select(Report)).all()
    assert report.delivered_to == [
        f"folder:{(tmp_path / 'data' / 'weekly').resolve()}",
        f"s3://{BUCKET}/vaultward/reports/2026-W47/",
        "email:ciso@example.com",
    ]
    assert deliveries(engine) == [
        ("folder", "delivered", 1),
        ("s3", "delivered", 1),
        ("email", "delivered", 1),
    ]
    assert len(versions(s3)) == 4 and len(smtp_server.messages) == 1
    [attachment] = list(smtp_server.messages[0].iter_attachments())
    assert attachment.get_filename() == "vaultward-report-2026-W47.pdf"
    pdf = attachment.get_content()
    assert pdf == (tmp_path / "data" / "weekly" / "vaultward-report-2026-W47.pdf").read_bytes()
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Weekly security posture report" in pdf_text and "2026-W47" in pdf_text


def test_a_week_without_evaluation_is_a_warning_and_records_nothing(engine, tmp_path, caplog):
    settings = parse_settings({"store": {"data_dir": str(tmp_path)}, "report": {"formats": ["json"]}})
    with caplog.at_level(logging.WARNING, logger="vaultward.reporting.weekly"):
        assert run_weekly_report(settings, engine, now=MONDAY_W48_0700_ZURICH) is None
    assert [r.getMessage() for r in caplog.records] == [
        "weekly report: no evaluation in 2026-W47 (2026-11-16 to 2026-11-22): nothing to report; "
        "the store has no evaluation yet: run `vaultward evaluate`"
    ]
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []


def _store_text(engine) -> str:
    """Every text the report tables hold, to search for a secret."""
    with engine.connect() as connection:
        rows = [
            *connection.execute(text("SELECT * FROM report")),
            *connection.execute(text("SELECT * FROM reportdelivery")),
        ]
    return "\n".join(repr(tuple(row)) for row in rows)


def test_a_failing_email_exits_1_keeps_the_password_out_and_is_delivered_next_run(
    engine, database_url, moto_endpoint, smtp_server, tmp_path
):
    seed(engine)
    s3 = make_bucket(moto_endpoint)
    config = tmp_path / "vaultward.toml"
    smtp = smtp_server.settings()
    config.write_text(
        f"""
[store]
data_dir = "{tmp_path / "data"}"

[report]
formats = ["json", "csv"]
max_attempts = 2

[report.s3]
bucket = "{BUCKET}"
server_side_encryption = "AES256"
endpoint_url = "{moto_endpoint}"

[report.email]
to = ["ciso@example.com"]

[smtp]
host = "{smtp["host"]}"
port = {smtp["port"]}
username = "{smtp["username"]}"
sender = "{smtp["sender"]}"
ca_file = "{smtp["ca_file"]}"
"""
    )
    wrong_password = "wrong-Pa55word-for-smtp"
    env = {**os.environ, "VAULTWARD_DATABASE_URL": database_url, "VAULTWARD_CONFIG": str(config)}
    env["VAULTWARD_SMTP_PASSWORD"] = wrong_password
    command = [str(Path(sys.executable).parent / "vaultward"), "-v", "report", "--week", "2026-W47"]
    folder = f"folder:{(tmp_path / 'data' / 'reports').resolve()}"
    email = "email:ciso@example.com"

    local = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert local.returncode == 0, local.stderr
    assert [line for line in local.stdout.splitlines() if ": delivered" in line or "FAILED" in line] == [
        f"{folder}: delivered (1 attempt(s))"
    ]  # without --deliver, only the folder

    failing = subprocess.run([*command, "--deliver"], capture_output=True, text=True, env=env, timeout=120)
    assert failing.returncode == 1
    assert f"{folder}: already delivered" in failing.stdout
    assert f"s3://{BUCKET}/vaultward/reports/2026-W47/: delivered (1 attempt(s))" in failing.stdout
    assert f"{email}: FAILED after 2 attempt(s)" in failing.stdout
    assert (
        f"delivery to {email} failed: {email}: failed after 2 attempt(s): MailError: "
        f"SMTP 127.0.0.1:{smtp_server.port}: SMTPAuthenticationError"
    ) in failing.stderr
    assert f"{email}: attempt 1 failed" in failing.stderr  # the retry was logged
    assert smtp_server.messages == []
    with Session(engine) as session:
        [failed] = session.exec(select(ReportDelivery).where(ReportDelivery.status == "failed")).all()
    assert (
        failed.target == email and failed.attempts == 2 and "SMTPAuthenticationError" in (failed.error or "")
    )
    for where in (failing.stdout, failing.stderr, local.stdout, local.stderr, _store_text(engine)):
        assert wrong_password not in where

    env["VAULTWARD_SMTP_PASSWORD"] = smtp_server.password
    fixed = subprocess.run([*command, "--deliver"], capture_output=True, text=True, env=env, timeout=120)
    assert fixed.returncode == 0, fixed.stderr
    assert f"{email}: delivered (1 attempt(s))" in fixed.stdout
    assert f"s3://{BUCKET}/vaultward/reports/2026-W47/: already delivered" in fixed.stdout
    assert len(smtp_server.messages) == 1 and len(versions(s3)) == 2
    assert deliveries(engine) == [
        ("folder", "delivered", 1),
        ("s3", "delivered", 1),
        ("email", "failed", 2),
        ("email", "delivered", 1),
    ]
    with Session(engine) as session:
        reports = session.exec(select(Report).order_by(col(Report.id))).all()
    assert len(reports) == 1
    assert smtp_server.password not in _store_text(engine) + fixed.stdout + fixed.stderr
