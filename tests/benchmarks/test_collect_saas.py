"""Smoke run of benchmarks/collect_saas.py (no timing assertions): the real Okta, KnowBe4
and Safe collectors (Safe on four chains: four threads sharing one pace), pacing themselves, against fakes enforcing 120 requests a minute: no 429, no
retry, no failed Run, and the stored facts are exactly the synthetic organisation's. Plus
the generator: deterministic, and sized as asked."""

from __future__ import annotations

import pytest

from benchmarks.collect_saas import collect_once, org_size
from benchmarks.synthetic.saas import OrgSize, synthetic_saas
from vaultward.contract.records import Identity, PhishingResult, PhishProne, TrainingRecord, Wallet

BURST = 20  # what 120 a minute lets through in ten seconds before the pace waits


@pytest.mark.slow
def test_paced_collection_stays_under_the_fakes_limit_and_stores_the_whole_org(database_url: str):
    org = synthetic_saas(org_size(20))  # as the --smoke run: Safe on four chains (threads)
    run = collect_once(org, database_url, limit=120, latency=0.01, paced=True)
    assert [figure.source for figure in run.figures] == ["okta", "knowbe4", "safe"]
    for figure in run.figures:
        assert figure.requests > BURST, figure  # past the burst: the pace itself was exercised
        assert (figure.rate_limited, figure.retries, figure.failed_runs) == (0, 0, 0), figure
        assert figure.facts_match, figure
    assert run.problems() == []


def test_the_generator_is_deterministic_and_sized_by_its_options():
    size = OrgSize(people=120, admin_every=10, phishing_tests=3)
    org = synthetic_saas(size)
    assert org == synthetic_saas(size)
    assert synthetic_saas(OrgSize(people=120, seed=9)).knowbe4 != org.knowbe4
    assert len(org.okta.users) == 120 and len({user["id"] for user in org.okta.users}) == 120
    assert len(org.okta.roles) == 12  # one admin in ten
    assert {user["profile"]["login"] for user in org.okta.users} == {
        user["email"] for user in org.knowbe4["users"]
    }  # the same people on both sources
    archived = sum(1 for user in org.knowbe4["users"] if user["status"] == "archived")
    deprovisioned = sum(1 for user in org.okta.users if user["status"] == "DEPROVISIONED")
    assert archived == deprovisioned == 2
    expected = org.expected
    assert len(expected["okta"][Identity.kind]) == 120
    assert len(expected["knowbe4"][PhishProne.kind]) == 118
    assert len(expected["knowbe4"][PhishingResult.kind]) == 3 * 118
    assert len(expected["knowbe4"][TrainingRecord.kind]) == 118 + 12  # awareness each, lure for admins
    assert len(expected["safe"][Wallet.kind]) == len(org.safe_wallets) == 40
    assert (
        {wallet["chain"] for wallet in org.safe_wallets} == set(org.safe) == {"eth", "arb1", "base", "oeth"}
    )
