"""The weekly report's numbers against a store with two weeks of evaluations."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import add_evaluation
from vaultward.reporting.files import ReportError, build_report, iso_week_of, week_bounds
from vaultward.store.models import Waiver

W46_MONDAY = datetime(2026, 11, 9, tzinfo=UTC)
W47_MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def finding(check_id: str, resource: str, status: str = "fail", **fields) -> dict:
    return {
        "check_id": check_id,
        "resource": resource,
        "status": status,
        "message": f"{resource} {status}",
        **fields,
    }


def seed(engine) -> None:
    with Session(engine) as session:
        # W46: an early evaluation (superseded) and the week's last one
        add_evaluation(session, W46_MONDAY + timedelta(days=1), overall=10.0, band="critical",
                       mitigation_scores={"access": 10.0})  # fmt: skip
        add_evaluation(
            session, W46_MONDAY + timedelta(days=4), overall=40.0, band="weak",
            mitigation_scores={"access": 30.0, "custody": 50.0,
                               "training": {"score": 0.0, "measured": False, "unknown": 4}},
            findings=[finding("access.root_mfa", "aws:1"), finding("access.root_mfa", "aws:2"),
                      finding("custody.multisig_threshold", "safe:a")],
        )  # fmt: skip
        # W47: the week's evaluations; the last one (Saturday) is the report's
        add_evaluation(session, W47_MONDAY + timedelta(days=2), overall=55.0, band="weak",
                       mitigation_scores={"access": 55.0})  # fmt: skip
        latest = add_evaluation(
            session, W47_MONDAY + timedelta(days=5), overall=61.25, band="fair",
            mitigation_scores={
                "access": {"score": 62.5, "check_count": 2, "passed": 5, "failed": 2, "unknown": 1},
                "custody": {"score": 60.0, "check_count": 1, "passed": 3, "failed": 2},
                "training": {"score": 0.0, "measured": False, "check_count": 1, "unknown": 4},
            },
            check_scores=[
                {"check_id": "access.root_mfa", "title": "Root MFA", "severity": "critical", "weight": 3.0,
                 "score": 66.7, "passed": 2, "failed": 1,
                 "references": ["attack-mitigation:M1032", "attack:T1078.004", "cis-v8:6.5"]},
                {"check_id": "access.console_user_mfa", "title": "Console MFA", "weight": 2.0, "score": 60.0,
                 "passed": 3, "failed": 1, "unknown": 1, "references": ["attack-mitigation:M1032", "cis-v8:6.3"]},
                {"check_id": "custody.multisig_threshold", "title": "Multisig", "severity": "critical",
                 "weight": 3.0, "score": 60.0, "passed": 3, "failed": 2, "references": ["attack:T1657", "ccss:v8:1.04"]},
                {"check_id": "training.awareness_recent", "title": "Awareness", "weight": 1.0, "score": 0.0,
                 "unknown": 4, "references": ["attack-mitigation:M1017", "attack:T1566.003"]},
            ],
            findings=[
                finding("access.root_mfa", "aws:2"),  # still failing
                finding("access.root_mfa", "aws:1", "pass"),  # fixed
                finding("access.console_user_mfa", "=HYPERLINK(\"http://x\")"),  # new, hostile name
                finding("access.console_user_mfa", "bob", "unknown"),
                finding("custody.multisig_threshold", "safe:a"),
                finding("custody.multisig_threshold", "safe:b"),  # new
            ],
            problems=["plugin skipped: entry point acme: No module named 'acme_checks'"],
        )  # fmt: skip
        for days, check in (
            (10, "access.root_mfa"),
            (45, "custody.multisig_threshold"),
            (-1, "access.console_user_mfa"),
        ):
            session.add(Waiver(check_id=check, resource_pattern="*", reason="r", owner="o@x.io",
                               created_at=W47_MONDAY, expires_at=latest.started_at + timedelta(days=days)))  # fmt: skip
        session.commit()


def test_the_weeks_numbers_come_from_its_last_evaluation_against_the_week_before(engine):
    seed(engine)
    report = build_report(engine, "2026-W47")
    assert (report.overall, report.band, report.previous_overall) == (61.25, "fair", 40.0)
    assert report.delta == pytest.approx(21.25)
    assert report.evaluated_at == W47_MONDAY + timedelta(days=5)
    lines = {m.mitigation: (m.score, m.previous, m.delta, m.measured) for m in report.mitigations}
    assert [m.mitigation for m in report.mitigations] == ["custody", "training", "access"]
    assert lines["access"] == (62.5, 30.0, pytest.approx(32.5), True)
    assert lines["custody"] == (60.0, 50.0, pytest.approx(10.0), True)
    assert lines["training"] == (0.0, 0.0, None, False)  # no evidence either week: no change to claim
    assert [(f.check_id, f.resource) for f in report.new_failures] == [
        ("access.console_user_mfa", '=HYPERLINK("http://x")'),
        ("custody.multisig_threshold", "safe:b"),
    ]
    assert [(f.check_id, f.resource) for f in report.fixes] == [("access.root_mfa", "aws:1")]
    # Severity first, then weight x (failed + unknown): the critical multisig 3x2=6 and root
    # 3x1=3, then console (high) 2x2=4; awareness has only unknowns: it needs data, not action.
    assert [(a.check_id, a.priority) for a in report.actions] == [
        ("custody.multisig_threshold", 6.0),
        ("access.root_mfa", 3.0),
        ("access.console_user_mfa", 4.0),
    ]
    assert [w["check_id"] for w in report.waivers_expiring] == [
        "access.root_mfa"
    ]  # 10 days; not 45, not expired
    assert report.caveats == [
        "Social-engineering training: no evidence collected; its score of 0 rests on no data",
        # The one unknown finding (bob's), the check's own: no stored Run says a source was in trouble.
        "1 resource(s) could not be judged (unknown): 1 the checks could not judge from the data or "
        "settings they have: Console MFA (1). None of these unknowns comes from a stale, failed or "
        "partial source: they wait for data or settings the checks do not have",
        "plugin skipped: entry point acme: No module named 'acme_checks'",
    ]
    assert len(report.failing) == 5


def test_the_same_week_gives_the_same_bytes_and_a_spreadsheet_safe_csv(engine):
    seed(engine)
    first, second = build_report(engine, "2026-W47").to_json(), build_report(engine, "2026-W47").to_json()
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
    data = json.loads(first)
    assert data["schema_version"] == "3" and data["iso_week"] == "2026-W47"
    assert data["period_start"] == "2026-11-16T00:00:00+00:00"
    rows = list(csv.DictReader(io.StringIO(build_report(engine, "2026-W47").findings_csv())))
    assert '\'=HYPERLINK("http://x")' in [r["resource"] for r in rows]


def test_twelve_weeks_of_history_end_with_the_reports_week(engine):
    seed(engine)
    report = build_report(engine, "2026-W47")
    assert [p.iso_week for p in report.history] == [f"2026-W{week}" for week in range(36, 48)]
    assert [p.overall for p in report.history] == [None] * 10 + [40.0, 61.25]
    assert [p.evaluation_id for p in report.history[-2:]] == [
        report.previous_evaluation_id,
        report.evaluation_id,
    ]
    assert report.history[0].mitigations == {"custody": None, "training": None, "access": None}
    # the week's last evaluation; training measured neither week: no point to draw
    assert report.history[-2].mitigations == {"custody": 50.0, "training": None, "access": 30.0}
    assert report.history[-1].mitigations == {"custody": 60.0, "training": None, "access": 62.5}
    data = json.loads(report.to_json())
    assert data["history"][-1] == {
        "iso_week": "2026-W47", "evaluation_id": report.evaluation_id, "overall": 61.25,
        "mitigations": {"access": 62.5, "custody": 60.0, "training": None},
    }  # fmt: skip


def test_the_attack_path_and_frameworks_come_from_the_weeks_check_scores(engine):
    seed(engine)
    report = build_report(engine, "2026-W47")
    stages = {
        s.stage: (s.score, s.band, s.measured, s.passed, s.failed, s.unknown) for s in report.attack_path
    }
    assert [s.stage for s in report.attack_path] == [
        "lure", "malicious_content", "workstation", "lateral_movement", "signing",
    ]  # fmt: skip
    assert stages["lure"] == (0.0, "unmeasured", False, 0, 0, 4)  # awareness: all unknown
    assert stages["malicious_content"] == (None, "unmeasured", False, 0, 0, 0)
    # root MFA cites T1078.004 (family T1078); console MFA cites no stage's technique: access -> workstation
    assert stages["workstation"] == (pytest.approx((66.7 * 3 + 60.0 * 2) / 5), "fair", True, 5, 2, 1)
    assert stages["signing"] == (60.0, "fair", True, 3, 2, 0)
    workstation = report.attack_path[2]
    assert [(c.check_id, c.cites) for c in workstation.checks] == [
        ("access.console_user_mfa", []),
        ("access.root_mfa", ["T1078"]),
    ]
    frameworks = {
        group.namespace: [(c.control, c.title, c.checks, c.score, c.measured) for c in group.controls]
        for group in report.frameworks
    }
    assert [group.namespace for group in report.frameworks] == ["attack-mitigation", "ccss", "cis-v8"]
    assert frameworks["attack-mitigation"] == [
        ("M1017", "User Training", ["training.awareness_recent"], 0.0, False),
        ("M1032", "Multi-factor Authentication", ["access.console_user_mfa", "access.root_mfa"],
         pytest.approx(64.02), True),
    ]  # fmt: skip
    assert frameworks["ccss"] == [("v8:1.04", "Key Usage", ["custody.multisig_threshold"], 60.0, True)]
    assert frameworks["cis-v8"] == [
        ("6.3", "Require MFA for Externally-Exposed Applications", ["access.console_user_mfa"], 60.0, True),
        ("6.5", "Require MFA for Administrative Access", ["access.root_mfa"], 66.7, True),
    ]


def test_each_mitigation_lists_its_checks_with_the_registrys_guidance(engine):
    from vaultward.pipeline.registry import discover

    seed(engine)
    registry = discover(entry_point_groups=False)
    report = build_report(engine, "2026-W47", registry)
    access = next(m for m in report.mitigations if m.mitigation == "access")
    assert [(m.mitigation, m.band) for m in report.mitigations] == [
        ("custody", "fair"), ("training", "unmeasured"), ("access", "fair"),
    ]  # fmt: skip
    assert [
        (c.check_id, c.severity, c.weight, c.score, c.measured, c.passed, c.failed, c.unknown, c.waived)
        for c in access.checks
    ] == [
        ("access.console_user_mfa", "high", 2.0, 60.0, True, 3, 1, 1, 0),
        ("access.root_mfa", "critical", 3.0, 66.7, True, 2, 1, 0, 0),
    ]
    root = registry.checks["access.root_mfa"]
    assert (access.checks[1].risk, access.checks[1].remediation) == (root.risk, root.remediation)
    assert root.remediation and root.risk  # the catalog's own text, not empty
    multisig = registry.checks["custody.multisig_threshold"].remediation
    assert [(a.check_id, a.remediation) for a in report.actions][0] == (
        "custody.multisig_threshold",
        multisig,
    )
    bare = build_report(engine, "2026-W47")  # no registry: the store keeps scores, not prose
    assert {(c.risk, c.remediation) for m in bare.mitigations for c in m.checks} == {(None, None)}
    assert {a.remediation for a in bare.actions} == {None}


def test_a_week_without_an_evaluation_and_a_malformed_week_are_clear_errors(engine):
    seed(engine)
    with pytest.raises(ReportError, match="no evaluation in 2026-W40"):
        build_report(engine, "2026-W40")
    with pytest.raises(ReportError, match="expected an ISO week like 2026-W47"):
        week_bounds("2026-47")
    first = build_report(engine, "2026-W46")
    assert first.previous_evaluation_id is None and first.new_failures == []
    assert first.caveats[-1] == "first report: no comparison yet"  # nothing at all before W46
    assert iso_week_of(W47_MONDAY + timedelta(days=6, hours=23)) == "2026-W47"


def test_the_command_writes_the_files_once_per_week(engine, database_url, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sqlmodel import select

    from vaultward.store.models import Report

    seed(engine)
    env = {**os.environ, "VAULTWARD_DATABASE_URL": database_url}
    env.pop("VAULTWARD_CONFIG", None)
    command = [
        str(Path(sys.executable).parent / "vaultward"),
        "report",
        "--week",
        "2026-W47",
        "--out",
        str(tmp_path),
        "--format",
        "json,csv",
    ]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "vaultward-report-2026-W47.json"
    digest = hashlib.sha256(written.read_bytes()).hexdigest()
    assert f"json: {written} (sha256 {digest})" in first.stdout
    assert f"folder:{tmp_path}: delivered (1 attempt(s))" in first.stdout
    assert (tmp_path / "vaultward-findings-2026-W47.csv").exists()
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert f"folder:{tmp_path}: already delivered" in again.stdout
    assert "unchanged since report 1; nothing new recorded" in again.stdout
    assert hashlib.sha256(written.read_bytes()).hexdigest() == digest
    with Session(engine) as session:
        rows = session.exec(select(Report)).all()
    assert [(r.iso_week, r.checksums["json"], r.delivered_to) for r in rows] == [
        ("2026-W47", digest, [f"folder:{tmp_path}"])
    ]
    for week, formats, message in (
        ("2026-W40", "json", "no evaluation in 2026-W40"),
        ("2026-40", "json", "week '2026-40': expected an ISO week like 2026-W47"),
        ("2026-W47", "json,docx", "unknown format 'docx'\nexpected one of: html, pdf, csv, json, ocsf"),
    ):
        wrong = subprocess.run(
            [*command[:2], "--week", week, "--format", formats, "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert (wrong.returncode, message in wrong.stderr) == (2, True), wrong.stderr
