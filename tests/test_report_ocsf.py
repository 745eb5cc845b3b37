"""The week's open findings as OCSF Compliance Finding events, from the two-week store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding

from tests.test_report import seed
from vaultward.pipeline.registry import discover
from vaultward.reporting.files import write_report
from vaultward.reporting.ocsf import finding_uid


def events(engine, tmp_path) -> list[dict]:
    row, _ = write_report(engine, "2026-W47", ["ocsf"], tmp_path, registry=discover(entry_point_groups=False))
    path = tmp_path / "vaultward-findings-2026-W47.ocsf.jsonl"
    assert list(row.files) == ["ocsf"] and path.exists()
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_open_finding_is_one_compliance_finding_event(engine, tmp_path):
    seed(engine)
    found = events(engine, tmp_path)
    # The week's open findings: root_mfa aws:2, console_user_mfa (hostile name, bob unknown),
    # multisig safe:a and safe:b; the fixed aws:1 is not an event.
    assert sorted((e["metadata"]["event_code"], e["resources"][0]["uid"]) for e in found) == [
        ("access.console_user_mfa", '=HYPERLINK("http://x")'),
        ("access.console_user_mfa", "bob"),
        ("access.root_mfa", "aws:2"),
        ("custody.multisig_threshold", "safe:a"),
        ("custody.multisig_threshold", "safe:b"),
    ]
    for event in found:
        ComplianceFinding.model_validate(event)  # the OCSF model accepts it back
        assert (event["class_uid"], event["category_uid"], event["activity_id"], event["type_uid"]) == (
            2003, 2, 1, 200301,
        )  # fmt: skip
        assert event["time"] == int(datetime(2026, 11, 21, tzinfo=UTC).timestamp() * 1000)
        assert event["metadata"]["product"]["name"] == "Vaultward"
        assert event["metadata"]["correlation_uid"] == "evaluation-4"
    by_resource = {e["resources"][0]["uid"]: e for e in found}
    root = by_resource["aws:2"]
    assert (root["severity_id"], root["severity"]) == (4, "High")  # the stored finding's severity
    assert (root["compliance"]["status_id"], root["compliance"]["status"]) == (3, "Fail")
    assert root["compliance"]["control"] == "access.root_mfa"
    assert "MITRE ATT&CK Mitigations" in root["compliance"]["standards"]
    assert "attack-mitigation:M1032" in root["compliance"]["requirements"]
    assert root["remediation"]["desc"]  # from the registered check
    assert root["finding_info"]["uid"] == finding_uid("access.root_mfa", "aws:2")
    unknown = by_resource["bob"]
    assert (unknown["compliance"]["status_id"], unknown["compliance"]["status"]) == (2, "Warning")


def test_the_same_store_gives_the_same_bytes_and_stable_finding_ids(engine, tmp_path):
    seed(engine)
    first = (tmp_path / "a").mkdir() or events(engine, tmp_path / "a")
    second = (tmp_path / "b").mkdir() or events(engine, tmp_path / "b")
    assert first == second
    assert (tmp_path / "a" / "vaultward-findings-2026-W47.ocsf.jsonl").read_bytes() == (
        tmp_path / "b" / "vaultward-findings-2026-W47.ocsf.jsonl"
    ).read_bytes()
    # One uid per (check, resource): a SIEM updates the finding week after week.
    assert len({e["finding_info"]["uid"] for e in first}) == len(first)
