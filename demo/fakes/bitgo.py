"""A loopback BitGo API v2 over an in-memory dataset, and Acme Exchange's demo wallets.

Answers as BitGo documents: bearer access tokens; `GET /api/v2/{coin}/wallet` returning
`{"coin", "wallets": [...], "nextBatchPrevId"}` paged with `limit` (default 25, at most 500)
and `prevId` (the id of the last wallet already seen), filtered by `enterprise`;
`GET /api/v2/pendingapprovals` (List pending approvals) filtered by `coin` (repeated, with
`allTokens` their tokens), `enterpriseId` and `walletId`, paged the same way, returning
`{"pendingApprovals": [...], "nextBatchPrevId"}`; errors as
`{"error", "name", "requestId"}`. Faults (429, 5xx, malformed bodies) are queued with
`FakeApi.inject`.
"""

from __future__ import annotations

from typing import Any

from demo.fakes.server import FakeApi, Reply, Request

DEMO_TOKEN = "v2x-demo-bitgo-access-token"  # noqa: S105 - the fake's own dummy credential
DEFAULT_LIMIT = 25
MAX_LIMIT = 500


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, {"error": message, "name": name, "requestId": "fake-request"})


def make_bitgo_fake(data: dict[str, Any], token: str = DEMO_TOKEN) -> FakeApi:
    """`data`: {"wallets": {coin: [wallet, ...]}, "pending_approvals": {coin: [approval, ...]}}
    in the API's own shapes (see `demo_bitgo_data`); an approval's own `coin` decides which
    coin filter lists it."""
    fake = FakeApi(lambda request: request.headers.get("authorization") == f"Bearer {token}")

    def wallets(request: Request) -> Reply:
        coin = request.match["coin"]
        if coin not in data.get("wallets", {}):
            return _error(400, "InvalidCoin", f"unsupported coin {coin}")
        try:
            limit = min(int(request.query.get("limit") or DEFAULT_LIMIT), MAX_LIMIT)
        except ValueError:
            return _error(400, "InvalidParameter", "limit must be an integer")
        items = data["wallets"][coin]
        enterprise = request.query.get("enterprise")
        if enterprise:
            items = [wallet for wallet in items if wallet.get("enterprise") == enterprise]
        start = 0
        if request.query.get("prevId"):
            ids = [wallet["id"] for wallet in items]
            if request.query["prevId"] not in ids:
                return _error(400, "InvalidParameter", "invalid prevId")
            start = ids.index(request.query["prevId"]) + 1
        page = items[start : start + limit]
        body: dict[str, Any] = {"coin": coin, "wallets": page}
        if start + limit < len(items):
            body["nextBatchPrevId"] = page[-1]["id"]
        return Reply(200, body)

    def pending(request: Request) -> Reply:
        coins = request.query_lists.get("coin") or list(data.get("pending_approvals", {}))
        every_token = request.query.get("allTokens") == "true"
        items = [
            item
            for listed in data.get("pending_approvals", {}).values()
            for item in listed
            if item.get("coin") in coins
            or every_token
            and any(str(item.get("coin", "")).startswith(f"{coin}:") for coin in coins)
        ]
        enterprise = request.query.get("enterpriseId")
        if enterprise:
            items = [item for item in items if item.get("enterprise") == enterprise]
        if request.query.get("walletId"):
            items = [item for item in items if item.get("wallet") == request.query["walletId"]]
        try:
            limit = min(int(request.query.get("limit") or DEFAULT_LIMIT), MAX_LIMIT)
        except ValueError:
            return _error(400, "InvalidParameter", "limit must be an integer")
        start = 0
        if request.query.get("prevId"):
            ids = [item["id"] for item in items]
            if request.query["prevId"] not in ids:
                return _error(400, "InvalidParameter", "invalid prevId")
            start = ids.index(request.query["prevId"]) + 1
        page = items[start : start + limit]
        body: dict[str, Any] = {"pendingApprovals": page}
        if start + limit < len(items):
            body["nextBatchPrevId"] = page[-1]["id"]
        return Reply(200, body)

    fake.route("GET", r"/api/v2/(?P<coin>[a-z0-9:-]+)/wallet", wallets)
    fake.route("GET", "/api/v2/pendingapprovals", pending)
    return fake


def wallet_payload(
    wallet_id: str,
    coin: str,
    label: str,
    users: list[tuple[str, list[str]]],
    rules: list[dict[str, Any]] | None = None,
    m: int = 2,
    n: int = 3,
    approvals_required: int = 1,
    wallet_type: str = "hot",
    multisig_type: str = "onchain",
    enterprise: str = "",
    balance: str = "0",
) -> dict[str, Any]:
    """A wallet as `GET /api/v2/{coin}/wallet` lists it."""
    return {
        "id": wallet_id,
        "coin": coin,
        "label": label,
        "m": m,
        "n": n,
        "keys": [f"{wallet_id[:20]}key{i}" for i in range(n)],
        "keySignatures": {},
        "enterprise": enterprise,
        "tags": [wallet_id, enterprise],
        "disableTransactionNotifications": False,
        "freeze": {},
        "deleted": False,
        "approvalsRequired": approvals_required,
        "isCold": wallet_type == "cold",
        "coinSpecific": {},
        "admin": {
            "policy": {"id": f"{wallet_id[:20]}pol", "version": len(rules or []), "rules": rules or []}
        },
        "clientFlags": [],
        "allowBackupKeySigning": False,
        "recoverable": True,
        "startDate": "2024-03-01T09:00:00.000Z",
        "type": wallet_type,
        "multisigType": multisig_type,
        "buildDefaults": {},
        "customChangeKeySignatures": {},
        "hasLargeNumberOfAddresses": False,
        "users": [{"user": user, "permissions": permissions} for user, permissions in users],
        "balanceString": balance,
        "confirmedBalanceString": balance,
        "spendableBalanceString": balance,
        "receiveAddress": {"address": f"0x{wallet_id[:40].ljust(40, '0')}", "coin": coin},
    }


# --- Acme Exchange demo data ------------------------------------------------------------------

ENTERPRISE = "62a1b2c3d4e5f60718293a4b5c6d7e8f"
ALICE = "62ab90e06dfda30007974f0a52a12995"
BOB = "62ab90e06dfda30007974f0a52a13001"
ERIN = "62ab90e06dfda30007974f0a52a13017"
GRACE = "62ab90e06dfda30007974f0a52a13023"
OPS_BOT = "62ab90e06dfda30007974f0a52a13099"


def demo_bitgo_data() -> dict[str, Any]:
    """Acme Exchange on BitGo: the ETH hot wallet (2-of-3 keys, 2 admin approvals) with an
    address whitelist that denies other destinations and a 24-hour velocity limit of 50 ETH
    that needs alice's or grace's approval; alice and grace can spend and administer, erin and
    the ops bot only watch. A BTC cold wallet with no policy rules at all, bob its only
    spender and alice an admin who approves its withdrawals without spending (one pending
    withdrawal waiting for approval)."""
    whitelist = {
        "id": "Exchange hot wallet whitelist",
        "coin": "eth",
        "type": "advancedWhitelist",
        "condition": {
            "entries": [
                {
                    "item": "0x7a3bc0fa1c2d4e5f60718293abcdef0123456789",
                    "type": "address",
                    "metaData": {"label": "Treasury Safe"},
                },
                {
                    "item": "0x9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                    "type": "address",
                    "metaData": {"label": "Payroll Safe"},
                },
            ]
        },
        "action": {"type": "deny"},
        "lockDate": "2024-03-03T09:00:00.000Z",
    }
    velocity = {
        "id": "Daily 50 ETH",
        "coin": "eth",
        "type": "velocityLimit",
        "condition": {
            "amountString": "50000000000000000000",
            "timeWindow": 86400,
            "groupTags": [":tag"],
            "excludeTags": [],
        },
        "action": {"type": "getApproval", "userIds": [ALICE, GRACE]},
    }
    hot = wallet_payload(
        "63bc8506e014900008265c65363245f4",
        "eth",
        "Exchange hot wallet",
        [
            (ALICE, ["admin", "spend", "view"]),
            (GRACE, ["admin", "spend", "view"]),
            (ERIN, ["view"]),
            (OPS_BOT, ["view"]),
        ],
        [whitelist, velocity],
        approvals_required=2,
        enterprise=ENTERPRISE,
        balance="412500000000000000000",
    )
    cold = wallet_payload(
        "63bc8506e014900008265c6536324a11",
        "btc",
        "BTC reserve (cold)",
        [(BOB, ["admin", "spend", "view"]), (ALICE, ["admin", "view"])],
        [],
        approvals_required=1,
        wallet_type="cold",
        enterprise=ENTERPRISE,
        balance="8400000000",
    )
    withdrawal = {
        "id": "655f1a2b3c4d5e6f7a8b9c0d",
        "coin": "btc",
        "wallet": cold["id"],
        "enterprise": ENTERPRISE,
        "creator": BOB,
        "createDate": "2026-11-23T16:20:00.000Z",
        "info": {"type": "transactionRequest"},
        "state": "pending",
        "scope": "wallet",
        "userIds": [BOB, ALICE],
        "approvalsRequired": 1,
    }
    return {
        "wallets": {"eth": [hot], "btc": [cold]},
        "pending_approvals": {"eth": [], "btc": [withdrawal]},
    }
