"""Fireblocks mapper from payloads shaped like the API's models: every documented
transactionType, action, dstAddressType, amountCurrency, amountScope, group logic and user
role, plus unknown values (kept and flagged)."""

from __future__ import annotations

from decimal import Decimal

from collectors.fireblocks import mapper
from tests.collectors.fireblocks.payloads import load
from vaultward.records import AssetBalance, Identity, TransferPolicy, Wallet

BLOCKED = ("PROGRAM_CALL", "APPROVE", "MINT", "BURN", "SUPPLY", "REDEEM", "STAKE", "RAW", "TYPED_MESSAGE")
BLOCK_DETAILS = {
    "action": "BLOCK",
    "asset": "*",
    "amount": "0",
    "amount_currency": "USD",
    "amount_scope": "SINGLE_TX",
    "period_sec": "0",
    "initiators": "*",
}


def test_tap_rules_map_to_transfer_policies():
    records, problems = mapper.map_policy(load("active_policy.json"))
    assert problems == []
    assert records[:5] == [
        TransferPolicy(
            key="fireblocks:tap:0",
            name="cold-treasury",
            provider="fireblocks",
            wallet="fireblocks:vault:0",
            rule_kind="TRANSFER",
            approvals_required=3,  # AND: 2 of the named three plus 1 of group g-risk
            initiator_can_approve=False,
            destinations_allowlisted=True,
            amount_from_usd=0.0,
            approvers=["u-01", "u-02", "u-06"],
            details={
                "action": "2-TIER",
                "asset": "*",
                "amount": "0",
                "amount_currency": "USD",
                "amount_scope": "SINGLE_TX",
                "period_sec": "0",
                "dst_address_type": "WHITELISTED",
                "initiators": "u-05,g-ops",
                "sources": "0:VAULT:*",
                "destinations": "*",
                "approver_groups": "g-risk",
                "external_descriptor": "cold-treasury",
            },
        ),
        TransferPolicy(
            key="fireblocks:tap:1",
            name="TAP rule 2",
            provider="fireblocks",
            wallet="fireblocks:vault:1",
            rule_kind="TRANSFER",
            approvals_required=1,  # OR: the weakest group (u-01 alone, th defaults to 1)
            initiator_can_approve=True,
            destinations_allowlisted=False,
            amount_from_usd=250000.0,
            approvers=["u-02", "u-03", "u-01"],
            details={
                "action": "ALLOW",
                "asset": "*",
                "amount": "250000",
                "amount_currency": "USD",
                "amount_scope": "SINGLE_TX",
                "period_sec": "0",
                "dst_address_type": "*",
                "initiators": "*",
                "sources": "1:VAULT:*",
                "destinations": "*",
            },
        ),
        TransferPolicy(
            key="fireblocks:tap:2",
            name="TAP rule 3",
            provider="fireblocks",
            rule_kind="TRANSFER",
            approvals_required=1,  # deprecated authorizers / authorizersCount
            destinations_allowlisted=False,
            amount_from_usd=10000.0,
            approvers=["u-01", "u-02"],
            details={
                "action": "ALLOW",
                "asset": "BTC",
                "amount": "10000",
                "amount_currency": "USD",
                "amount_scope": "TIMEFRAME",
                "period_sec": "86400",
                "dst_address_type": "ONE_TIME",
                "initiators": "*",
                "sources": "*",
                "destinations": "*",
            },
        ),
        TransferPolicy(
            key="fireblocks:tap:3",
            name="TAP rule 4",
            provider="fireblocks",
            rule_kind="CONTRACT_CALL",
            approvals_required=None,  # BLOCK: nothing to approve
            amount_from_usd=None,  # EUR: no USD band
            details={
                "action": "BLOCK",
                "asset": "*",
                "amount": "0",
                "amount_currency": "EUR",
                "amount_scope": "SINGLE_TX",
                "period_sec": "0",
                "initiators": "u-05",
            },
        ),
        TransferPolicy(
            key="fireblocks:tap:4",
            name="TAP rule 5",
            provider="fireblocks",
            rule_kind="TRANSFER",  # transactionType absent: TRANSFER, the documented default
            approvals_required=0,  # ALLOW without approvers
            details={
                "action": "ALLOW",
                "asset": "ETH",
                "amount": "5",
                "amount_currency": "NATIVE",
                "amount_scope": "SINGLE_TX",
                "period_sec": "0",
                "initiators": "u-03",
                "sources": "2:VAULT:*,3:VAULT:*",
            },
        ),
    ]
    assert records[5:14] == [
        TransferPolicy(
            key=f"fireblocks:tap:{5 + n}",
            name=f"TAP rule {6 + n}",
            provider="fireblocks",
            rule_kind=kind,
            approvals_required=None,
            amount_from_usd=0.0,
            details=BLOCK_DETAILS,
        )
        for n, kind in enumerate(BLOCKED)
    ]
    assert records[14] == TransferPolicy(
        key="fireblocks:tap:14",
        name="TAP rule 15",
        provider="fireblocks",
        rule_kind="TELEPORT",
        approvals_required=1,
        destinations_allowlisted=False,
        approvers=["u-01"],
        details={
            "action": "3-TIER",
            "asset": "*",
            "amount": "1",
            "amount_currency": "JPY",
            "amount_scope": "FOREVER",
            "period_sec": "0",
            "dst_address_type": "SOMETIMES",
            "initiators": "*",
        },
        anomalies=[
            "unknown transactionType 'TELEPORT'",
            "unknown action '3-TIER'",
            "unknown dstAddressType 'SOMETIMES'",
            "unknown amountCurrency 'JPY'",
            "unknown amountScope 'FOREVER'",
            "unknown authorizationGroups.logic 'XOR'",
        ],
    )
    assert len(records) == 15


def test_a_policy_without_rules_or_with_a_bad_rule_is_reported():
    assert mapper.map_policy({"validation": {}}) == (
        [],
        ["fireblocks active policy: no rules list in the answer"],
    )
    records, problems = mapper.map_policy({"policy": {"rules": ["oops", {"action": "BLOCK"}]}})
    assert [r.key for r in records] == ["fireblocks:tap:1"]
    assert problems == ["fireblocks TAP rule 0: not an object, skipped"]


def test_vault_accounts_map_to_mpc_wallets():
    wallets = [mapper.map_vault_account(raw) for raw in load("vault_accounts.json")]
    base = {"provider": "fireblocks", "multisig_type": "mpc", "threshold": None, "signers": []}

    def held(**totals: str) -> list[AssetBalance]:
        # VaultAsset.total: the balance as the blockchain shows it, whole units, a decimal string.
        return [AssetBalance(asset=a, amount=Decimal(t), vendor_id=a) for a, t in totals.items()]

    assert wallets == [
        Wallet(
            key="fireblocks:vault:0",
            name="Treasury (cold)",
            tags={"hiddenOnUI": "false", "customerRefId": "cold-1", "assets": "BTC,ETH"},
            balances=held(BTC="12.5", ETH="300"),
            **base,
        ),
        Wallet(
            key="fireblocks:vault:1", name="Hot wallet", tags={"hiddenOnUI": "false"}, balances=[], **base
        ),
        Wallet(
            key="fireblocks:vault:2",
            name="Market making",
            tags={"hiddenOnUI": "false", "assets": "USDC"},
            balances=held(USDC="1000"),
            **base,
        ),
        Wallet(
            key="fireblocks:vault:3",
            name="Gas station",
            tags={"hiddenOnUI": "true", "assets": "ETH"},
            balances=held(ETH="2"),
            **base,
        ),
        Wallet(
            key="fireblocks:vault:4",
            name="Deposits sweep",
            tags={"assets": "BTC"},
            balances=held(BTC="0.1"),
            **base,
        ),
    ]


def test_a_vault_asset_without_a_readable_total_is_held_with_its_size_unknown():
    wallet = mapper.map_vault_account(
        {
            "id": "9",
            "assets": [{"id": "ETH", "balance": "1.25"}, {"id": "SOL", "total": "n/a"}, {"id": "BTC"}],
        }
    )
    assert [(b.asset, b.amount) for b in wallet.balances or []] == [
        ("ETH", Decimal("1.25")),  # the deprecated `balance` when `total` is absent
        ("SOL", None),
        ("BTC", None),
    ]
    assert mapper.map_vault_account({"id": "8"}).balances is None  # no `assets` list: not read


def test_users_map_to_identities_privileged_for_admin_roles():
    identities = [mapper.map_user(raw, "api.fireblocks.io") for raw in load("users.json")]
    roles = {
        "OWNER": True,
        "ADMIN": True,
        "SIGNER": False,
        "COLLATERALS_SIGNER": False,
        "EDITOR": False,
        "APPROVER": False,
        "VIEWER": False,
        "NON_SIGNING_ADMIN": True,
        "AUDITOR": False,
        "NCW_ADMIN": False,
        "NCW_SIGNER": False,
        "SECURITY_ADMIN": True,
        "SECURITY_AUDITOR": False,
        "TREASURY_WIZARD": None,
    }
    names = [
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
        "frank",
        "grace",
        "heidi",
        "ivan",
        "judy",
        "mallory",
        "niaj",
    ]
    names += ["oscar", "peggy"]
    expected = [
        Identity(
            key=f"fireblocks:user:u-{n + 1:02d}",
            name=f"{name.capitalize()} Acme",
            source="fireblocks",
            account="api.fireblocks.io",
            email=f"{name}@acme.example",  # lower-cased
            person=True,
            privileged=privileged,
            privileged_via=[f"role:{role}"] if privileged else [],
            admin_roles=[role],
            mfa_enrolled=None,
            suspended=name == "heidi",  # enabled: false
            anomalies=[f"unknown role '{role}'"] if privileged is None else [],
        )
        for n, (name, (role, privileged)) in enumerate(zip(names, roles.items(), strict=True))
    ]
    assert identities == expected
