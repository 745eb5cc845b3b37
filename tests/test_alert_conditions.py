"""Alert conditions as pure judgements: which checks, scores and scopes fire or recover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.factories import NOW
from vaultward.alerting.conditions import (
    Condition,
    Recovery,
    changes,
    check_verdicts,
    score_drop_verdicts,
    stale_verdicts,
)
from vaultward.pipeline.freshness import ScopeState
from vaultward.store.models import Run


@dataclass
class Score:
    check_id: str = "access.console_user_mfa"
    title: str = "Every identity that can sign in with a password has MFA"
    mitigation: str = "access"
    severity: str = "high"
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0


HIGH = ["critical", "high"]


def test_failing_high_check_fires_with_counts_names_and_link():
    verdicts = check_verdicts(
        [Score(passed=9, failed=3)], HIGH, {"access.console_user_mfa": ["alice", "bob"]}, []
    )
    condition = verdicts["check_failing:access.console_user_mfa"]
    assert condition == Condition(
        key="check_failing:access.console_user_mfa",
        kind="check_failing",
        subject="access.console_user_mfa",
        title="High check failing: Every identity that can sign in with a password has MFA (access.console_user_mfa)",
        message="3 of 12 resources fail: alice, bob and 1 more",
        severity="high",
        mitigation="access",
        link_path="access?check=access.console_user_mfa",
        evidence={
            "failed": 3,
            "judged": 12,
            "passed": 9,
            "unknown": 0,
            "waived": 0,
            "resources": ["alice", "bob"],
        },
    )


def test_lower_severity_waived_and_unknown_only_decide_nothing_or_recover():
    verdicts = check_verdicts(
        [
            Score(check_id="access.access_key_age", severity="medium", failed=4),  # not alerting
            Score(check_id="custody.multisig", failed=0, unknown=2, passed=1),  # cannot prove a fix
            Score(check_id="access.root_mfa", failed=0, waived=2, passed=3),  # waived: recovered
        ],
        HIGH,
        {},
        ["check_failing:custody.multisig", "check_failing:access.gone"],
    )
    assert verdicts == {
        "check_failing:access.root_mfa": Recovery(
            "check_failing:access.root_mfa", "no resource fails any more (3 of 3 pass)"
        ),
        "check_failing:access.gone": Recovery(
            "check_failing:access.gone", "the check is no longer evaluated"
        ),
    }


def test_changes_open_new_conditions_and_close_recovered_open_ones():
    firing = check_verdicts([Score(failed=1), Score(check_id="access.root_mfa", passed=2)], HIGH, {}, [])
    planned = changes(firing, ["check_failing:access.root_mfa"])
    assert [c.key for c in planned.opened] == ["check_failing:access.console_user_mfa"]
    assert [r.key for r in planned.recovered] == ["check_failing:access.root_mfa"]
    still = changes(firing, ["check_failing:access.console_user_mfa"])
    assert still.opened == [] and still.recovered == []


def test_score_drop_at_threshold_fires_smaller_does_not():
    verdicts = score_drop_verdicts(
        {"custody": 65.0, "access": 71.0, "training": None},
        {"custody": 80.0, "access": 80.0, "training": 90.0},
        {},
        10.0,
    )
    assert list(verdicts) == ["score_drop:custody"]
    drop = verdicts["score_drop:custody"]
    assert isinstance(drop, Condition)
    assert drop.message == "score fell 15.0 points, from 80.0 to 65.0 (alert threshold 10.0)"
    assert drop.evidence == {"baseline": 80.0, "score": 65.0, "drop": 15.0}
    assert drop.link_path == "custody" and drop.severity == "high"
    # exactly the threshold counts, despite float noise (80.1 - 70.1 = 9.99999...)
    assert list(score_drop_verdicts({"access": 70.1}, {"access": 80.1}, {}, 10.0)) == ["score_drop:access"]


def test_open_score_drop_holds_against_its_baseline_then_recovers_within_threshold():
    # previous evaluation no longer matters once open: the baseline does
    held = score_drop_verdicts({"custody": 68.0}, {"custody": 65.0}, {"custody": 80.0}, 10.0)
    assert isinstance(held["score_drop:custody"], Condition)
    recovered = score_drop_verdicts({"custody": 71.0}, {"custody": 68.0}, {"custody": 80.0}, 10.0)
    assert recovered == {
        "score_drop:custody": Recovery("score_drop:custody", "back to 71.0 (baseline 80.0 before the drop)")
    }
    assert score_drop_verdicts({"custody": None}, {}, {"custody": 80.0}, 10.0) == {}


def _run(finished_hours_ago: float) -> Run:
    return Run(
        collector="aws_iam",
        scope="aws:111111111111",
        status="ok",
        started_at=NOW,
        finished_at=NOW - timedelta(hours=finished_hours_ago),
    )


def test_stale_failed_and_fresh_scopes():
    states = [
        ScopeState(
            "aws_iam",
            "aws:1",
            _run(1),
            None,
            "facts for aws:1 from aws_iam are stale: collected 13h ago, expected every 6h",
        ),
        ScopeState("okta", "acme.okta.com", _run(1), "HTTP 401 Invalid token <b>", None),
        ScopeState("safe", "chain:1", None, None, None),
        ScopeState("aws_network", "aws:1/us-east-1", _run(1), None, None),
    ]
    verdicts = stale_verdicts(states, ["stale:aws_custody:aws:9"])
    assert {k: type(v).__name__ for k, v in verdicts.items()} == {
        "stale:aws_iam:aws:1": "Condition",
        "stale:okta:acme.okta.com": "Condition",
        "stale:safe:chain:1": "Condition",
        "stale:aws_network:aws:1/us-east-1": "Recovery",
        "stale:aws_custody:aws:9": "Recovery",
    }
    stale = verdicts["stale:aws_iam:aws:1"]
    assert isinstance(stale, Condition)
    assert stale.message == "facts for aws:1 from aws_iam are stale: collected 13h ago, expected every 6h"
    assert stale.link_path == "sources" and stale.mitigation is None and stale.severity == "medium"
    assert (
        verdicts["stale:okta:acme.okta.com"].message
        == "the latest collection failed: HTTP 401 Invalid token <b>"
    )
    assert verdicts["stale:safe:chain:1"].message == (
        "the latest collection failed: no error recorded; no usable facts from this scope"
    )
