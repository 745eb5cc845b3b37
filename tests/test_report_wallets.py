"""The weekly report's wallets: m-of-n as each vendor defines it, the value tier and USD value (a
lower bound where prices are missing), from the
evaluation's multisig findings, in the JSON and on the HTML page (issue 16: a BitGo wallet
with one spender showed as "2-of-1")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from tests.factories import make_wallet
from tests.fake_collectors import registry_with
from vaultward.config.settings import parse_settings
from vaultward.contract.records import AssetBalance
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.content import iso_week_of
from vaultward.reporting.files import build_report
from vaultward.reporting.html import render_html

SPENDER = "62ab90e06dfda30007974f0a52a1f001"

PLAN = {
    "safe:eth": [
        make_wallet(key="safe:eth:0xtreasury", name="Treasury", signers=["0xa", "0xb", "0xc"], threshold=2,
                    key_count=3),
        make_wallet(key="safe:eth:0xops", name="Ops", signers=["0xa", "0xb"], threshold=1, key_count=2,
                    tags={"ValueTier": "low"}),
    ],
    "bitgo:acme": [
        # one user may spend, none administers: still 2 of BitGo's 3 keys
        make_wallet(key="bitgo:btc:cold", name="BTC cold", provider="bitgo", multisig_type="onchain",
                    threshold=2, key_count=3, approvals_required=1, signers=[SPENDER],
                    signer_roles={SPENDER: ["spend"]}),
    ],
    "fireblocks:api.fireblocks.io": [
        make_wallet(key="fireblocks:vault:0", name="Vault 0", provider="fireblocks", multisig_type="mpc",
                    threshold=None, signers=[], tags={}),
    ],
}  # fmt: skip

VALUED = {
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


def test_the_report_lists_every_wallet_with_its_vendor_m_of_n_and_value_tier(engine):
    registry = registry_with(PLAN)
    settings = parse_settings({})
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    report = build_report(engine, iso_week_of(datetime.now(UTC)), registry)

    lines = {line.resource: line for line in report.wallets}
    assert {key: (line.quorum, line.value_tier, line.status) for key, line in lines.items()} == {
        "bitgo:btc:cold": ("2-of-3 keys; 1 approval of 0 admins", "high", "pass"),
        "fireblocks:vault:0": ("MPC: approvals in the transfer policy", "unknown", "skipped"),
        "safe:eth:0xops": ("1-of-2 owners", "standard", "skipped"),
        "safe:eth:0xtreasury": ("2-of-3 owners", "high", "pass"),
    }
    assert [line.provider for line in report.wallets] == ["bitgo", "fireblocks", "safe", "safe"]
    assert json.loads(report.to_json())["wallets"][0]["quorum"] == "2-of-3 keys; 1 approval of 0 admins"

    page = render_html(report)
    wallets = page[page.index('id="wallets"') :]
    wallets = wallets[: wallets.index("</table>")]
    for line in report.wallets:
        assert line.quorum in wallets and line.name in wallets
    assert "2-of-1" not in page


def test_the_report_lists_every_wallet_with_its_value_tier_and_usd(engine):
    settings = parse_settings({"policy": {"custody": {"prices": {"ETH": 3000, "BTC": 97000}}}})
    registry = registry_with(VALUED)
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    report = build_report(engine, iso_week_of(datetime.now(UTC)), registry)
    lines = {line.name: line for line in report.wallets}
    assert {name: (w.quorum, w.value_tier, w.value_usd, w.status) for name, w in lines.items()} == {
        "Treasury": ("2-of-3 owners", "high", "$1,500,000", "pass"),
        "Grants": ("1-of-2 owners", "unknown", "at least $6,000 (lower bound: no price for NWT)", "unknown"),
        "Petty": ("1-of-1 owners", "standard", "$3,000", "skipped"),
        "Vault": ("MPC: approvals in the transfer policy", "high", "$8,148,000", "skipped"),
    }
    html = render_html(report)
    assert "Wallets: m-of-n and value" in html
    assert "at least $6,000 (lower bound: no price for NWT)" in html
    assert '"wallets"' in report.to_json()
