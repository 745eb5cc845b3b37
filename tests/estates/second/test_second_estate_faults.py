"""Faults injected into the second estate's fakes (issue 15): losing a side request must leave
the verdicts that do not depend on it as they were."""

from __future__ import annotations

from tests.estates.second.estate import NorthwindEstate
from tests.estates.second.expected import BITGO_COLD, BITGO_HOT, BITGO_OPS, expected_verdicts
from tests.estates.second.test_second_estate import REGISTRY, stored
from vaultward.collection import collect
from vaultward.db import open_store
from vaultward.evaluation import evaluate


def test_bitgo_pending_approvals_refused_keeps_the_wallets(northwind: NorthwindEstate, tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    body = {"error": "Not Found", "name": "NotFound", "requestId": "northwind-fault"}
    northwind.fakes["bitgo"].inject("/api/v2/btc/pendingapprovals", 404, body=body, times=5)
    collect(northwind.settings, engine, REGISTRY, sources=["bitgo"])
    summary = evaluate(northwind.settings, engine, REGISTRY)
    rules = "custody.bitgo_policy_rules"
    found = {key: status for key, status in stored(engine, summary.evaluation_id).items() if key[0] == rules}
    # The wallet payloads were read in full; pending approvals bear on none of these verdicts.
    expected = expected_verdicts(northwind.aws)
    assert found == {(rules, w): expected[(rules, w)] for w in (BITGO_HOT, BITGO_OPS, BITGO_COLD)}
    engine.dispose()
