"""Prowler JSON-OCSF import: from a folder and from S3 (moto), newest finding wins, every
finding keeps its provenance; bad files and entries are reported, never fatal."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from sqlmodel import Session, select

from collectors.prowler_import import ProwlerImportCollector
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import ExternalFinding
from vaultward.pipeline.collection import run_scope
from vaultward.store.models import Fact

PAYLOADS = Path(__file__).parent / "payloads"


def folder_with_runs(tmp_path: Path) -> Path:
    folder = tmp_path / "prowler"
    folder.mkdir()
    for age, name in ((200, "older.ocsf.json"), (100, "newer.ocsf.json")):
        shutil.copy(PAYLOADS / name, folder / name)
        stamp = 1_763_000_000 - age
        os.utime(folder / name, (stamp, stamp))
    return folder


def collector(**options) -> ProwlerImportCollector:
    return ProwlerImportCollector(parse_settings({"sources": {"prowler_import": options}}))


def collect(source: ProwlerImportCollector):
    [scope] = source.scopes()
    items = list(source.collect(scope))
    findings = {i.check_id + " " + i.resource: i for i in items if isinstance(i, ExternalFinding)}
    problems = [i.reason for i in items if not isinstance(i, ExternalFinding)]
    return findings, problems


def test_folder_import_keeps_matching_findings_newest_first(tmp_path):
    findings, problems = collect(collector(path=str(folder_with_runs(tmp_path))))
    assert {k: (f.status, f.muted) for k, f in findings.items()} == {
        "iam_user_mfa_enabled_console_access arn:aws:iam::111122223333:user/alice": (
            "pass",
            False,
        ),  # newer wins
        "iam_root_mfa_enabled arn:aws:iam::111122223333:root": ("fail", False),
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22 arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123": (
            "fail",
            False,
        ),
        "iam_user_hardware_mfa_enabled arn:aws:iam::111122223333:user/bob": ("manual", True),
        "iam_user_mfa_enabled_console_access arn:aws:iam::111122223333:user/carol": (
            "other:UNKNOWN_STATE",
            False,
        ),
    }  # s3_bucket_public_access is not an MFA or network check: left out
    root = findings["iam_root_mfa_enabled arn:aws:iam::111122223333:root"]
    assert (root.severity, root.account, root.region, root.message) == (
        "critical",
        "111122223333",
        "us-east-1",
        "MFA is not enabled for root account.",
    )
    assert root.provenance == {
        "file": "newer.ocsf.json",
        "finding_uid": "prowler-aws-iam_root_mfa_enabled-111122223333-us-east-1-root",
        "prowler_version": "5.14.0",
    }
    carol = findings["iam_user_mfa_enabled_console_access arn:aws:iam::111122223333:user/carol"]
    assert carol.anomalies == ["status_code 'UNKNOWN_STATE' is not PASS, FAIL or MANUAL"]
    assert problems == ["newer.ocsf.json entry 6: missing metadata.event_code or finding_info.uid"]


def test_s3_import(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="security-reports")
        s3.put_object(
            Bucket="security-reports",
            Key="prowler/newer.ocsf.json",
            Body=(PAYLOADS / "newer.ocsf.json").read_bytes(),
        )
        s3.put_object(Bucket="security-reports", Key="other/ignored.ocsf.json", Body=b"[]")
        findings, problems = collect(collector(s3_uri="s3://security-reports/prowler/"))
    assert len(findings) == 5 and len(problems) == 1
    root = findings["iam_root_mfa_enabled arn:aws:iam::111122223333:root"]
    assert root.provenance["file"] == "s3://security-reports/prowler/newer.ocsf.json"


def test_a_file_that_is_not_json_makes_the_run_partial_and_the_rest_lands(tmp_path, engine):
    folder = folder_with_runs(tmp_path)
    (folder / "broken.ocsf.json").write_text("{not json")
    source = collector(path=str(folder))
    [scope] = source.scopes()
    outcome = run_scope(engine, source, scope)
    assert outcome.status == "partial" and outcome.items == 5
    assert "broken.ocsf.json: not JSON: " in outcome.error
    with Session(engine) as session:
        kinds = set(session.exec(select(Fact.kind).where(Fact.run_id == outcome.run_id)))
    assert kinds == {"external.finding"}


def test_a_missing_folder_fails_the_run(tmp_path, engine):
    source = collector(path=str(tmp_path / "nowhere"))
    [scope] = source.scopes()
    outcome = run_scope(engine, source, scope)
    assert outcome.status == "failed" and f"{tmp_path / 'nowhere'} is not a folder" in outcome.error


def test_options_need_exactly_one_place():
    with pytest.raises(ConfigError, match=r"sources.prowler_import: give exactly one of 'path'"):
        collector()
    with pytest.raises(
        ConfigError,
        match=r"sources.prowler_import.s3_uri: .*expected s3://bucket/prefix|sources.prowler_import: s3_uri=",
    ):
        collector(s3_uri="http://x")


def test_entries_of_the_wrong_shape_are_located_problems_and_the_rest_import():
    # Regressions (property tests): AttributeError / KeyError escaped map_findings and failed
    # the whole file.
    import json

    from collectors.prowler_import.mapper import MalformedFinding, map_findings

    [good] = json.loads((PAYLOADS / "older.ocsf.json").read_text())
    entries = [
        {**good, "metadata": ["not", "an", "object"]},
        {**good, "cloud": ["aws"]},
        {**good, "resources": {"uid": "arn:x"}},
        good,
    ]
    items = list(map_findings(entries, "scan.ocsf.json", ["*"]))
    assert [str(item) for item in items[:3]] == [
        "scan.ocsf.json entry 0: missing metadata.event_code or finding_info.uid",
        "scan.ocsf.json entry 1: unexpected shape (AttributeError: 'list' object has no attribute 'get')",
        "scan.ocsf.json entry 2: unexpected shape (KeyError: 0)",
    ]
    assert all(isinstance(item, MalformedFinding) for item in items[:3])
    assert isinstance(items[3], ExternalFinding)


def test_a_folder_without_prowler_output_fails_the_run(tmp_path, engine):
    empty = tmp_path / "empty"
    empty.mkdir()
    source = collector(path=str(empty))
    outcome = run_scope(engine, source, source.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error == f"ApiError: prowler_import: no Prowler output (.ocsf.json, .json) in {empty}"
