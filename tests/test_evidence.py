"""What a partial Run leaves out, as the evaluation judges it (vaultward/pipeline/evidence.py) and as
`vaultward status` shows it (vaultward/read/gap_report.py): an incomplete listing never shrinks a
population, a failed side request leaves only its fields unknown, an unreadable configured
resource is unknown, never absent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from tests.factories import make_account, make_identity, make_wallet
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.gaps import Unreadable
from vaultward.read.gap_report import gap_rows
from vaultward.store.models import CheckScore, Finding, Run, utcnow

ROOT = Path(__file__).parents[1]
SCOPE = "aws:111111111111"
MFA = "access.console_user_mfa"

alice = make_identity(key="alice", mfa_enrolled=True, scope=SCOPE)
bob = make_identity(key="bob", mfa_enrolled=False, scope=SCOPE)
carol = make_identity(key="carol", mfa_enrolled=False, scope=SCOPE)
account = make_account(account_id="111111111111", root_mfa_enabled=True, scope=SCOPE)
PAGE_TWO_LOST = Problem(
    "GET /users: HTTP 503 after 5 attempts (page 2; the listing is incomplete)", ("identity",)
)


def findings(engine, evaluation_id: int, check_id: str) -> dict[str, Finding]:
    with Session(engine) as session:
        rows = session.exec(
            select(Finding).where(Finding.evaluation_id == evaluation_id, Finding.check_id == check_id)
        ).all()
    return {row.resource: row for row in rows}


def score(engine, evaluation_id: int, check_id: str) -> float | None:
    with Session(engine) as session:
        row = session.exec(
            select(CheckScore).where(
                CheckScore.evaluation_id == evaluation_id, CheckScore.check_id == check_id
            )
        ).one()
    return row.score


def run(engine, plan: list) -> int:
    registry = registry_with({SCOPE: plan})
    collect(Settings(), engine, registry)
    return evaluate(Settings(), engine, registry).evaluation_id


def test_an_incomplete_listing_carries_the_last_complete_population_forward(engine):
    clean = run(engine, [account, alice, bob, carol])
    # The page holding bob and carol fails: without them the check would read 100.
    partial = run(engine, [account, alice, PAGE_TWO_LOST])
    assert score(engine, partial, MFA) == score(engine, clean, MFA) == 100 / 3
    carried = findings(engine, partial, MFA)
    assert {key: f.status for key, f in carried.items()} == {"alice": "pass", "bob": "fail", "carol": "fail"}
    assert "carried_forward_from" not in carried["alice"].evidence  # read again this time
    assert "carried forward from the complete listing of" in carried["bob"].message
    # The kind the gap did not touch is judged from the new Run as usual.
    assert {k: f.status for k, f in findings(engine, partial, "access.root_mfa").items()} == {
        "aws:111111111111": "pass"
    }


def test_without_an_earlier_complete_listing_the_checks_reading_the_kind_are_unknown(engine):
    partial = run(engine, [account, alice, PAGE_TWO_LOST])
    judged = findings(engine, partial, MFA)
    assert {key: f.status for key, f in judged.items()} == {"alice": "unknown"}
    assert judged["alice"].evidence["status_if_fresh"] == "pass"
    assert judged["alice"].message.startswith(f"the identity listing of {SCOPE} was incomplete (GET /users")
    assert score(engine, partial, MFA) == 0.0
    # Only the kind whose listing broke: the account is judged.
    assert findings(engine, partial, "access.root_mfa")["aws:111111111111"].status == "pass"


def test_a_stale_complete_listing_is_not_carried_forward(engine):
    registry = registry_with({SCOPE: [account, alice, bob]})
    collect(Settings(), engine, registry)
    with Session(engine) as session:  # the complete Run finished two days ago
        complete = session.exec(select(Run).where(Run.scope == SCOPE)).one()
        complete.finished_at = utcnow() - timedelta(days=2)
        session.add(complete)
        session.commit()
    partial = run(engine, [account, alice, PAGE_TWO_LOST])
    assert {key: f.status for key, f in findings(engine, partial, MFA).items()} == {"alice": "unknown"}


def test_a_field_gap_leaves_only_the_checks_reading_the_field_unknown(engine):
    enforced = [
        make_identity(key="dan", mfa_enrolled=True, mfa_enforced=None, scope=SCOPE),
        make_identity(key="erin", mfa_enrolled=False, mfa_enforced=None, scope=SCOPE),
    ]
    refused = Problem("entra: policies refused (HTTP 403)", ("identity.policy",), ("identity.mfa_enforced",))
    evaluation = run(engine, [account, *enforced, refused])
    # The enrolment verdicts stand; enforcement, which the failed request feeds, is unknown.
    assert {k: f.status for k, f in findings(engine, evaluation, MFA).items()} == {
        "dan": "pass",
        "erin": "fail",
    }
    unknown = findings(engine, evaluation, "access.mfa_enforced")
    assert {k: f.status for k, f in unknown.items()} == {"dan": "unknown", "erin": "unknown"}
    assert "entra: policies refused (HTTP 403)" in unknown["dan"].message


def test_without_a_field_gap_an_unreported_field_is_not_judged(engine):
    evaluation = run(engine, [account, make_identity(key="dan", mfa_enforced=None, scope=SCOPE)])
    judged = findings(engine, evaluation, "access.mfa_enforced")
    # Listed as not applicable (the source does not report enforcement), and nothing judged.
    assert {key: f.status for key, f in judged.items()} == {"dan": "skipped", "*": "unknown"}


def test_an_unreadable_configured_wallet_is_unknown_in_every_wallet_check(engine):
    wallet = make_wallet(key="safe:eth:0xaaa", threshold=2, signers=["0x1", "0x2", "0x3"], scope=SCOPE)
    missing = Unreadable(key="safe:eth:0xbbb", name="Hot", of_kind="custody.wallet", reason="not found (404)")
    evaluation = run(engine, [wallet, missing])
    for check in ("custody.multisig_threshold", "custody.safe_modules_allowlisted"):
        judged = findings(engine, evaluation, check)
        assert judged["safe:eth:0xbbb"].status == "unknown", check
        assert judged["safe:eth:0xbbb"].message == "custody.wallet Hot could not be read: not found (404)"
        assert judged["safe:eth:0xaaa"].status != "unknown", check


def test_status_names_what_each_partial_run_left_unknown(engine, database_url):
    registry = registry_with({SCOPE: [account, alice, bob]})
    collect(Settings(), engine, registry)
    refused = Problem("policies refused (HTTP 403)", (), ("identity.mfa_enforced",))
    missing = Unreadable(key="safe:eth:0xbbb", of_kind="custody.wallet", reason="not found (404)")
    registry = registry_with({SCOPE: [account, alice, PAGE_TWO_LOST, refused, missing]})
    collect(Settings(), engine, registry)
    rows = {row.missing: row for row in gap_rows(Settings(), engine, registry, utcnow())}
    assert set(rows) == {
        "listing of identity (incomplete)",
        "fields identity.mfa_enforced",
        "custody.wallet safe:eth:0xbbb (unreadable)",
    }
    listing = rows["listing of identity (incomplete)"]
    assert listing.treated_as.startswith("carried forward from the complete listing of ")
    assert MFA in listing.checks and "access.root_mfa" not in listing.checks
    assert rows["fields identity.mfa_enforced"].treated_as == "unknown in the checks that read them"
    assert "custody.multisig_threshold" in rows["custody.wallet safe:eth:0xbbb (unreadable)"].checks


def test_vaultward_status_prints_the_gaps_of_a_partial_run(engine, database_url):
    from vaultward.store.models import Run as StoredRun

    with Session(engine) as session:
        gap = {"reason": "okta: GET /api/v1/users: HTTP 503 (page 2)", "kinds": ["identity"], "fields": []}
        session.add(
            StoredRun(
                collector="okta",
                scope="okta:acme.okta.com",
                status="partial",
                started_at=utcnow(),
                finished_at=utcnow(),
                error=gap["reason"],
                gaps=[{**gap, "resource": ""}],
            )
        )
        session.commit()
    result = subprocess.run(
        [sys.executable, "-m", "vaultward.cli.main", "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "VAULTWARD_DATABASE_URL": database_url, "COLUMNS": "250"},
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "What partial runs left unknown" in result.stdout
    line = next(line for line in result.stdout.splitlines() if "listing of identity" in line)
    assert "okta:acme.okta.com" in line and "unknown for this scope" in line
    assert "access.console_user_mfa" in result.stdout
