"""The wallet value view (vaultward/derived/wallet_value.py): balances x the price table, value-tier
tags, and never better than the evidence (unpriced holdings, a refused balance request)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checks.custody.multisig_threshold import multisig_threshold
from tests.factories import NOW, make_wallet
from vaultward.config.policy import CustodyPolicy, Policy
from vaultward.contract.records import AssetBalance, Wallet
from vaultward.contract.sdk import CheckContext
from vaultward.derived.wallet_value import holdings_usd, wallet_value

PRICES = {"BTC": 97000, "ETH": 3000, "USDC": 1}
POLICY = CustodyPolicy(prices=PRICES)  # high_value_usd: 100,000 by default


def held(**amounts: str | None) -> list[AssetBalance]:
    return [AssetBalance(asset=a, amount=None if v is None else Decimal(v)) for a, v in amounts.items()]


def test_balances_times_prices_decide_the_tier():
    cold = wallet_value(make_wallet(tags={}, balances=held(BTC="84")), POLICY)
    assert (cold.tier, cold.usd, cold.lower_bound) == ("high", Decimal("8148000"), False)
    assert cold.usd_text == "$8,148,000"
    small = wallet_value(make_wallet(tags={}, balances=held(ETH="3.5", USDC="1000")), POLICY)
    assert (small.tier, small.usd) == ("standard", Decimal("11500.0"))
    assert "below the $100,000 bound" in small.reason
    empty = wallet_value(make_wallet(tags={}, balances=[]), POLICY)
    assert (empty.tier, empty.usd) == ("standard", Decimal(0))


def test_an_unpriced_asset_makes_the_value_a_lower_bound_never_standard():
    partly = wallet_value(make_wallet(tags={}, balances=held(ETH="20", NWT="50000")), POLICY)
    assert (partly.tier, partly.usd, partly.lower_bound, partly.unpriced) == (
        "unknown",
        Decimal("60000"),
        True,
        ("NWT",),
    )
    assert partly.usd_text == "at least $60,000 (lower bound: no price for NWT)"
    # A lower bound that reaches the bound is enough: high.
    rich = wallet_value(make_wallet(tags={}, balances=held(BTC="2", NWT="1")), POLICY)
    assert (rich.tier, rich.lower_bound) == ("high", True)
    # An amount the vendor gave in a form that could not be read counts as unpriced.
    unread = wallet_value(make_wallet(tags={}, balances=held(ETH=None)), POLICY)
    assert (unread.tier, unread.unpriced) == ("unknown", ("ETH (amount unknown)",))
    # Holding none of an unpriced asset changes nothing.
    zero = wallet_value(make_wallet(tags={}, balances=held(ETH="1", NWT="0")), POLICY)
    assert (zero.tier, zero.lower_bound) == ("standard", False)


def test_a_standard_tag_does_not_beat_an_unknown_or_high_value():
    tagged = {"ValueTier": "medium"}
    assert wallet_value(make_wallet(tags=tagged, balances=held(BTC="5")), POLICY).tier == "high"
    assert wallet_value(make_wallet(tags=tagged, balances=held(NWT="5")), POLICY).tier == "unknown"
    refused = wallet_value(make_wallet(tags=tagged, balances=None), POLICY, "safe: GET balances: HTTP 403")
    assert (refused.tier, refused.reason) == (
        "unknown",
        "its balances could not be read (safe: GET balances: HTTP 403)",
    )
    # Where the vendor reports no value at all, the tags decide, as they did before balances.
    assert wallet_value(make_wallet(tags=tagged, balances=None), POLICY).tier == "standard"
    assert (
        wallet_value(make_wallet(tags={"ValueTier": "high"}, balances=held(ETH="1")), POLICY).tier == "high"
    )
    assert wallet_value(make_wallet(tags={}, balances=None), POLICY).tier == "unknown"


def test_a_vendor_reported_usd_value_keeps_working():
    assert wallet_value(make_wallet(tags={}, value_usd=5_000_000), POLICY).tier == "high"
    assert wallet_value(make_wallet(tags={}, value_usd=5_000), POLICY).tier == "standard"


def test_prices_match_symbols_case_insensitively_and_negative_figures_count_as_nothing():
    prices = CustodyPolicy(prices={"eth": 3000}).prices
    total = holdings_usd([AssetBalance(asset="Eth", amount=Decimal("2")), *held(USDC="-5")], prices)
    assert (total.usd, total.unpriced) == (Decimal("6000"), ())


def test_the_check_reads_a_refused_balance_request_from_the_evaluations_field_gaps():
    wallet = make_wallet(key="w", tags={"ValueTier": "medium"}, threshold=1, signers=["a"], balances=None)
    records: dict[str, list] = {Wallet.kind: [wallet]}
    gap = {(wallet.scope, Wallet.kind): {"balances": "safe: GET balances: HTTP 503 after 5 attempts"}}
    policy = Policy(custody=POLICY)
    [without] = multisig_threshold(CheckContext(records, policy, NOW))
    [with_gap] = multisig_threshold(CheckContext(records, policy, NOW, gap))
    assert without.status == "skipped"  # the tag alone: not high-value
    assert with_gap.status == "unknown"  # the balances could have said otherwise
    assert "HTTP 503" in with_gap.reason
    assert CheckContext(records, policy, NOW, gap).value_of(wallet).tier == "unknown"


@pytest.mark.parametrize(
    ("balances", "status"),
    [(held(BTC="84"), "fail"), (held(ETH="3"), "skipped"), (held(ETH="3", NWT="9"), "unknown")],
)
def test_multisig_threshold_judges_by_value(balances, status):
    wallet = make_wallet(key="w", tags={}, threshold=1, signers=["a", "b"], balances=balances)
    [result] = multisig_threshold(CheckContext({Wallet.kind: [wallet]}, Policy(custody=POLICY), NOW))
    assert result.status == status
    assert (
        result.evidence["value_tier"] == {"fail": "high", "skipped": "standard", "unknown": "unknown"}[status]
    )
