"""BitGo wallet payloads to wallet and transfer-policy records: every documented multisig
type, wallet type, permission, rule type and action, plus unknown ones kept and flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collectors.bitgo.mapper import (
    ACTION_TYPES,
    MULTISIG_TYPES,
    PERMISSIONS,
    RULE_TYPES,
    WALLET_TYPES,
    map_balances,
    map_rules,
    map_wallet,
)
from tests.collectors.bitgo.payloads import load
from vaultward.contract.records import AssetBalance, TransferPolicy, Wallet

A, B, C = (
    "62ab90e06dfda30007974f0a52a12995",
    "62ab90e06dfda30007974f0a52a13001",
    "62ab90e06dfda30007974f0a52a13017",
)
HOT = "bitgo:eth:63bc8506e014900008265c6536324001"


def wallets() -> dict[str, dict]:
    return {raw["label"]: raw for raw in load("wallets.json")}


def test_hot_wallet_threshold_signers_and_tags():
    wallet = map_wallet(wallets()["Hot onchain"], "eth", pending_approvals=2)
    assert wallet == Wallet(
        key=HOT,
        name="Hot onchain",
        provider="bitgo",
        chain="eth",
        address="0x00000000000000000000000000000000000003e9",
        threshold=2,
        key_count=3,  # m of n keys: user, backup, BitGo
        signers=[A, C],  # B can only view and connect dApps
        signer_roles={A: ["spend", "admin"], C: ["spend"]},
        approvals_required=2,
        multisig_type="onchain",
        # balanceString "1000" wei of ETH (18 decimals): whole units, no float on the way.
        balances=[AssetBalance(asset="ETH", amount=Decimal("1000").scaleb(-18), vendor_id="eth")],
        tags={
            "wallet_type": "hot",
            "n": "3",
            "approvals_required": "2",
            "balance": "1000",
            "spendable_balance": "900",
            "policy_rules": "9",
            "enterprise": "62a1b2c3d4e5f60718293a4b5c6d7e8f",
            "pending_approvals": "2",
        },
        anomalies=[],
    )


@pytest.mark.parametrize(
    ("label", "multisig_type", "wallet_type", "threshold"),
    [
        ("Hot onchain", "onchain", "hot", 2),
        ("Cold", "onchain", "cold", 2),
        ("Custody TSS", "tss", "custodial", 2),
        ("Go account", "blsdkg", "trading", 1),
        ("Advanced", "onchain", "advanced", 2),
        ("Legacy, no multisigType", "", "custodialPaired", 2),
        ("Backing", "onchain", "backing", 2),
    ],
)
def test_every_documented_type_is_known(label, multisig_type, wallet_type, threshold):
    wallet = map_wallet(wallets()[label], "eth")
    assert (wallet.multisig_type, wallet.tags["wallet_type"], wallet.threshold, wallet.anomalies) == (
        multisig_type,
        wallet_type,
        threshold,
        [],
    )
    assert "pending_approvals" not in wallet.tags  # not counted: not claimed


def test_admins_approve_and_spenders_spend_both_sign():
    """BitGo's wallet permissions (Wallet.users[].permissions): `admin` may "approve/reject
    wallet pending approvals, withdraw assets", `spend` may "withdraw assets"; viewers, traders,
    freezers and dApp users move nothing. An admin who is not a spender still signs (issue 16)."""
    cold = map_wallet(wallets()["Cold"], "btc")
    assert (cold.signers, cold.signer_roles) == ([A, B], {A: ["admin"], B: ["spend", "admin"]})
    assert (cold.threshold, cold.key_count, cold.approvals_required) == (2, 3, 1)
    tss = map_wallet(wallets()["Custody TSS"], "eth")
    assert tss.signers == [A]  # B may only freeze
    go = map_wallet(wallets()["Go account"], "eth")
    assert go.signers == [A]  # C may only trade


def test_the_documented_vocabularies_are_covered_by_the_payloads():
    raws = list(wallets().values())
    assert {raw.get("multisigType") for raw in raws} >= MULTISIG_TYPES
    assert {raw["type"] for raw in raws} >= WALLET_TYPES
    assert {p for raw in raws for user in raw["users"] for p in user.get("permissions", [])} >= PERMISSIONS
    rules = [r for raw in raws for r in raw["admin"]["policy"]["rules"] if isinstance(r, dict)]
    assert {rule["type"] for rule in rules} >= RULE_TYPES
    assert {rule["action"]["type"] for rule in rules} >= ACTION_TYPES


def test_unknown_values_are_kept_and_flagged():
    wallet = map_wallet(wallets()["Strange"], "eth")
    assert (wallet.multisig_type, wallet.tags["wallet_type"], wallet.threshold, wallet.signers) == (
        "quantum",
        "paper",
        4,
        [A],
    )
    assert wallet.anomalies == [
        "m 4 of n 3",
        "unknown multisigType 'quantum'",
        "unknown wallet type 'paper'",
        f"user {A}: unknown permission 'sudo'",
        "wallet user entry {'user': None} has no user id or permissions",
    ]


def test_no_rules_means_no_policies():
    assert map_rules(wallets()["Cold"], "btc") == []
    assert map_wallet(wallets()["Cold"], "btc").tags["policy_rules"] == "0"


@pytest.mark.parametrize("admin", [None, {}, {"policy": {"id": "pol9"}}, {"policy": {"rules": "none"}}])
def test_a_policy_not_in_the_payload_is_unread_not_empty(admin):
    raw = dict(wallets()["Hot onchain"])
    if admin is None:
        del raw["admin"]
    else:
        raw["admin"] = admin
    assert map_wallet(raw, "eth").tags["policy_rules"] == ""  # the check says unknown, not "no rules"
    assert map_rules(raw, "eth") == []


def test_every_rule_becomes_a_transfer_policy():
    rules = map_rules(wallets()["Hot onchain"], "eth")

    def policy(rule_id: str, kind: str, **fields) -> TransferPolicy:
        return TransferPolicy(
            key=f"{HOT}:rule:{rule_id}", name=rule_id, provider="bitgo", wallet=HOT, rule_kind=kind, **fields
        )

    assert rules == [
        policy(
            "wl",
            "advancedWhitelist",
            destinations_allowlisted=True,
            details={
                "action": "deny",
                "coin": "eth",
                "condition": '{"entries": [{"item": "0xabc", "type": "address"}]}',
                "lock_date": "2024-03-03T09:00:00.000Z",
            },
        ),
        policy(
            "legacy-wl",
            "coinAddressWhitelist",
            approvals_required=2,
            approvers=[A],  # the action names nobody: the wallet's admins approve
            destinations_allowlisted=True,
            details={"action": "getApproval", "coin": "eth", "condition": '{"addresses": ["0xdef"]}'},
        ),
        policy(
            "bl",
            "coinAddressBlacklist",
            details={"action": "deny", "coin": "eth", "condition": '{"addresses": ["0x666"]}'},
        ),
        policy(
            "velocity",
            "velocityLimit",
            approvals_required=2,
            approvers=[A, C],
            details={
                "action": "getApproval",
                "coin": "eth",
                "amount_base_units": "50000000000000000000",
                "time_window_seconds": "86400",
                "condition": '{"amountString": "50000000000000000000", "excludeTags": [], '
                '"groupTags": [":tag"], "timeWindow": 86400}',
            },
        ),
        policy(
            "old-velocity",
            "velocityLimit",
            approvals_required=3,  # the action's own count wins over the wallet's
            approvers=[A],
            details={
                "action": "getApproval",
                "coin": "eth",
                "amount_base_units": "100000",
                "time_window_seconds": "3600",
                "condition": '{"amount": 100000, "timeWindow": 3600}',
            },
        ),
        policy(
            "every-tx",
            "allTx",
            approvals_required=2,
            approvers=[A],
            details={"action": "getApproval", "coin": "eth"},
        ),
        policy(
            "hook",
            "webhook",
            details={
                "action": "deny",
                "coin": "eth",
                "condition": '{"url": "https://policy.acme.example/bitgo"}',
            },
        ),
        policy(
            "pct",
            "percentageOfBalance",
            details={"action": "getFirstPartyApproval", "coin": "eth", "condition": '{"percentage": 10}'},
            anomalies=[
                "unknown policy rule type 'percentageOfBalance'",
                "unknown policy action 'getFirstPartyApproval'",
            ],
        ),
        TransferPolicy(
            key=f"{HOT}:rule:#8",
            provider="bitgo",
            wallet=HOT,
            rule_kind="other:malformed",
            details={"raw": "not-a-rule"},
            anomalies=["policy rule 8 is not an object"],
        ),
    ]


def test_an_unhashable_permission_is_an_anomaly():
    # Regression (property tests): `permission not in PERMISSIONS` raised TypeError.
    raw = {**wallets()["Hot onchain"], "users": [{"user": "u-odd", "permissions": [["spend"], "view"]}]}
    wallet = map_wallet(raw, "eth")
    assert "user u-odd: unknown permission ['spend']" in wallet.anomalies
    assert "u-odd" not in wallet.signers


def test_balances_are_the_coins_base_units_over_its_decimals_and_each_listed_token():
    # List wallets by coin: balanceString "Total balance in base units (e.g. Satoshis)";
    # with allTokens, the wallet's tokens beside it.
    raw = {
        "balanceString": "8400000000",
        "tokens": {"usdc": {"balanceString": "2500000"}, "zzz": {"balanceString": "5"}},
    }
    balances = map_balances(raw, "btc")
    assert [(b.asset, b.amount, b.vendor_id) for b in balances or []] == [
        ("BTC", Decimal("84.00000000"), "btc"),  # 84 BTC
        ("USDC", Decimal("2.500000"), "usdc"),
        ("ZZZ", None, "zzz"),  # decimals not known here: held, size unknown (a lower bound)
    ]
    assert map_balances({"label": "no balance in the payload"}, "btc") is None
    assert map_balances({"balanceString": "12"}, "tbtc4")[0].asset == "TBTC4"  # never priced as BTC
    [odd] = map_balances({"balanceString": "1.5"}, "btc") or []
    assert odd.amount is None and "not a whole number" in odd.note
