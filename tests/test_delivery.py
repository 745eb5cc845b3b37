"""Delivering the weekly report to S3 (moto) and by e-mail (loopback SMTP), recorded once per
report and target."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from sqlmodel import Session, col, select

from tests.factories import add_evaluation
from tests.test_report import W47_MONDAY, seed
from vaultward.config.settings import parse_settings
from vaultward.reporting.delivery import DeliveryError, ReportFiles, mail_attachments
from vaultward.reporting.weekly import produce_and_deliver
from vaultward.store.models import Report, ReportDelivery

BUCKET = "acme-security-reports"
PREFIX = "vaultward/reports/"
JSON_KEY = f"{PREFIX}2026-W47/vaultward-report-2026-W47.json"
CSV_KEY = f"{PREFIX}2026-W47/vaultward-findings-2026-W47.csv"
NO_WAIT = 0.01  # seconds before the first retry


def settings_for(tmp_path: Path, **report: Any):
    data: dict[str, Any] = {
        "store": {"data_dir": str(tmp_path / "data")},
        "report": {"formats": ["json", "csv"], "max_attempts": 2, **report},
    }
    if "smtp" in report:
        data["smtp"] = data["report"].pop("smtp")
    if "dashboard" in report:
        data["dashboard"] = data["report"].pop("dashboard")
    return parse_settings(data)


def make_bucket(endpoint: str | None) -> Any:
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return s3


def versions(s3) -> list[tuple[str, str]]:
    listed = s3.list_object_versions(Bucket=BUCKET).get("Versions", [])
    return sorted((v["Key"], v["VersionId"]) for v in listed)


def deliveries(engine) -> list[tuple[str, str, int]]:
    with Session(engine) as session:
        rows = session.exec(select(ReportDelivery).order_by(col(ReportDelivery.id))).all()
    return [(r.target.split(":")[0], r.status, r.attempts) for r in rows]


def test_s3_gets_each_file_once_encrypted_with_our_checksum(engine, moto_endpoint, tmp_path):
    seed(engine)
    s3 = make_bucket(moto_endpoint)
    s3_config = {"bucket": BUCKET, "server_side_encryption": "AES256", "endpoint_url": moto_endpoint}
    settings = settings_for(tmp_path, s3=s3_config)

    run = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)

    target = f"s3://{BUCKET}/{PREFIX}2026-W47/"
    assert [(o.target, o.status, o.attempts) for o in run.deliveries] == [
        (f"folder:{(tmp_path / 'data' / 'reports').resolve()}", "delivered", 1),
        (target, "delivered", 1),
    ]
    stored = versions(s3)
    assert [key for key, _ in stored] == [CSV_KEY, JSON_KEY]
    for fmt, key, content_type in (
        ("json", JSON_KEY, "application/json"),
        ("csv", CSV_KEY, "text/csv; charset=utf-8"),
    ):
        ours = run.files.paths[fmt].read_bytes()
        assert hashlib.sha256(ours).hexdigest() == run.report.checksums[fmt]
        head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(ours).digest()).decode()
        assert head["Metadata"] == {"sha256": run.report.checksums[fmt]}
        assert head["ContentType"] == content_type
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == ours

    with Session(engine) as session:
        [delivery] = session.exec(select(ReportDelivery).where(ReportDelivery.target == target)).all()
        [report] = session.exec(select(Report)).all()
    assert delivery.checksums == run.report.checksums
    assert delivery.objects == {
        "json": {"key": JSON_KEY, "version_id": dict(stored)[JSON_KEY]},
        "csv": {"key": CSV_KEY, "version_id": dict(stored)[CSV_KEY]},
    }
    assert delivery.delivered_at is not None and delivery.error is None
    assert report.delivered_to == [run.deliveries[0].target, target]

    again = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
    assert [o.status for o in again.deliveries] == ["already delivered", "already delivered"]
    assert versions(s3) == stored  # nothing uploaded twice
    assert deliveries(engine) == [("folder", "delivered", 1), ("s3", "delivered", 1)]


def test_s3_with_a_kms_key_and_a_new_evaluation_delivers_the_new_report(engine, moto_endpoint, tmp_path):
    seed(engine)
    s3 = make_bucket(moto_endpoint)
    key_arn = boto3.client("kms", region_name="us-east-1", endpoint_url=moto_endpoint).create_key()[
        "KeyMetadata"
    ]["Arn"]
    s3_config = {"bucket": BUCKET, "server_side_encryption": "aws:kms", "kms_key_id": key_arn}
    # The endpoint comes from [aws] when [report.s3] has none.
    settings = settings_for(tmp_path, s3=s3_config).model_copy(
        update={"aws": parse_settings({"aws": {"endpoint_url": moto_endpoint}}).aws}
    )
    produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
    head = s3.head_object(Bucket=BUCKET, Key=JSON_KEY)
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key_arn)

    with Session(engine) as session:  # a later evaluation in the same week: new content
        add_evaluation(session, W47_MONDAY + timedelta(days=6), overall=70.0, band="fair",
                       mitigation_scores={"access": 70.0})  # fmt: skip
        session.commit()
    produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
    with Session(engine) as session:
        reports = session.exec(select(Report).order_by(col(Report.id))).all()
    assert len(reports) == 2 and reports[0].checksums != reports[1].checksums
    assert [key for key, _ in versions(s3)] == [CSV_KEY, CSV_KEY, JSON_KEY, JSON_KEY]
    body = s3.get_object(Bucket=BUCKET, Key=JSON_KEY)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == reports[1].checksums["json"]
    assert deliveries(engine) == [("folder", "delivered", 1), ("s3", "delivered", 1)] * 2


def test_a_missing_bucket_fails_after_retries_and_is_delivered_next_time(engine, tmp_path, monkeypatch):
    """In-process moto (`mock_aws`): the default endpoint, no server."""
    from moto import mock_aws

    from tests.conftest import AWS_DUMMY_ENV

    for name, value in AWS_DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    seed(engine)
    settings = settings_for(tmp_path, s3={"bucket": BUCKET, "region": "us-east-1"})
    with mock_aws():
        first = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
        [failed] = first.failed
        assert (failed.target, failed.attempts) == (f"s3://{BUCKET}/{PREFIX}2026-W47/", 2)
        assert failed.error is not None and "NoSuchBucket" in failed.error
        assert failed.error.startswith(f"s3://{BUCKET}/{PREFIX}2026-W47/: failed after 2 attempt(s): ")
        s3 = make_bucket(None)
        second = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
        assert [o.status for o in second.deliveries] == ["already delivered", "delivered"]
        assert [key for key, _ in versions(s3)] == [CSV_KEY, JSON_KEY]
    assert deliveries(engine) == [("folder", "delivered", 1), ("s3", "failed", 2), ("s3", "delivered", 1)]
    with Session(engine) as session:
        [report] = session.exec(select(Report)).all()
    assert len(report.delivered_to) == 2


def email_settings(tmp_path, smtp_server, **more):
    return settings_for(
        tmp_path, email={"to": ["ciso@example.com", "board@example.com"]}, smtp=smtp_server.settings(), **more
    )


def test_the_email_carries_the_executive_summary_and_the_files_once(engine, smtp_server, tmp_path):
    seed(engine)
    settings = email_settings(
        tmp_path, smtp_server, dashboard={"public_url": "https://vaultward.example.com/"}
    )
    run = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
    assert [(o.target, o.status) for o in run.deliveries][1:] == [
        ("email:ciso@example.com,board@example.com", "delivered")
    ]
    [message] = smtp_server.messages
    assert message["Subject"] == "Vaultward posture 2026-W47: 61 (fair), +21.2"
    assert message["To"] == "ciso@example.com, board@example.com"
    body = message.get_body(("plain",)).get_content()
    assert body.splitlines()[:4] == [
        "Vaultward weekly posture report 2026-W47 (2026-11-16 to 2026-11-22)",
        "",
        "Overall readiness: 61.2 / 100, fair (week before: 40.0, change +21.2)",
        body.splitlines()[3],  # the band's sentence
    ]
    assert "\n".join(body.splitlines()[5:]) == "\n".join(
        [
            "Mitigations:",
            "  HSM and multi-signature custody: 60.0 (+10.0)",
            "  Social-engineering training: 0.0 (not measured: no evidence collected)",
            "  Zero-trust access and strict MFA: 62.5 (+32.5)",
            "",
            "Top actions:",
            "  1. Multisig (custody.multisig_threshold, critical): 2 resource(s) failing or unknown; "
            "owner: unassigned",
            "  2. Root MFA (access.root_mfa, critical): 1 resource(s) failing or unknown; owner: unassigned",
            "  3. Console MFA (access.console_user_mfa, high): 2 resource(s) failing or unknown; "
            "owner: unassigned",
            "  and 1 check(s) need data (listed in the attached report)",
            "",
            "Caveats: 3 (listed in the attached report)",
            "",
            "Dashboard: https://vaultward.example.com/reports",
        ]
    )
    attached = {a.get_filename(): a.get_payload(decode=True) for a in message.iter_attachments()}
    assert attached == {
        "vaultward-report-2026-W47.json": run.files.paths["json"].read_bytes(),
        "vaultward-findings-2026-W47.csv": run.files.paths["csv"].read_bytes(),
    }

    again = produce_and_deliver(settings, engine, "2026-W47", initial_wait=NO_WAIT)
    assert again.deliveries[1].status == "already delivered"
    assert len(smtp_server.messages) == 1


def test_a_temporary_refusal_is_retried_and_recorded_with_its_attempts(engine, smtp_server, tmp_path):
    seed(engine)
    smtp_server.refuse_next = 1
    run = produce_and_deliver(email_settings(tmp_path, smtp_server), engine, "2026-W47", initial_wait=NO_WAIT)
    assert run.failed == []
    assert len(smtp_server.messages) == 1
    assert deliveries(engine) == [("folder", "delivered", 1), ("email", "delivered", 2)]
    # No dashboard.public_url: no link (a loopback address means nothing to the recipients).
    assert "Dashboard:" not in smtp_server.messages[0].get_body(("plain",)).get_content()


def test_the_pdf_is_attached_when_there_is_one_else_the_html_else_json_and_csv(tmp_path):
    paths, checksums = {}, {}
    for fmt in ("pdf", "html", "json", "csv"):
        paths[fmt] = tmp_path / f"r.{fmt}"
        paths[fmt].write_bytes(fmt.encode())
        checksums[fmt] = hashlib.sha256(fmt.encode()).hexdigest()

    def attached(*formats: str) -> list[tuple[str, str]]:
        files = ReportFiles("2026-W47", {f: paths[f] for f in formats}, checksums)
        return [(a.filename, a.mime_type) for a in mail_attachments(files)]

    assert attached("pdf", "html", "json", "csv") == [("r.pdf", "application/pdf")]
    assert attached("html", "json", "csv") == [("r.html", "text/html")]
    assert attached("json", "csv") == [("r.json", "application/json"), ("r.csv", "text/csv")]
    paths["json"].write_bytes(b"tampered")
    with pytest.raises(DeliveryError, match="changed since it was written"):
        attached("json")
