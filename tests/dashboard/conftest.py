"""Dashboard fixtures: a store seeded with evaluations, checks, findings and runs; fresh caches."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session

from tests.factories import add_evaluation, add_run
from vaultward.store.models import Waiver


def seed_store(engine, now: datetime | None = None) -> datetime:
    """Seed evaluations at latest-30d, latest-7d-2h (the weekly baseline), latest-1d and the
    latest (an hour before `now`); returns the latest evaluation's start."""
    now = now or datetime.now(UTC)
    latest = now - timedelta(hours=1)
    no_training = {"score": 0.0, "measured": False, "check_count": 1, "unknown": 10}
    with Session(engine) as session:
        waivers = [
            Waiver(check_id=check, resource_pattern="*", reason=reason, owner="ciso@acme.example",
                   created_at=now - timedelta(days=10), expires_at=now + timedelta(days=days))
            for check, days, reason in (
                ("custody.multisig_threshold", 40, "migrating to a 3-of-5 Safe"),
                ("access.root_mfa", 5, "hardware key in the post"),
                ("access.console_user_mfa", -2, "contractor offboarded"),
            )
        ]  # fmt: skip
        session.add_all(waivers)
        session.flush()  # ids from the store's own sequence: later inserts must not collide
        add_evaluation(
            session,
            latest - timedelta(days=30),
            overall=20.0,
            band="critical",
            mitigation_scores={"access": 10.0, "custody": 10.0, "segmentation": 10.0},
        )
        add_evaluation(
            session,
            latest - timedelta(days=7, hours=2),
            overall=50.0,
            band="weak",
            mitigation_scores={
                "access": 40.0,
                "custody": 60.0,
                "segmentation": 70.0,
                "training": dict(no_training),
            },
        )
        add_evaluation(
            session,
            latest - timedelta(days=1),
            overall=65.0,
            band="fair",
            mitigation_scores={
                "access": 55.0,
                "custody": 75.0,
                "segmentation": 72.0,
                "training": dict(no_training),
            },
        )
        add_evaluation(
            session,
            latest,
            overall=68.25,
            band="fair",
            mitigation_scores={
                "access": {"score": 50.0, "check_count": 2, "passed": 4, "failed": 3, "unknown": 3},
                "custody": {"score": 80.0, "check_count": 1, "passed": 4, "failed": 1},
                "segmentation": {"score": 75.0, "check_count": 1, "passed": 4},
                "training": dict(no_training),
            },
            check_scores=[
                {"check_id": "access.root_mfa", "title": "Root accounts use MFA",
                 "severity": "critical", "weight": 3.0, "score": 60.0, "passed": 3, "failed": 2,
                 "references": ["attack-mitigation:M1032", "cis-v8:6.5"], "owners": ["Cloud platform team"]},
                {"check_id": "access.privileged_phishing_resistant",
                 "title": "Privileged people use phishing-resistant MFA", "severity": "high",
                 "weight": 2.0, "score": 20.0, "passed": 1, "failed": 1, "unknown": 3,
                 "references": ["attack-mitigation:M1032", "cis-v8:6.5", "seal:ida-2.1.1"]},
                {"check_id": "custody.multisig_threshold", "title": "Multisig threshold is safe",
                 "severity": "critical", "weight": 5.0, "score": 80.0, "passed": 4, "failed": 1,
                 "waived": 1, "references": ["attack-mitigation:M1026", "ccss:v8:1.02"]},
                {"check_id": "segmentation.no_admin_ports", "title": "No admin ports open",
                 "severity": "high", "weight": 1.0, "score": 100.0, "passed": 4},
                {"check_id": "training.lure_training", "title": "Signers trained on real lures",
                 "severity": "high", "weight": 2.0, "score": 0.0, "unknown": 10},
            ],
            findings=[
                {"check_id": "access.root_mfa", "severity": "critical", "status": "fail",
                 "resource": "aws:111111111111", "resource_name": "prod-payments",
                 "scope": "aws:111111111111", "message": "Root user has no MFA device.",
                 "evidence": {"root_mfa_enabled": False, "account": "111111111111"}},
                {"check_id": "access.root_mfa", "severity": "critical", "status": "fail",
                 "resource": "aws:222222222222", "resource_name": "corp-it",
                 "scope": "aws:222222222222", "message": "Root user has no MFA device.",
                 "evidence": {"root_mfa_enabled": False, "account": "222222222222"}},
                {"check_id": "access.root_mfa", "severity": "critical", "status": "pass",
                 "resource": "aws:333333333333", "resource_name": "treasury",
                 "scope": "aws:333333333333", "message": "Root user has a hardware MFA device.",
                 "evidence": {"root_mfa_enabled": True}},
                {"check_id": "access.privileged_phishing_resistant", "severity": "high",
                 "status": "unknown", "resource": "okta:00u1alice", "resource_name": "alice",
                 "scope": "okta:acme", "message": "No factor data from Okta for alice.",
                 "evidence": {"factors": None}},
                {"check_id": "access.privileged_phishing_resistant", "severity": "high",
                 "status": "fail", "resource": "okta:00u2bob", "resource_name": "bob",
                 "scope": "okta:acme", "message": "bob signs with SMS codes only.",
                 "evidence": {"factor_kinds": ["sms"], "privileged": True}},
                {"check_id": "custody.multisig_threshold", "severity": "critical",
                 "status": "waived", "resource": "safe:eth:0xcold", "resource_name": "cold-reserve",
                 "message": "1-of-1: one signer can move funds", "waiver_id": waivers[0].id,
                 "evidence": {"status_if_not_waived": "fail", "waiver_reason": "migrating to a 3-of-5 Safe"}},
            ],
            problems=["plugin skipped: entry point acme: No module named 'acme_checks'"],
        )  # fmt: skip
        add_run(
            session, "aws_iam", "aws:111111111111", "ok", now - timedelta(days=2), item_count=7
        )  # superseded by the next run of the same scope
        add_run(
            session,
            "aws_iam",
            "aws:111111111111",
            "ok",
            now - timedelta(minutes=40),
            now - timedelta(minutes=30),
            item_count=42,
        )
        add_run(
            session,
            "aws_network",
            "aws:111111111111/us-east-1",
            "failed",
            now - timedelta(hours=2),
            now - timedelta(hours=2),
            item_count=0,
            error="AccessDenied: ec2:DescribeSecurityGroups",
        )
        add_run(session, "okta", "okta:acme", "ok", now - timedelta(hours=20, minutes=5),
                now - timedelta(hours=20), item_count=130)  # fmt: skip
        session.commit()
    return latest


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`vaultward demo` serving on loopback: its base URL and its data folder. One for the
    session: the browser tests of several modules read it and none changes it."""
    from tests.dashboard.test_browser import VAULTWARD, free_port, require_chromium, running
    from tests.demo_store import NOT_INHERITED

    require_chromium()
    tmp_path = tmp_path_factory.mktemp("served-demo")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    log_path = tmp_path / "demo.log"
    base = f"http://127.0.0.1:{port}"
    # Twelve weeks, as `./dev.sh demo` runs it: the pages are checked with their history.
    command = [VAULTWARD, "demo", "--port", str(port), "--data-dir", str(tmp_path / "demo")]
    with running(command, env, tmp_path, log_path, base, timeout=420):
        yield base, tmp_path


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test reads its own store: nothing cached by an earlier test may leak in."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def seeded_url(engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a seeded store, also exported as VAULTWARD_DATABASE_URL."""
    seed_store(engine)
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url
