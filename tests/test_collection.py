"""Runs and facts: one transaction per Run, failures never lose earlier facts."""

from botocore.exceptions import ClientError
from sqlmodel import Session, select

from tests.factories import make_account, make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import collect
from vaultward.store.models import Fact, Run


def _denied() -> ClientError:
    return ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole")


def test_each_scope_is_its_own_run_and_failure_keeps_earlier_facts(engine):
    alice = make_identity(key="alice", scope="a")
    plan = {"a": [alice, make_account(account_id="111111111111")], "b": [make_identity(key="bob")]}
    first = collect(Settings(), engine, registry_with(plan))
    assert sorted((o.scope, o.status, o.items) for o in first) == [("a", "ok", 2), ("b", "ok", 1)]

    plan_b_denied = {"a": [alice], "b": [make_identity(key="bob-2"), _denied()]}
    second = collect(Settings(), engine, registry_with(plan_b_denied))
    outcome = {o.scope: o for o in second}
    assert outcome["a"].status == "ok" and outcome["b"].status == "failed"
    assert "AccessDenied" in outcome["b"].error and "not authorized" in outcome["b"].error

    with Session(engine) as session:
        runs = session.exec(select(Run).order_by(Run.id)).all()
        # scopes run concurrently: order within one collection is not fixed; each collection
        # starts with a discovery Run listing the scopes
        assert sorted((r.scope, r.status, r.item_count) for r in runs) == [
            ("a", "ok", 1),
            ("a", "ok", 2),
            ("b", "failed", 0),
            ("b", "ok", 1),
            ("static:discovery", "ok", 2),
            ("static:discovery", "ok", 2),
        ]
        facts_b = session.exec(select(Fact.key).where(Fact.scope == "b", Fact.kind == "identity")).all()
        # bob from the first run is still there; nothing of the failed run was written
        assert facts_b == ["bob"]
        assert all(r.finished_at is not None for r in runs)


def test_problems_make_a_partial_run(engine):
    plan = {"a": [make_identity(key="alice"), Problem("list_mfa_devices denied for bob", ("identity",))]}
    [outcome] = collect(Settings(), engine, registry_with(plan))
    assert outcome.status == "partial" and outcome.items == 1
    assert outcome.error == "list_mfa_devices denied for bob"


def test_records_get_the_scope_of_their_run(engine):
    collect(Settings(), engine, registry_with({"aws:1": [make_identity(key="x", scope="elsewhere")]}))
    with Session(engine) as session:
        fact = session.exec(select(Fact).where(Fact.kind == "identity")).one()
    assert fact.scope == "aws:1" and fact.kind == "identity" and fact.data["key"] == "x"


def test_a_nul_character_from_a_source_does_not_fail_the_run(engine):
    # PostgreSQL text cannot hold NUL: the record keeps U+FFFD in its place, and the Run is stored.
    identity = make_identity(key="okta:00u\x00evil", name="mal\x00lory", factor_kinds=["sms\x00"])
    [outcome] = collect(Settings(), engine, registry_with({"okta:acme": [identity]}))
    assert outcome.status == "ok" and outcome.items == 1
    with Session(engine) as session:
        fact = session.exec(select(Fact).where(Fact.kind == "identity")).one()
    assert fact.key == "okta:00u\ufffdevil"
    assert (fact.data["name"], fact.data["factor_kinds"]) == ("mal\ufffdlory", ["sms\ufffd"])


def test_error_text_is_redacted_before_it_is_stored(engine, monkeypatch):
    from vaultward.contract import redaction

    monkeypatch.setenv("VW_TEST_TOKEN", "tok-very-secret-value")
    redaction.configure(["VW_TEST_TOKEN"])
    try:
        plan = {"a": [RuntimeError("call with tok-very-secret-value was refused")]}
        [outcome] = collect(Settings(), engine, registry_with(plan))
    finally:
        redaction.configure()
    assert outcome.error == "RuntimeError: call with [redacted] was refused"
    with Session(engine) as session:
        assert session.exec(select(Run.error).where(Run.scope == "a")).one() == outcome.error


def test_discovery_run_lists_the_scopes_and_a_listing_failure_is_recorded(engine):
    registry = registry_with({"a": [], "b": []})
    collect(Settings(), engine, registry)
    with Session(engine) as session:
        discovery = session.exec(select(Run).where(Run.scope == "static:discovery")).one()
        listed = session.exec(select(Fact.key).where(Fact.run_id == discovery.id)).all()
    assert discovery.status == "ok" and sorted(listed) == ["a", "b"]

    def refuse(self):
        raise RuntimeError("organizations:ListAccounts throttled")

    registry.collectors["static"].scopes = refuse
    [outcome] = collect(Settings(), engine, registry)
    assert outcome.scope == "static:discovery" and outcome.status == "failed"
    assert outcome.error == "listing scopes failed: RuntimeError: organizations:ListAccounts throttled"
