"""Evaluation over stored facts: scores, staleness, partial runs, missing scopes, waivers."""

import gc
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import make_account, make_identity, make_path, make_vpc
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings, parse_settings
from vaultward.contract.records import PortRange
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.store.models import CheckScore, Evaluation, Finding, MitigationScore, Run, Waiver, utcnow


def findings(engine, evaluation_id, check_id):
    with Session(engine) as session:
        rows = session.exec(
            select(Finding).where(Finding.evaluation_id == evaluation_id, Finding.check_id == check_id)
        ).all()
    return {f.resource: f.status for f in rows}


def scores(engine, evaluation_id):
    with Session(engine) as session:
        rows = session.exec(
            select(MitigationScore).where(MitigationScore.evaluation_id == evaluation_id)
        ).all()
    return {s.mitigation: (s.score, s.measured) for s in rows}


def test_scores_from_findings(engine):
    plan = {
        "aws:1": [
            make_account(account_id="111111111111", root_mfa_enabled=True),
            make_identity(key="alice", mfa_enrolled=True, privileged=True),
            make_identity(key="bob", mfa_enrolled=False),
        ],
        "aws:2": [make_account(account_id="222222222222", root_mfa_enabled=False)],
    }
    registry = registry_with(plan)
    # A fixed set of checks, so the arithmetic below does not move as the catalog grows.
    chosen = {
        "access.root_mfa",
        "access.console_user_mfa",
        "access.privileged_user_mfa",
        "access.access_key_age",
        "custody.hsm_cluster_redundant",
        "training.awareness_recent",
    }
    registry.checks = {check_id: spec for check_id, spec in registry.checks.items() if check_id in chosen}
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)

    assert findings(engine, summary.evaluation_id, "access.root_mfa") == {
        "aws:111111111111": "pass",
        "aws:222222222222": "fail",
    }
    assert findings(engine, summary.evaluation_id, "access.console_user_mfa") == {
        "alice": "pass",
        "bob": "fail",
    }
    # access: root 50 (w3), console 50 (w2), privileged 100 (w3), keys no data -> unknown 0 (w1)
    assert summary.scores["access"] == pytest.approx((50 * 3 + 50 * 2 + 100 * 3 + 0 * 1) / 9)
    got = scores(engine, summary.evaluation_id)
    assert got["training"] == (0.0, False)  # no training source: unmeasured, never a pass
    assert got["custody"] == (0.0, False)
    with Session(engine) as session:
        check = session.exec(select(CheckScore).where(CheckScore.check_id == "access.access_key_age")).one()
    assert (check.unknown, check.score) == (1, 0.0)


def test_stale_facts_turn_unknown(engine):
    registry = registry_with({"aws:1": [make_identity(key="alice", mfa_enrolled=True)]})
    collect(Settings(), engine, registry)
    later = utcnow() + timedelta(hours=13)  # default schedule 6h: stale after 12h
    summary = evaluate(Settings(), engine, registry, now=later)
    with Session(engine) as session:
        finding = session.exec(
            select(Finding).where(
                Finding.evaluation_id == summary.evaluation_id, Finding.check_id == "access.console_user_mfa"
            )
        ).one()
    assert finding.status == "unknown"
    assert "stale" in finding.message and finding.evidence["status_if_fresh"] == "pass"
    fresh = evaluate(Settings(), engine, registry, now=utcnow() + timedelta(hours=11))
    assert findings(engine, fresh.evaluation_id, "access.console_user_mfa") == {"alice": "pass"}


def test_failed_scope_uses_earlier_facts_and_never_collected_scope_is_unknown(engine):
    collect(Settings(), engine, registry_with({"aws:1": [make_account(account_id="111111111111")]}))
    denied = RuntimeError("sts:AssumeRole denied")
    registry = registry_with({"aws:1": [denied], "aws:2": [denied]})
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    got = findings(engine, summary.evaluation_id, "access.root_mfa")
    # aws:1 is judged from its earlier facts, but aws:2's accounts are unknown in number: a
    # share over aws:1 alone could beat the true one, so the check waits for aws:2.
    assert got == {"aws:111111111111": "unknown", "aws:2": "unknown"}
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.check_id == "access.root_mfa")).all()
        messages = {f.resource: (f.message, f.evidence.get("status_if_fresh")) for f in rows}
    assert messages == {
        "aws:2": (
            "no successful collection from static for aws:2: RuntimeError: sts:AssumeRole denied",
            None,
        ),
        "aws:111111111111": (
            "not scored while part of this check's population is unknown: aws:2 has never been "
            "collected successfully (RuntimeError: sts:AssumeRole denied)",
            "pass",
        ),
    }


def test_once_every_scope_has_collected_a_failing_one_keeps_its_earlier_facts(engine):
    plan = {"aws:1": [make_account(account_id="111111111111")], "aws:2": [make_account(account_id="2")]}
    collect(Settings(), engine, registry_with(plan))
    denied = RuntimeError("sts:AssumeRole denied")
    registry = registry_with({"aws:1": [denied], "aws:2": plan["aws:2"]})
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    assert findings(engine, summary.evaluation_id, "access.root_mfa") == {
        "aws:111111111111": "pass",
        "aws:2": "pass",
    }


def test_partial_run_makes_population_checks_unknown(engine):
    from tests.factories import make_path, make_vpc

    plan = {
        "aws:1/us-east-1": [
            make_vpc(key="vpc-p"),
            make_path(key="sg-1/https", vpcs=["vpc-p"]),
            Problem("page 2 failed"),
        ]
    }
    registry = registry_with(plan)
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    assert findings(engine, summary.evaluation_id, "segmentation.no_admin_ports_from_internet") == {
        "vpc-p": "unknown"
    }


def test_waiver_excludes_and_expired_waiver_stops_counting(engine):
    registry = registry_with({"aws:1": [make_identity(key="bob", mfa_enrolled=False)]})
    collect(Settings(), engine, registry)
    with Session(engine) as session:
        session.add(
            Waiver(
                check_id="access.console_user_mfa",
                resource_pattern="b*",
                reason="leaving Friday",
                owner="ciso@example.com",
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(days=3),
            )
        )
        session.commit()
    summary = evaluate(Settings(), engine, registry)
    assert findings(engine, summary.evaluation_id, "access.console_user_mfa") == {"bob": "waived"}
    with Session(engine) as session:
        check = session.exec(
            select(CheckScore).where(
                CheckScore.evaluation_id == summary.evaluation_id,
                CheckScore.check_id == "access.console_user_mfa",
            )
        ).one()
    assert check.score is None and check.waived == 1
    weekly = parse_settings({"sources": {"static": {"schedule": "1w"}}})  # facts stay fresh
    later = evaluate(weekly, engine, registry, now=utcnow() + timedelta(days=4))
    assert findings(engine, later.evaluation_id, "access.console_user_mfa") == {"bob": "fail"}


def test_crashing_check_becomes_unknown(engine, monkeypatch):
    registry = registry_with({"aws:1": [make_account(account_id="111111111111")]})
    spec = registry.checks["access.root_mfa"]

    def boom(ctx):
        """Risk."""
        raise KeyError("oops")

    from dataclasses import replace

    registry.checks["access.root_mfa"] = replace(spec, function=boom)
    collect(Settings(), engine, registry)
    registry.broken.append("/plugins/half_written.py: No module named 'yaml'")
    summary = evaluate(Settings(), engine, registry)
    assert findings(engine, summary.evaluation_id, "access.root_mfa") == {"*": "unknown"}
    expected = [
        "plugin skipped: /plugins/half_written.py: No module named 'yaml'",
        "check access.root_mfa (builtin) raised KeyError: 'oops'",
    ]
    assert list(summary.problems) == expected
    assert "  reported: check access.root_mfa (builtin) raised KeyError: 'oops'" in summary.lines()
    with Session(engine) as session:
        assert {run.status for run in session.exec(select(Run))} == {"ok"}
        assert session.get(Evaluation, summary.evaluation_id).problems == expected


def test_a_failed_listing_keeps_the_last_listed_scopes(engine):
    registry = registry_with({"aws:1": [make_account(account_id="111111111111")]})
    collect(Settings(), engine, registry)

    def refuse(self):
        raise RuntimeError("throttled")

    registry.collectors["static"].scopes = refuse
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    # the failed listing is no scope of its own: nothing turns unknown because of it
    assert findings(engine, summary.evaluation_id, "access.root_mfa") == {"aws:111111111111": "pass"}


def test_scopes_no_longer_listed_stop_counting(engine):
    collect(
        Settings(),
        engine,
        registry_with(
            {
                "aws:1": [make_account(account_id="111111111111")],
                "aws:2": [make_account(account_id="222222222222", root_mfa_enabled=False)],
            }
        ),
    )
    registry = registry_with({"aws:1": [make_account(account_id="111111111111")]})  # account 2 removed
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    assert findings(engine, summary.evaluation_id, "access.root_mfa") == {"aws:111111111111": "pass"}


def test_a_result_naming_no_scope_depends_on_every_scope_it_read(engine):
    from dataclasses import replace

    from vaultward.contract.sdk import passed

    registry = registry_with({"aws:1": [make_account(account_id="111111111111")]})

    def summary_check(ctx):
        """Risk."""
        yield passed("all-accounts", "every account looks fine")

    registry.checks["access.root_mfa"] = replace(registry.checks["access.root_mfa"], function=summary_check)
    collect(Settings(), engine, registry)
    fresh = evaluate(Settings(), engine, registry)
    assert findings(engine, fresh.evaluation_id, "access.root_mfa") == {"all-accounts": "pass"}
    stale = evaluate(Settings(), engine, registry, now=utcnow() + timedelta(hours=13))
    assert findings(engine, stale.evaluation_id, "access.root_mfa") == {"all-accounts": "unknown"}


@pytest.mark.parametrize("enabled", [True, False])
def test_evaluation_leaves_the_garbage_collector_as_it_found_it(engine, enabled):
    # The evaluation pauses the cyclic collector while it makes its findings; a worker that
    # had it on must get it back on, one that had it off must not find it turned on.
    registry = registry_with({"aws:1": [make_identity(key="alice", mfa_enrolled=False)]})
    collect(Settings(), engine, registry)
    (gc.enable if enabled else gc.disable)()
    try:
        summary = evaluate(Settings(), engine, registry)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert findings(engine, summary.evaluation_id, "access.console_user_mfa") == {"alice": "fail"}


def test_a_policy_edit_changes_the_verdict_at_the_next_evaluation_without_collecting(engine):
    """Zones are derived at evaluation from what was collected (issue 17): a rule added to
    policy.zones counts at the next evaluation, over the same facts."""
    prod = make_vpc(key="vpc-prod", tags={"Environment": "prod"}, cidrs=["10.0.0.0/16"], zone=None)
    lab = make_vpc(key="vpc-lab", cidrs=["10.20.0.0/16"], zone=None)
    peering = make_path(
        key="pcx-1",
        path_kind="vpc_peering",
        from_zone="unknown",
        to_zone="production",
        from_ref=lab.key,
        to_ref=prod.key,
        vpcs=[lab.key, prod.key],
        ports=[],
    )
    registry = registry_with({"aws:111111111111/us-east-1": [prod, lab, peering]})
    registry.checks = {
        check_id: spec
        for check_id, spec in registry.checks.items()
        if check_id == "segmentation.no_corporate_production_path"
    }
    collect(Settings(), engine, registry)
    check = "segmentation.no_corporate_production_path"
    with Session(engine) as session:
        runs = len(session.exec(select(Run)).all())

    before = evaluate(Settings(), engine, registry)
    # No rule classifies the lab: it may be corporate, so production's verdict is unknown.
    assert findings(engine, before.evaluation_id, check) == {"vpc-prod": "unknown", "vpc-lab": "unknown"}

    edited = parse_settings({"policy": {"zones": {"corporate_cidrs": ["10.20.0.0/16"]}}})
    after = evaluate(edited, engine, registry)
    assert findings(engine, after.evaluation_id, check) == {"vpc-prod": "fail", "vpc-lab": "skipped"}
    with Session(engine) as session:
        assert len(session.exec(select(Run)).all()) == runs  # nothing collected again


def test_a_corporate_range_added_to_the_policy_finds_a_security_group_rule_collected_before(engine):
    """A security-group rule is recorded whatever its source range, its zones derived at
    evaluation (issue 17): a corporate range added to policy.zones turns the production VPC
    it reaches from pass to fail at the next evaluation, with nothing collected again."""
    prod = make_vpc(key="vpc-prod", tags={"Environment": "prod"}, cidrs=["10.0.0.0/16"], zone=None)
    rule = make_path(
        key="sg-web/ingress/10.20.0.0/16/tcp/5432-5432",
        from_zone=None,  # as the collector records it now: observations only
        to_zone=None,
        from_ref="10.20.0.0/16",
        to_ref="sg-web",
        vpcs=[prod.key],
        ports=[PortRange(protocol="tcp", from_port=5432, to_port=5432)],
    )
    registry = registry_with({"aws:111111111111/us-east-1": [prod, rule]})
    check = "segmentation.no_corporate_production_path"
    registry.checks = {check: registry.checks[check]}
    collect(Settings(), engine, registry)
    with Session(engine) as session:
        runs = len(session.exec(select(Run)).all())

    before = evaluate(Settings(), engine, registry)
    # 10.20.0.0/16 is private and no rule calls it corporate: the rule joins no zones.
    assert findings(engine, before.evaluation_id, check) == {"vpc-prod": "pass"}

    edited = parse_settings({"policy": {"zones": {"corporate_cidrs": ["10.20.0.0/16"]}}})
    after = evaluate(edited, engine, registry)
    assert findings(engine, after.evaluation_id, check) == {"vpc-prod": "fail"}
    with Session(engine) as session:
        assert len(session.exec(select(Run)).all()) == runs  # nothing collected again
