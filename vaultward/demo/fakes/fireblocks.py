"""A loopback Fireblocks API v1 over an in-memory dataset, and Acme Exchange's demo workspace.

Authenticates as Fireblocks documents: `X-API-Key` plus `Authorization: Bearer <JWT>`, the
JWT signed RS256 by the API user's private key (verified here with its public key) with
claims `uri` (the request's path and query), a fresh `nonce`, `iat`, `exp` (< iat + 30 s),
`sub` (the API key) and `bodyHash` (hex SHA-256 of the body). Serves the active TAP
(`/v1/tap/active_policy`), vault accounts with `before` / `after` cursors
(`/v1/vault/accounts_paged`, `limit` default 200, at most 500) and the users list
(`/v1/users`). Errors answer `{"message": ..., "code": ...}`. Faults (429, 5xx, malformed
bodies) are queued with `FakeApi.inject`.
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

from vaultward.demo.fakes.server import FakeApi, Reply, Request

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
    """`data`: {"policy": {"rules": [...]}, "vault_accounts": [...], "users": [...]} in the
    API's shapes (see `demo_fireblocks_data`); `public_key`: PEM of the API user's key."""
    fake = FireblocksFake(_verifier(api_key, public_key))

    def active_policy(_: Request) -> Reply:
        return Reply(
            200,
            {
                "policy": data.get("policy", {"rules": []}),
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

    fake.route("GET", "/v1/tap/active_policy", active_policy)
    fake.route("GET", "/v1/vault/accounts_paged", accounts)
    fake.route("GET", "/v1/users", lambda _: Reply(200, data.get("users", [])))
    return fake


# --- Acme Exchange demo workspace -------------------------------------------------------------


def _user(uid: str, first: str, role: str, enabled: bool = True) -> dict[str, Any]:
    return {
        "id": uid,
        "firstName": first.capitalize(),
        "lastName": "Acme",
        "email": f"{first}@acme.example",
        "role": role,
        "enabled": enabled,
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


def demo_fireblocks_data() -> dict[str, Any]:
    """Acme Exchange's workspace: cold treasury behind a 2-of-3 group with whitelisted
    destinations; hot wallet sweeps allowed with one approval where the initiator may approve
    their own transfer; a one-time-address rule for mid-size transfers; everything else
    blocked."""
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
        {
            "type": "TRANSFER",
            "transactionType": "TRANSFER",
            "action": "2-TIER",
            "asset": "*",
            "operators": {"users": ["u-grace"]},
            "src": {"ids": [["0", "VAULT", "*"]]},
            "dst": {"ids": [["*"]]},
            "dstAddressType": "WHITELISTED",
            "amountCurrency": "USD",
            "amountScope": "SINGLE_TX",
            "amount": 0,
            "periodSec": 0,
            "authorizationGroups": {
                "logic": "AND",
                "allowOperatorAsAuthorizer": False,
                "groups": [{"users": ["u-alice", "u-bob", "u-erin"], "th": 2}],
            },
            "externalDescriptor": "Cold treasury: 2 of 3 approvers, whitelisted only",
        },
        {
            "type": "TRANSFER",
            "transactionType": "TRANSFER",
            "action": "ALLOW",
            "asset": "*",
            "operators": {"wildcard": "*"},
            "src": {"ids": [["1", "VAULT", "*"]]},
            "dst": {"ids": [["*"]]},
            "dstAddressType": "*",
            "amountCurrency": "USD",
            "amountScope": "SINGLE_TX",
            "amount": 250000,
            "periodSec": 0,
            "authorizationGroups": {
                "logic": "OR",
                "allowOperatorAsAuthorizer": True,
                "groups": [{"users": ["u-bob", "u-carol"], "th": 1}],
            },
            "externalDescriptor": "Hot wallet over $250k: one approval, any address",
        },
        {
            "type": "TRANSFER",
            "transactionType": "TRANSFER",
            "action": "ALLOW",
            "asset": "*",
            "operator": "*",
            "src": {"ids": [["*"]]},
            "dst": {"ids": [["*"]]},
            "dstAddressType": "ONE_TIME",
            "amountCurrency": "USD",
            "amountScope": "TIMEFRAME",
            "amount": 10000,
            "periodSec": 86400,
            "authorizers": ["u-alice", "u-bob"],
            "authorizersCount": 1,
            "externalDescriptor": "One-time addresses over $10k a day: one approver (legacy form)",
        },
        {
            "type": "TRANSFER",
            "transactionType": "CONTRACT_CALL",
            "action": "BLOCK",
            "asset": "*",
            "operators": {"wildcard": "*"},
            "src": {"ids": [["*"]]},
            "dst": {"ids": [["*"]]},
            "amountCurrency": "USD",
            "amountScope": "SINGLE_TX",
            "amount": 0,
            "periodSec": 0,
            "externalDescriptor": "No contract calls",
        },
    ]
    return {
        "policy": {"metadata": {"editedBy": "u-alice"}, "rules": rules},
        "vault_accounts": vaults,
        "users": users,
    }
