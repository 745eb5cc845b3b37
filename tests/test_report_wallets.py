"""The weekly report's wallet list: every wallet of the evaluation with its m-of-n, value tier
and USD value (a lower bound where prices are missing), from the multisig check's findings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.factories import make_wallet
from tests.fake_collectors import registry_with
from vaultward.collection import collect
from vaultward.config import parse_settings
from vaultward.evaluation import evaluate
from vaultward.records import AssetBalance
from vaultward.report import build_report, iso_week_of
from vaultward.report_html import render_html

PLAN = {
    "safe:eth": [
        make_wallet(key="safe:eth:0xtreasury", name="Treasury", threshold=2, signers=["a", "b", "c"], tags={},
                    balances=[AssetBalance(asset="ETH", amount=Decimal("500"))]),
        make_wallet(key="safe:eth:0xgrants", name="Grants", threshold=1, signers=["a", "b"], tags={},
                    balances=[AssetBalance(asset="ETH", amount=Decimal("2")),
                              AssetBalance(asset="NWT", amount=Decimal("100"))]),
        make_wallet(key="safe:eth:0xpetty", name="Petty", threshold=1, signers=["a"], tags={},
                    balances=[AssetBalance(asset="ETH", amount=Decimal("1"))]),
    ],
    "fireblocks:acme": [
        make_wallet(key="fireblocks:vault:0", name="Vault", provider="fireblocks", multisig_type="mpc",
                    threshold=None, signers=[], tags={},
                    balances=[AssetBalance(asset="BTC", amount=Decimal("84"))]),
    ],
}  # fmt: skip


def test_the_report_lists_every_wallet_with_its_value_tier_and_usd(engine):
    settings = parse_settings({"policy": {"custody": {"prices": {"ETH": 3000, "BTC": 97000}}}})
    registry = registry_with(PLAN)
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    report = build_report(engine, iso_week_of(datetime.now(UTC)))
    lines = {line.name: line for line in report.wallets}
    assert {name: (w.quorum, w.value_tier, w.value_usd, w.status) for name, w in lines.items()} == {
        "Treasury": ("2-of-3", "high", "$1,500,000", "pass"),
        "Grants": ("1-of-2", "unknown", "at least $6,000 (lower bound: no price for NWT)", "unknown"),
        "Petty": ("1-of-1", "standard", "$3,000", "skipped"),
        "Vault": ("MPC: approvals in the transfer policy", "high", "$8,148,000", "skipped"),
    }
    html = render_html(report)
    assert "Wallets: m-of-n and value" in html
    assert "at least $6,000 (lower bound: no price for NWT)" in html
    assert '"wallets"' in report.to_json()
