"""Smoke run of benchmarks/collect_aws.py: a small synthetic organisation collected with the
pool and with one worker; every Run ok, facts as generated and the same both ways. No timing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from benchmarks.collect_aws import DUMMY_ENVIRONMENT, SOURCES, run_benchmark
from benchmarks.synthetic.aws import OrgShape, plan_account
from vaultward.store.db import open_store
from vaultward.store.models import Run

SHAPE = OrgShape(accounts=3, regions=2, users=6, security_groups=5)


def test_the_plan_is_deterministic_and_varied():
    assert plan_account(SHAPE, 1) == plan_account(SHAPE, 1)
    assert plan_account(SHAPE, 1) != plan_account(SHAPE, 2)
    users = [user for index in range(20) for user in plan_account(SHAPE, index).users]
    assert {user.mfa for user in users} == {"", "virtual", "u2f", "hardware"}
    assert {user.admin for user in users} == {"", "group", "inline"}
    assert {user.console for user in users} == {True, False}
    assert {user.access_keys for user in users} == {0, 1, 2}


@pytest.mark.slow
def test_concurrent_and_serial_collection_store_the_generated_organisation(database_url, monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    for name, value in DUMMY_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)

    result = run_benchmark(
        SHAPE, latency=0.01, workers=8, repeats=1, serial_accounts=3, database_url=database_url
    )

    assert result.problems == []
    organisation = result.organisation
    [fast], [slow] = result.concurrent, result.serial
    expected = organisation.expected()
    assert expected["identity"] == 3 * 6 and expected["network.vpc"] == 3 * 2 * 3
    assert expected["network.path"] > 0 and expected["credential.access_key"] > 0
    assert fast.facts == slow.facts == expected
    assert fast.rows == slow.rows  # same accounts: the same facts, to the byte
    assert (fast.workers, slow.workers, slow.accounts) == (8, 1, 3)
    assert fast.requests == slow.requests > 0  # the pool repeats no call (one AssumeRole per role)
    engine = open_store(database_url)
    try:
        with Session(engine) as session:
            runs = session.exec(select(Run)).all()
    finally:
        engine.dispose()
    # Per pass: 3 discoveries, the Organizations tree, 3 IAM and 3 x 2 network scopes.
    assert len(runs) == 2 * (3 + 1 + 3 + 6)
    assert {run.status for run in runs} == {"ok"}
    assert {run.collector for run in runs} == set(SOURCES)
