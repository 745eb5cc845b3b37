"""Northwind's custody vendors as their APIs return them (raw JSON), written from the Safe
Transaction Service (`GET /api/v1/safes/{address}/`), BitGo API v2 (wallet list, wallet users
and permissions, policy rules) and Fireblocks API (vault accounts paged, console users, Policy Engine v2 rules with
approval groups) references. Not derived from the demo's data.

Safe on Ethereum: Treasury 2-of-3 (nadia, priya and rosa, who has left: Okta deprovisioned,
Fireblocks disabled, still an owner) and Ops 1-of-2 (omar, nadia) with an allow-listed module
and a guard nobody put on the allow-list, both tiered by tags; Grants 2-of-3 (nadia, priya,
omar) and Payroll 2-of-2 (nadia, priya), untagged, tiered by their balances
(`GET /api/v2/safes/{address}/balances/`) at the estate's prices (BTC 97,000, ETH 3,000,
USDC 1; NWT, Northwind's own token, has no price).

BitGo (listed one wallet per page): ETH hot wallet (omar spends, nadia administers, a bot
views; whitelist + velocity limit; 2 approvals), ETH ops wallet whose payload has no `admin`
(the policy is only shown to wallet admins), BTC cold wallet (nadia spends, omar is an admin
and approves pending withdrawals; an empty rule list; 1 approval).

Fireblocks (vault accounts paged by 2): vaults Treasury (0), Trading hot (1), Gas station (2,
hidden, no optional fields); users nadia OWNER, omar SIGNER (signs, approves nothing), priya
APPROVER, rosa ADMIN but disabled; policy: treasury transfers need 2 of nadia / priya,
initiator omar may not approve, whitelisted only; hot-vault transfers from $50,000 need nobody;
the rest blocked.
"""

from __future__ import annotations

from typing import Any

ZERO = "0x" + "0" * 40
# Safe addresses (EIP-55 checksummed, as the service returns them)
TREASURY_SAFE = "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063"
OPS_SAFE = "0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174"
NADIA_KEY = "0x6B175474E89094C44Da98b954EedeAC495271d0F"
PRIYA_KEY = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
ROSA_KEY = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
OMAR_KEY = "0x514910771AF9Ca656af840dff83E8264EcF986CA"
SAM_OLD_KEY = "0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9"  # sam's, owner of no Safe
ALLOWED_MODULE = "0x1F98431c8aD98523631AE4a59f267346ea31F984"  # reviewed, on the allow-list
UNREVIEWED_GUARD = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
GRANTS_SAFE = "0x6A7b8c9D0e1f2a3B4c5d6E7F8091A2B3c4D5e6f7"
PAYROLL_SAFE = "0x5C4b3a291807F6E5D4c3B2a1908f7E6D5c4B3a29"
NWT_TOKEN = "0x4e57540000000000000000000000000000004E57"  # Northwind's token: no price configured
USDC_TOKEN = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"  # Circle's USD Coin, 6 decimals
PRICES = {"BTC": 97000, "ETH": 3000, "USDC": 1}  # [policy.custody.prices]


def _safe(
    address: str, owners: list[str], threshold: int, nonce: int, modules: list[str], guard: str
) -> dict:
    return {
        "address": address,
        "nonce": str(nonce),
        "threshold": threshold,
        "owners": owners,
        "masterCopy": "0x29fcB43b46531BcA003ddC8FCB67FFE91900C762",  # Safe L2 1.4.1
        "modules": modules,
        "fallbackHandler": "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99",
        "guard": guard,
        "version": "1.4.1+L2",
    }


def safe_data() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "eth": {
            TREASURY_SAFE: _safe(TREASURY_SAFE, [NADIA_KEY, PRIYA_KEY, ROSA_KEY], 2, 57, [], ZERO),
            OPS_SAFE: _safe(OPS_SAFE, [OMAR_KEY, NADIA_KEY], 1, 1204, [ALLOWED_MODULE], UNREVIEWED_GUARD),
            GRANTS_SAFE: _safe(GRANTS_SAFE, [NADIA_KEY, PRIYA_KEY, OMAR_KEY], 2, 9, [], ZERO),
            PAYROLL_SAFE: _safe(PAYROLL_SAFE, [NADIA_KEY, PRIYA_KEY], 2, 311, [], ZERO),
        }
    }


def _native(ether: str) -> dict[str, Any]:
    """ETH as the balances endpoint lists it: tokenAddress and token null, wei (18 decimals)."""
    return {"tokenAddress": None, "token": None, "balance": ether + "0" * 18}


def _token(address: str, symbol: str, name: str, decimals: int, base_units: str) -> dict[str, Any]:
    return {
        "tokenAddress": address,
        "token": {"name": name, "symbol": symbol, "decimals": decimals, "logoUri": ""},
        "balance": base_units,
    }


def safe_balances() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Treasury 400 ETH and 1,500,000 USDC; Ops 12 ETH ($36,000: below the bound, but its tag
    says hot-wallet); Grants 20 ETH ($60,000) and 50,000 NWT (no price); Payroll 5 ETH
    ($15,000)."""
    return {
        "eth": {
            TREASURY_SAFE: [_native("400"), _token(USDC_TOKEN, "USDC", "USD Coin", 6, "1500000000000")],
            OPS_SAFE: [_native("12")],
            GRANTS_SAFE: [_native("20"), _token(NWT_TOKEN, "NWT", "Northwind Token", 18, "50000" + "0" * 18)],
            PAYROLL_SAFE: [_native("5")],
        }
    }


def safe_wallets() -> list[dict[str, Any]]:
    """`[[sources.safe.wallets]]`: Treasury and Ops tiered by tags, Grants and Payroll by value."""
    return [
        {"address": TREASURY_SAFE, "chain": "eth", "label": "Treasury", "tags": {"ValueTier": "high"}},
        {"address": OPS_SAFE, "chain": "eth", "label": "Ops", "tags": {"Purpose": "hot-wallet"}},
        {"address": GRANTS_SAFE, "chain": "eth", "label": "Grants"},
        {"address": PAYROLL_SAFE.lower(), "chain": "eth", "label": "Payroll"},  # as a lower-case address
    ]


ENTERPRISE = "5f8e2a91c0d3b4a5e6f70819"
BG_NADIA = "5f8e2a91c0d3b4a5e6f7a001"
BG_OMAR = "5f8e2a91c0d3b4a5e6f7a002"
BG_BOT = "5f8e2a91c0d3b4a5e6f7a0ff"  # the treasury dashboard's read-only user
ETH_HOT, ETH_OPS, BTC_COLD = (
    "65a1f0c2b3d4e5f6a7b8c901",
    "65a1f0c2b3d4e5f6a7b8c902",
    "65a1f0c2b3d4e5f6a7b8c903",
)


def _wallet(
    wallet_id: str,
    coin: str,
    label: str,
    users: list[tuple[str, list[str]]],
    approvals: int,
    kind: str,
    balance: str,
) -> dict[str, Any]:
    return {
        "id": wallet_id,
        "coin": coin,
        "label": label,
        "m": 2,
        "n": 3,
        "keys": [f"{wallet_id}{suffix}" for suffix in ("u", "b", "g")],
        "enterprise": ENTERPRISE,
        "approvalsRequired": approvals,
        "isCold": kind == "cold",
        "type": kind,
        "multisigType": "onchain",
        "deleted": False,
        "users": [{"user": user, "permissions": permissions} for user, permissions in users],
        "balanceString": balance,
        "confirmedBalanceString": balance,
        "spendableBalanceString": balance,
        "startDate": "2025-02-10T12:00:00.000Z",
    }


def bitgo_data() -> dict[str, Any]:
    hot = _wallet(
        ETH_HOT,
        "eth",
        "ETH hot",
        [(BG_OMAR, ["spend", "view"]), (BG_NADIA, ["admin", "view"]), (BG_BOT, ["view"])],
        2,
        "hot",
        "180000000000000000000",
    )
    hot["admin"] = {
        "policy": {
            "id": "65a1f0c2b3d4e5f6a7b8d001",
            "version": 3,
            "rules": [
                {
                    "id": "Exchange and cold storage only",
                    "coin": "eth",
                    "type": "advancedWhitelist",
                    "condition": {
                        "entries": [{"type": "address", "item": "0x8f3cf7ad23cd3cadbd9735aff958023239c6a063"}]
                    },
                    "action": {"type": "deny"},
                },
                {
                    "id": "20 ETH a day",
                    "coin": "eth",
                    "type": "velocityLimit",
                    "condition": {
                        "amountString": "20000000000000000000",
                        "timeWindow": 86400,
                        "groupTags": [":tag"],
                    },
                    "action": {"type": "getApproval"},
                },
            ],
        }
    }
    ops = _wallet(ETH_OPS, "eth", "ETH ops", [(BG_OMAR, ["spend", "view"])], 1, "hot", "3500000000000000000")
    cold = _wallet(
        BTC_COLD,
        "btc",
        "BTC cold",
        [(BG_NADIA, ["admin", "spend", "view"]), (BG_OMAR, ["admin", "view"])],
        1,
        "cold",
        "1250000000",
    )
    cold["admin"] = {"policy": {"id": "65a1f0c2b3d4e5f6a7b8d003", "version": 0, "rules": []}}
    return {"wallets": {"eth": [hot, ops], "btc": [cold]}, "pending_approvals": {"eth": [], "btc": []}}


def fireblocks_data() -> dict[str, Any]:
    users = [
        {
            "id": "fb-nadia",
            "firstName": "Nadia",
            "lastName": "Haddad",
            "email": "nadia@northwind.example",
            "role": "OWNER",
            "enabled": True,
            "status": "READY",
            "userType": "CONSOLE",
        },
        {
            "id": "fb-omar",
            "firstName": "Omar",
            "lastName": "Lindgren",
            "email": "omar@northwind.example",
            "role": "SIGNER",
            "enabled": True,
            "status": "READY",
            "userType": "CONSOLE",
        },
        {
            "id": "fb-priya",
            "firstName": "Priya",
            "lastName": "Raman",
            "email": "priya@northwind.example",
            "role": "APPROVER",
            "enabled": True,
            "status": "READY",
            "userType": "CONSOLE",
        },
        {
            "id": "fb-rosa",
            "firstName": "Rosa",
            "lastName": "Ferreira",
            "email": "rosa@northwind.example",
            "role": "ADMIN",
            "enabled": False,
            "status": "READY",
            "userType": "CONSOLE",
        },
    ]

    def asset(asset_id: str, total: str) -> dict[str, str]:
        return {
            "id": asset_id,
            "total": total,
            "balance": total,
            "available": total,
            "pending": "0",
            "frozen": "0",
            "lockedAmount": "0",
        }

    vaults = [
        {
            "id": "0",
            "name": "Treasury",
            "hiddenOnUI": False,
            "customerRefId": "treasury",
            "autoFuel": False,
            "assets": [asset("BTC", "40"), asset("ETH", "900")],
        },
        {
            "id": "1",
            "name": "Trading hot",
            "hiddenOnUI": False,
            "autoFuel": True,
            "assets": [asset("ETH", "85"), asset("USDC", "250000")],
        },
        {"id": "2", "name": "Gas station", "hiddenOnUI": True, "assets": []},
    ]

    def rule(index: int, name: str, source: dict, address_type: str, verdict: dict, amount: str) -> dict:
        return {
            "name": name,
            "id": f"9b7d3e20-5c41-4f0a-8e62-7a1c0d4b5f{index:02d}",
            "policyEngineVersion": "v2",
            "type": "TRANSFER",
            "initiator": {"users": ["fb-omar"], "operator": "INCLUDES"} if index == 0 else "*",
            "asset": {"nftTransfer": False, "assetTypes": ["*"], "operator": "INCLUDES"},
            "source": {**source, "operator": "INCLUDES"},
            "destination": {"type": ["*"], "operator": "INCLUDES", "addressType": address_type},
            "verdict": verdict,
            "amount": {"range": {"min": amount}, "currency": "USD"},
            "externalDescriptor": name,
            "index": index,
        }

    # Policy Engine v2 (PolicyRule): transfers from the treasury need 2 of nadia / priya and
    # omar signs them; from the hot vault, $50,000 and up need nobody; the rest is blocked.
    rules = [
        rule(
            0,
            "Treasury: nadia and priya approve, whitelisted only",
            {"ids": [{"type": "VAULT", "id": "0"}]},
            "WHITELISTED",
            {
                "action": "ALLOW",
                "approvers": {
                    "canInitiatorApprove": False,
                    "operator": "AND",
                    "approvalGroups": [{"threshold": 2, "users": ["fb-nadia", "fb-priya"]}],
                },
                "designatedSigners": {"type": "SINGLE", "users": ["fb-omar"]},
            },
            "0",
        ),
        rule(
            1,
            "Trading hot from $50k: no approval",
            {"ids": [{"type": "VAULT", "id": "1"}]},
            "*",
            {"action": "ALLOW"},
            "50000",
        ),  # fmt: skip
        rule(2, "Everything else blocked", {"type": ["*"]}, "*", {"action": "BLOCK"}, "0"),
    ]
    return {
        "policy": {"metadata": {"TRANSFER": {"editedBy": "fb-nadia"}}, "rules": rules},
        "vault_accounts": vaults,
        "users": users,
    }
