"""Fireblocks mapper from payloads shaped like the API's models (PolicyRule of Policy Engine
v2, VaultAccount, ConsoleUser): every transaction PolicyType, the transaction verdicts,
addressType, PolicyCurrency, approval-group operator, user role, status and type, plus unknown
values (kept and flagged)."""

from __future__ import annotations

from decimal import Decimal

from collectors.fireblocks import mapper
from tests.collectors.fireblocks.payloads import load
from vaultward.contract.records import AssetBalance, Identity, TransferPolicy, Wallet

BLOCKED = ("PROGRAM_CALL", "APPROVE", "MINT", "BURN", "STAKE", "RAW", "TYPED_MESSAGE")


def block_details(n: int) -> dict[str, str]:
    return {
        "action": "BLOCK",
        "rule_id": f"5e0c1f7a-2d3b-4a5c-9e8f-0a1b2c3d4e{n:02d}",
        "policy_engine_version": "v2",
        "asset_types": "*",
        "amount_min": "0",
        "amount_currency": "USD",
        "dst_address_type": "*",
        "initiators": "*",
        "sources": "*",
        "destinations": "*",
    }


def test_policy_engine_v2_rules_map_to_transfer_policies():
    records, problems = mapper.map_policy(load("active_policy.json"))
    assert problems == []
    common = {"provider": "fireblocks", "rule_kind": "TRANSFER"}
    assert records[0] == TransferPolicy(
        key="fireblocks:tap:0",
        name="cold-treasury",
        wallet="fireblocks:vault:0",
        approvals_required=3,  # AND: 2 of the named three plus 1 of group g-risk
        initiator_can_approve=False,
        destinations_allowlisted=True,
        amount_from_usd=0.0,
        approvers=["u-01", "u-02", "u-06"],
        details={
            "action": "2-TIER",
            "rule_id": "5e0c1f7a-2d3b-4a5c-9e8f-0a1b2c3d4e00",
            "policy_engine_version": "v2",
            "asset_types": "*",
            "amount_min": "0",
            "amount_currency": "USD",
            "dst_address_type": "WHITELISTED",
            "initiators": "u-05,g-ops",
            "sources": "VAULT:0",
            "destinations": "*",
            "approver_groups": "g-risk",
            "designated_signers": "u-03",
            "external_descriptor": "cold treasury, 2 of 3 plus risk",
        },
        **common,
    )
    assert records[1].model_dump(
        include={"wallet", "approvals_required", "initiator_can_approve", "approvers"}
    ) == {
        "wallet": "fireblocks:vault:1",
        "approvals_required": 1,  # OR: the weakest group (u-01 alone)
        "initiator_can_approve": True,  # canInitiatorApprove
        "approvers": ["u-02", "u-03", "u-01"],
    }
    assert (records[1].amount_from_usd, records[1].amount_to_usd, records[1].destinations_allowlisted) == (
        250000.0,
        None,
        False,
    )
    # every vault (no source ids), one-time addresses, a USD band up to 50,000 and a daily sum
    assert (records[2].wallet, records[2].amount_from_usd, records[2].amount_to_usd) == ("", 0.0, 50000.0)
    assert records[2].details["amount_over_time"] == "10000+ USD per 86400 s"
    assert (records[2].approvals_required, records[2].initiator_can_approve) == (1, False)
    # BLOCK: nothing to approve; EUR: no USD band
    assert (records[3].rule_kind, records[3].approvals_required, records[3].amount_from_usd) == (
        "CONTRACT_CALL",
        None,
        None,
    )
    # ALLOW without approvers: none required; two source vaults: the rule names no single wallet
    assert (records[4].approvals_required, records[4].wallet, records[4].details["sources"]) == (
        0,
        "",
        "VAULT:2,VAULT:3",
    )
    assert records[5:12] == [
        TransferPolicy(
            key=f"fireblocks:tap:{5 + n}",
            name=f"no {kind.lower()}",
            provider="fireblocks",
            rule_kind=kind,
            approvals_required=None,
            destinations_allowlisted=False,
            amount_from_usd=0.0,
            details=block_details(5 + n),
        )
        for n, kind in enumerate(BLOCKED)
    ]
    odd = records[12]
    assert odd.anomalies == [
        "unknown type 'TELEPORT'",
        "unknown verdict.action '3-TIER'",
        "unknown approvers.operator 'XOR'",
        "unknown source.operator 'EXCLUDES'",
        "unknown destination.addressType 'SOMETIMES'",
        "unknown amount.currency 'JPY'",
    ]
    # a source the rule excludes is not the rule's wallet
    assert (odd.wallet, odd.approvals_required, odd.amount_from_usd) == ("", 1, None)
    assert len(records) == 13


def test_a_policy_without_rules_or_with_a_bad_rule_is_reported():
    assert mapper.map_policy({"validation": {}}) == (
        [],
        ["fireblocks active policy: no rules list in the answer"],
    )
    records, problems = mapper.map_policy({"policy": {"rules": ["oops", {"verdict": {"action": "BLOCK"}}]}})
    assert [r.key for r in records] == ["fireblocks:tap:1"]
    assert problems == ["fireblocks policy rule 0: not an object, skipped"]


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
    identities = [mapper.map_user(raw, "api.fireblocks.io") for raw in load("users.json")["users"]]
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
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
    names += ["mallory", "niaj", "oscar", "peggy"]
    # "The Owner, Admin, and Signer roles have an MPC key share and can sign transactions"
    # (Best practices for choosing user roles); the Collaterals Signer signs settlements.
    signing = {"OWNER", "ADMIN", "SIGNER", "COLLATERALS_SIGNER"}
    expected = []
    for n, (name, (role, privileged)) in enumerate(zip(names, roles.items(), strict=True)):
        api = name == "dave"  # userType API: signs requests with a key, not a person at a console
        invited = name == "judy"  # PENDING_ACTIVATION: not signed up, cannot sign in yet
        signs_in = not api and not invited
        anomalies = [f"unknown role '{role}'"] if privileged is None else []
        anomalies += ["unknown status 'HIBERNATING'"] if name == "peggy" else []
        expected.append(
            Identity(
                key=f"fireblocks:user:u-{n + 1:02d}",
                name=f"{name.capitalize()} Acme",
                source="fireblocks",
                account="api.fireblocks.io",
                email=f"{name}@acme.example",  # lower-cased
                person=not api,
                privileged=privileged,
                privileged_via=[f"role:{role}"] if privileged else [],
                admin_roles=[role],
                signing_role=role if role in signing else "",
                console_access=signs_in,
                # "Two-factor authentication (2FA) is required for all users to sign in to the
                # Fireblocks Console", with a TOTP authenticator app (Configuring 2FA)
                mfa_enrolled=True if signs_in else None,
                factor_kinds=["totp"] if signs_in else [],
                mfa_enforced=None if api else True,
                suspended=name == "heidi",  # enabled: false
                anomalies=anomalies,
            )
        )
    assert identities == expected
    assert identities[0].phishing_resistant is False  # TOTP is phishable
