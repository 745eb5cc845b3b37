"""The report's data-quality caveats are true of the week's evaluation: unknowns are blamed on
stale, failed or partial sources only when the evaluation found them so, and are otherwise
said to be the checks' own (missing data or settings), with every source fresh."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from tests.factories import make_account, make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.content import build_report, iso_week_of
from vaultward.store.models import Run, utcnow

SCOPE = "aws:111111111111"
account = make_account(account_id="111111111111", root_mfa_enabled=True, scope=SCOPE)
# The source does not report MFA enforcement: checks reading it judge nothing (unknown).
dan = make_identity(key="dan", mfa_enrolled=True, mfa_enforced=None, scope=SCOPE)


def unknown_caveat(engine, registry) -> str:
    evaluate(Settings(), engine, registry)
    report = build_report(engine, iso_week_of(utcnow()))
    [caveat] = [c for c in report.caveats if "could not be judged (unknown)" in c]
    return caveat


def test_unknowns_with_every_source_fresh_blame_no_source(engine):
    registry = registry_with({SCOPE: [account, dan]})
    collect(Settings(), engine, registry)
    caveat = unknown_caveat(engine, registry)
    assert "stale" not in caveat.replace("comes from a stale, failed or partial source", "")
    assert "never collected" not in caveat and "incomplete" not in caveat
    assert (
        "None of these unknowns comes from a stale, failed or partial source: they wait for data or "
        "settings the checks do not have" in caveat
    )
    assert "no source provides the data yet" in caveat  # the checks that judged nothing, named
    assert "MFA" in caveat


def test_a_stale_source_is_named_as_the_cause(engine):
    registry = registry_with({SCOPE: [account, dan]})
    collect(Settings(), engine, registry)
    with Session(engine) as session:  # collected two days ago: twice the 6h schedule and more
        run = session.exec(select(Run).where(Run.scope == SCOPE)).one()
        run.finished_at = utcnow() - timedelta(days=2)
        session.add(run)
        session.commit()
    caveat = unknown_caveat(engine, registry)
    assert f"rest on stale sources: static for {SCOPE} (" in caveat
    assert "None of these unknowns comes from a stale" not in caveat


def test_a_partial_collection_is_named(engine):
    refused = Problem("entra: policies refused (HTTP 403)", ("identity.policy",), ("identity.mfa_enforced",))
    registry = registry_with({SCOPE: [account, dan, refused]})
    collect(Settings(), engine, registry)
    caveat = unknown_caveat(engine, registry)
    report = build_report(engine, iso_week_of(utcnow()))
    assert (
        f"partial collections used (what they could not read is unknown or carried forward): static for {SCOPE}"
        in report.caveats
    )
    assert "None of these unknowns comes from a stale" not in caveat
