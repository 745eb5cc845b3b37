"""Handing written report files to S3 and to e-mail recipients, each target with bounded
retries; the caller records the outcome (vaultward/reporting/record.py)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultward.config.notification import EmailDelivery, S3Delivery
from vaultward.config.settings import Settings
from vaultward.contract import redaction
from vaultward.contract.retry import GaveUp, with_retries
from vaultward.ops.mail import Attachment, build_message, send_mail
from vaultward.pipeline.scoring import format_score
from vaultward.reporting.files import WeeklyReport, dashboard_link_base, week_range
from vaultward.reporting.record import DeliveryOutcome

CONTENT_TYPES = {
    "json": "application/json",
    "ocsf": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
TOP_ACTIONS_IN_MAIL = 3


class DeliveryError(Exception):
    """A target did not take the report (or did not confirm what it stored)."""


@dataclass(frozen=True)
class ReportFiles:
    """One report's files as written: format -> path, and the checksums recorded for them."""

    iso_week: str
    paths: dict[str, Path]
    checksums: dict[str, str]

    def read(self, fmt: str) -> bytes:
        """The file's bytes, refusing any that no longer match the recorded checksum."""
        content = self.paths[fmt].read_bytes()
        if hashlib.sha256(content).hexdigest() != self.checksums[fmt]:
            raise DeliveryError(f"{self.paths[fmt]}: changed since it was written (sha256 differs)")
        return content


def s3_target(s3: S3Delivery, iso_week: str) -> str:
    return f"s3://{s3.bucket}/{s3.prefix}{iso_week}/"


def email_target(email: EmailDelivery) -> str:
    return "email:" + ",".join(email.to)


def deliver(
    target: str,
    action: Callable[[], dict[str, Any]],
    files: ReportFiles,
    attempts: int,
    initial_wait: float = 1.0,
) -> DeliveryOutcome:
    """Run `action` (one target's hand-over, returning the stored objects) with retries; a
    target that still fails comes back `failed` with the redacted error, never raised."""
    tries = 0

    def attempt() -> dict[str, Any]:
        nonlocal tries
        tries += 1
        return action()

    try:
        objects = with_retries(attempt, what=target, attempts=attempts, initial_wait=initial_wait)
    except GaveUp as error:
        return DeliveryOutcome(target, "failed", tries, redaction.redact(str(error)), dict(files.checksums))
    return DeliveryOutcome(target, "delivered", tries, None, dict(files.checksums), objects)


def upload_to_s3(settings: Settings, s3: S3Delivery, files: ReportFiles) -> dict[str, Any]:
    """Put each file at `<prefix><week>/<filename>`, encrypted at rest, and check that S3
    stored exactly our bytes (its SHA-256 against ours)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(profile_name=settings.aws.profile, region_name=s3.region)
    client = session.client(
        "s3",
        endpoint_url=s3.endpoint_url or settings.aws.endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )
    objects: dict[str, Any] = {}
    for fmt, path in files.paths.items():
        content = files.read(fmt)
        key = f"{s3.prefix}{files.iso_week}/{path.name}"
        encryption: dict[str, str] = {"ServerSideEncryption": s3.server_side_encryption}
        if s3.kms_key_id:
            encryption["SSEKMSKeyId"] = s3.kms_key_id
        response = client.put_object(
            Bucket=s3.bucket,
            Key=key,
            Body=content,
            ContentType=CONTENT_TYPES[fmt],
            ChecksumAlgorithm="SHA256",
            Metadata={"sha256": files.checksums[fmt]},
            **encryption,
        )
        expected = base64.b64encode(hashlib.sha256(content).digest()).decode()
        if response.get("ChecksumSHA256") != expected:
            raise DeliveryError(
                f"s3://{s3.bucket}/{key}: S3 confirmed SHA-256 {response.get('ChecksumSHA256')!r}, "
                f"expected {expected!r}"
            )
        objects[fmt] = {"key": key, "version_id": response.get("VersionId")}
    return objects


def _delta(value: float | None) -> str:
    return "no comparison" if value is None else f"{value:+.1f}"


def mail_subject(report: WeeklyReport) -> str:
    overall = "n/a" if report.overall is None else f"{report.overall:.0f}"
    return f"Vaultward posture {report.iso_week}: {overall} ({report.band}), {_delta(report.delta)}"


def mail_body(settings: Settings, report: WeeklyReport) -> str:
    """The executive summary in plain text: the numbers, what to do first, where to look."""
    lines = [
        f"Vaultward weekly posture report {report.iso_week} ({week_range(report.iso_week)})",
        "",
        f"Overall readiness: {format_score(report.overall)} / 100, {report.band} "
        + (
            "(first report: no comparison yet)"
            if report.first_report
            else f"(week before: {format_score(report.previous_overall)}, change {_delta(report.delta)})"
        ),
        report.verdict,
        "",
        "Mitigations:",
    ]
    for line in report.mitigations:
        change = _delta(line.delta) if line.measured else "not measured: no evidence collected"
        lines.append(f"  {line.title}: {format_score(line.score)} ({change})")
    lines += ["", "Top actions:"]
    for rank, action in enumerate(report.actions[:TOP_ACTIONS_IN_MAIL], start=1):
        lines.append(
            f"  {rank}. {action.title} ({action.check_id}, {action.severity}): "
            f"{action.affected} resource(s) failing or unknown; owner: {action.owner or 'unassigned'}"
        )
    if not report.actions:
        lines.append("  none: no check failed a resource")
    if report.needs_data:
        lines.append(f"  and {len(report.needs_data)} check(s) need data (listed in the attached report)")
    lines += ["", f"Caveats: {len(report.caveats)} (listed in the attached report)"]
    if dashboard_link_base(settings):  # a loopback address means nothing to the recipients
        lines += ["", f"Dashboard: {settings.dashboard_url('reports')}"]
    return "\n".join(lines) + "\n"


def mail_attachments(files: ReportFiles) -> tuple[Attachment, ...]:
    """The PDF when there is one, else the HTML, else the JSON and CSV."""
    for choice in (["pdf"], ["html"], ["json", "csv"]):
        present = [fmt for fmt in choice if fmt in files.paths]
        if present:
            return tuple(
                Attachment(files.paths[fmt].name, files.read(fmt), CONTENT_TYPES[fmt].split(";")[0])
                for fmt in present
            )
    return ()


def email_report(
    settings: Settings, email: EmailDelivery, report: WeeklyReport, files: ReportFiles
) -> dict[str, Any]:
    if settings.smtp is None:  # Settings refuses [report.email] without [smtp]
        raise DeliveryError("e-mail delivery needs an [smtp] section")
    message = build_message(
        settings.smtp,
        email.to,
        mail_subject(report),
        mail_body(settings, report),
        attachments=mail_attachments(files),
    )
    send_mail(settings.smtp, message)
    return {}
