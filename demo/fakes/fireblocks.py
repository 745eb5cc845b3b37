"""A loopback Fireblocks API v1 over an in-memory dataset, and Acme Exchange's demo workspace.

Authenticates as Fireblocks documents: `X-API-Key` plus `Authorization: Bearer <JWT>`, the
JWT signed RS256 by the API user's private key (verified here with its public key) with
claims `uri` (the request's path and query), a fresh `nonce`, `iat`, `exp` (< iat + 30 s),
`sub` (the API key) and `bodyHash` (hex SHA-256 of the body). Serves the active policy of
Policy Engine v2 (`/v1/policy/active_policy`, the rules and metadata of the repeated
`policyType`s asked for), vault accounts with `before` / `after` cursors
(`/v1/vault/accounts_paged`, `limit` default 200, at most 500) and the console users
(`/v1/management/users`, `{"users": [...]}`). Errors answer `{"message": ..., "code": ...}`.
Faults (429, 5xx, malformed bodies) are queued with `FakeApi.inject`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from demo.fakes.server import FakeApi, Reply, Request

DEMO_API_KEY = "demo-fireblocks-api-key"
DEFAULT_LIMIT = 200
MAX_LIMIT = 500


def generate_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair (private PEM, public PEM): made at run time, never committed."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _verifier(api_key: str, public_key: str):
    nonces: set[str] = set()
    lock = threading.Lock()

    def authorised(request: Request) -> bool:
        if request.headers.get("x-api-key") != api_key:
            return False
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return False
        try:
            claims = jwt.decode(
                token, public_key, algorithms=["RS256"], options={"require": ["exp", "iat", "sub", "nonce"]}
            )
        except jwt.PyJWTError:
            return False
        uri = urlsplit(str(claims.get("uri", "")))
        query = {key: values[-1] for key, values in parse_qs(uri.query).items()}
        if (uri.path, query) != (request.path, request.query):
            return False
        if claims.get("sub") != api_key or claims.get("bodyHash") != hashlib.sha256(request.body).hexdigest():
            return False
        if not (claims["exp"] - claims["iat"] < 30 and claims["iat"] <= time.time() + 5):
            return False
        with lock:
            if claims["nonce"] in nonces:
                return False  # a replayed JWT
            nonces.add(claims["nonce"])
        return True

    return authorised


class FireblocksFake(FakeApi):
    """Refusals in Fireblocks' error shape."""

    def handle(self, request: Request) -> Reply:
        reply = super().handle(request)
        if reply.status == 401 and reply.body == {"error": "invalid credentials"}:
            return Reply(401, {"message": "Unauthorized: JWT validation failed", "code": -7})
        return reply


def make_fireblocks_fake(data: dict[str, Any], public_key: str, api_key: str = DEMO_API_KEY) -> FakeApi:
    """`data`: {"policy": {"rules": [...], "metadata": {type: ...}}, "vault_accounts": [...],
    "users": [...]} in the API's shapes (PolicyRule v2, VaultAccount, ConsoleUser; see
    `demo_fireblocks_data`); `public_key`: PEM of the API user's key."""
    fake = FireblocksFake(_verifier(api_key, public_key))

    def active_policy(request: Request) -> Reply:
        types = request.query_lists.get("policyType")
        if not types:
            return Reply(400, {"message": "policyType is required", "code": 1})
        policy = data.get("policy", {})
        rules = [rule for rule in policy.get("rules", []) if rule.get("type") in types]
        metadata = {kind: entry for kind, entry in policy.get("metadata", {}).items() if kind in types}
        return Reply(
            200,
            {
                "policy": {"rules": rules, "metadata": metadata},
                "validation": {"status": "VALID", "checkResult": {"errors": 0, "results": []}},
            },
        )

    def accounts(request: Request) -> Reply:
        items = data.get("vault_accounts", [])
        try:
            limit = min(int(request.query.get("limit") or DEFAULT_LIMIT), MAX_LIMIT)
        except ValueError:
            return Reply(400, {"message": "limit must be a number", "code": 1})
        ids = [str(item["id"]) for item in items]
        after, before = request.query.get("after"), request.query.get("before")
        if after is not None and after not in ids or before is not None and before not in ids:
            return Reply(400, {"message": "Invalid paging cursor", "code": 1})
        start = ids.index(after) + 1 if after is not None else 0
        end = ids.index(before) if before is not None else len(ids)
        if before is not None:
            start = max(0, end - limit)
        page = items[start : min(end, start + limit)]
        paging: dict[str, str] = {}
        if page and start > 0:
            paging["before"] = str(page[0]["id"])
        if page and start + len(page) < len(items):
            paging["after"] = str(page[-1]["id"])
        body: dict[str, Any] = {"accounts": page, "paging": paging}
        if "after" in paging:
            body["nextUrl"] = f"{fake.base_url}/v1/vault/accounts_paged?limit={limit}&after={paging['after']}"
        if "before" in paging:
            body["previousUrl"] = (
                f"{fake.base_url}/v1/vault/accounts_paged?limit={limit}&before={paging['before']}"
            )
        return Reply(200, body)

    fake.route("GET", "/v1/policy/active_policy", active_policy)
    fake.route("GET", "/v1/vault/accounts_paged", accounts)
    fake.route("GET", "/v1/management/users", lambda _: Reply(200, {"users": data.get("users", [])}))
    return fake


# --- Acme Exchange demo workspace -------------------------------------------------------------


def _user(uid: str, first: str, role: str, enabled: bool = True) -> dict[str, Any]:
    """A console user as `GET /v1/management/users` lists it (ConsoleUser)."""
    return {
        "id": uid,
        "firstName": first.capitalize(),
        "lastName": "Acme",
        "email": f"{first}@acme.example",
        "role": role,
        "enabled": enabled,
        "status": "READY",
        "userType": "CONSOLE",
    }


def _vault(vid: str, name: str, assets: dict[str, str], hidden: bool = False) -> dict[str, Any]:
    """A vault account as `accounts_paged` lists it: each VaultAsset's `total` (and the
    deprecated `balance` beside it) a decimal string in whole units of the asset."""
    return {
        "id": vid,
        "name": name,
        "hiddenOnUI": hidden,
        "autoFuel": False,
        "assets": [
            {
                "id": asset,
                "total": total,
                "balance": total,
                "available": total,
                "pending": "0",
                "frozen": "0",
                "lockedAmount": "0",
            }
            for asset, total in assets.items()
        ],
    }


def policy_rule(
    rule_id: str,
    name: str,
    index: int,
    *,
    policy_type: str = "TRANSFER",
    action: str = "ALLOW",
    initiator: Any = "*",
    source_vault: str | None = None,
    address_type: str = "*",
    approvers: list[str] | None = None,
    threshold: int = 1,
    operator: str = "AND",
    initiator_approves: bool = False,
    amount_min: str | None = "0",
    over_time: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A Policy Engine v2 rule (PolicyRule): who initiates, from which vault, to which
    addresses, from what amount, and the verdict with its approval groups."""
    source: dict[str, Any] = {"operator": "INCLUDES"}
    if source_vault is None:
        source["type"] = ["*"]
    else:
        source["ids"] = [{"type": "VAULT", "id": source_vault}]
    verdict: dict[str, Any] = {"action": action}
    if approvers:
        verdict["approvers"] = {
            "canInitiatorApprove": initiator_approves,
            "operator": operator,
            "approvalGroups": [{"threshold": threshold, "users": approvers}],
        }
    rule: dict[str, Any] = {
        "name": name,
        "id": rule_id,
        "policyEngineVersion": "v2",
        "type": policy_type,
        "initiator": initiator,
        "asset": {"nftTransfer": False, "assetTypes": ["*"], "operator": "INCLUDES"},
        "source": source,
        "destination": {"type": ["*"], "operator": "INCLUDES", "addressType": address_type},
        "verdict": verdict,
        "externalDescriptor": name,
        "index": index,
    }
    if amount_min is not None:
        rule["amount"] = {"range": {"min": amount_min}, "currency": "USD"}
    if over_time is not None:
        low, seconds = over_time
        rule["amountOverTime"] = {
            "range": {"min": low},
            "currency": "USD",
            "timePeriod": {"seconds": seconds},
        }
    return rule


def demo_fireblocks_data() -> dict[str, Any]:
    """Acme Exchange's workspace: cold treasury behind a 2-of-3 group with whitelisted
    destinations; hot wallet transfers over $250k allowed with one approval where the
    initiator may approve their own transfer; one-time addresses over $10k a day need one
    approver; contract calls blocked. alice (Owner), bob (Admin) and carol (Signer) hold MPC
    key shares and sign for every vault."""
    users = [
        _user("u-alice", "alice", "OWNER"),
        _user("u-bob", "bob", "ADMIN"),
        _user("u-carol", "carol", "SIGNER"),
        _user("u-erin", "erin", "APPROVER"),
        _user("u-grace", "grace", "EDITOR"),
        _user("u-judy", "judy", "VIEWER"),
        _user("u-mallory", "mallory", "NON_SIGNING_ADMIN", enabled=False),
    ]
    vaults = [
        _vault("0", "Treasury (cold)", {"BTC": "120", "ETH": "1500"}),
        _vault("1", "Hot wallet", {"BTC": "2.5", "ETH": "40", "USDC": "150000"}),
        _vault("2", "Market making", {"ETH": "300", "USDT_ERC20": "400000"}),
        _vault("3", "Gas station", {"ETH": "3.2"}, hidden=True),
        _vault("4", "Customer deposits sweep", {"BTC": "0.5", "ETH": "12"}),
    ]
    rules = [
        policy_rule(
            "3f1c9a52-0b7e-4c1d-9a6e-1d2b3c4d5e01",
            "Cold treasury: 2 of 3 approvers, whitelisted only",
            0,
            action="2-TIER",
            initiator={"users": ["u-grace"], "operator": "INCLUDES"},
            source_vault="0",
            address_type="WHITELISTED",
            approvers=["u-alice", "u-bob", "u-erin"],
            threshold=2,
        ),
        policy_rule(
            "3f1c9a52-0b7e-4c1d-9a6e-1d2b3c4d5e02",
            "Hot wallet over $250k: one approval, any address",
            1,
            source_vault="1",
            approvers=["u-bob", "u-carol"],
            operator="OR",
            initiator_approves=True,
            amount_min="250000",
        ),
        policy_rule(
            "3f1c9a52-0b7e-4c1d-9a6e-1d2b3c4d5e03",
            "One-time addresses over $10k a day: one approver",
            2,
            address_type="ONE_TIME",
            approvers=["u-alice", "u-bob"],
            amount_min=None,
            over_time=("10000", "86400"),
        ),
        policy_rule(
            "3f1c9a52-0b7e-4c1d-9a6e-1d2b3c4d5e04",
            "No contract calls",
            3,
            policy_type="CONTRACT_CALL",
            action="BLOCK",
        ),
    ]
    edited = {"editedBy": "u-alice", "editedAt": "2026-11-02T10:00:00Z", "publishedBy": "u-alice"}
    return {
        "policy": {"rules": rules, "metadata": {"TRANSFER": edited, "CONTRACT_CALL": edited}},
        "vault_accounts": vaults,
        "users": users,
    }
