"""Framework coverage: the stored check scores grouped by the standards they cite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.factories import ScoredCheck, make_account, make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.read.frameworks import coverage, latest_coverage
from vaultward.store.models import CheckScore

VAULTWARD = str(Path(sys.executable).parent / "vaultward")


def test_a_control_scores_the_weighted_mean_of_the_checks_citing_it():
    grouped = coverage(
        [
            ScoredCheck("access.a", 3, 25.0, passed=1, failed=3, references=["cis-v8:6.5", "attack-mitigation:M1032"]),
            ScoredCheck("access.b", 1, 100.0, passed=9, references=["cis-v8:6.5", "cis-v8:12.2"]),
            ScoredCheck("access.c", 2, None, waived=4, references=["cis-v8:6.5"]),
            ScoredCheck("custody.d", 2, 0.0, unknown=1, references=["ccss:v8:1.03", "cis-v8:6.3"]),
        ]
    )  # fmt: skip
    assert list(grouped) == ["attack-mitigation", "ccss", "cis-v8"]
    cis = {c.control: c for c in grouped["cis-v8"]}
    assert list(cis) == ["6.3", "6.5", "12.2"]  # natural order, not text order
    mfa = cis["6.5"]
    assert mfa.score == pytest.approx((25 * 3 + 100 * 1) / 4)  # the all-waived check has no score
    assert (mfa.passed, mfa.failed, mfa.unknown, mfa.waived) == (10, 3, 0, 4)
    assert mfa.checks == ("access.a", "access.b", "access.c")
    assert mfa.title == "Require MFA for Administrative Access" and mfa.measured
    assert grouped["ccss"][0].reference == "ccss:v8:1.03" and not grouped["ccss"][0].measured
    assert grouped["attack-mitigation"][0].title == "Multi-factor Authentication"


def test_coverage_of_an_evaluation_comes_from_its_stored_check_scores(engine, database_url):
    plan = {
        "aws:1": [
            make_account(account_id="111111111111", root_mfa_enabled=False),
            make_account(account_id="222222222222"),
            make_identity(key="alice", privileged=True, factor_kinds=["u2f"]),
            make_identity(key="bob", privileged=True, mfa_enrolled=False, factor_kinds=[]),
        ]
    }
    registry = registry_with(plan)
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    with Session(engine) as session:
        stored = {
            s.check_id: s
            for s in session.exec(select(CheckScore).where(CheckScore.evaluation_id == summary.evaluation_id))
        }
    assert stored["access.root_mfa"].references == list(registry.checks["access.root_mfa"].references)

    evaluation, grouped = latest_coverage(engine)
    assert evaluation.id == summary.evaluation_id
    m1032 = next(c for c in grouped["attack-mitigation"] if c.control == "M1032")
    citing = [s for s in stored.values() if "attack-mitigation:M1032" in s.references]
    assert m1032.checks == tuple(sorted(s.check_id for s in citing))
    scored = [s for s in citing if s.score is not None]
    expected = sum(s.score * s.weight for s in scored) / sum(s.weight for s in scored)
    assert m1032.score == pytest.approx(expected)
    assert m1032.failed == sum(s.failed for s in citing) > 0

    env = {**os.environ, "VAULTWARD_DATABASE_URL": database_url, "COLUMNS": "250"}
    env.pop("VAULTWARD_CONFIG", None)
    shown = subprocess.run(
        [VAULTWARD, "frameworks", "--namespace", "attack-mitigation"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "MITRE ATT&CK mitigations" in shown.stdout and "CIS Critical" not in shown.stdout
    row = next(line for line in shown.stdout.splitlines() if "M1032" in line)
    assert f"{m1032.score:.1f}" in row and "Multi-factor Authentication" in row

    wrong = subprocess.run(
        [VAULTWARD, "frameworks", "--namespace", "iso27001"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert wrong.returncode == 2 and "unknown standard 'iso27001'" in wrong.stderr
