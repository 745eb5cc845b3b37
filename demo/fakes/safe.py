"""A loopback Safe Transaction Service (as Safe's gateway serves it) over an in-memory
dataset, and Acme Exchange's demo Safes.

Answers as the service documents: `GET /tx-service/<chain>/api/v1/safes/<address>/` with the
Safe's address, nonce (a string), threshold, owners, masterCopy, modules, fallbackHandler,
guard and version; `GET .../api/v2/safes/<address>/balances/` paged with `limit` (default
100, at most 200) and `offset` as `{"count", "next", "previous", "results"}`, each result
`{"tokenAddress", "token": {"name", "symbol", "decimals", "logoUri"}, "balance"}` (the native
coin with `tokenAddress` and `token` null, always listed); 422 `{"code": 1, "message":
"Checksum address validation failed", "arguments": [address]}` for an address that is not
EIP-55 checksummed; 404 `{"detail": "Not found."}` for an unknown Safe; bearer API keys; the
quota headers `X-RateLimit-Limit/-Remaining/-Reset` on every answer. Faults (429, 5xx,
malformed bodies) are queued with `FakeApi.inject`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from eth_utils import to_checksum_address

from demo.fakes.server import FakeApi, Reply, Request

DEMO_API_KEY = "demo-safe-api-key"  # noqa: S105 - the fake's own dummy credential
ZERO = "0x" + "0" * 40
QUOTA = {"X-RateLimit-Limit": "50000", "X-RateLimit-Remaining": "49990", "X-RateLimit-Reset": "2591751"}


BALANCES_DEFAULT_LIMIT, BALANCES_MAX_LIMIT = 100, 200
NATIVE_ZERO = {"tokenAddress": None, "token": None, "balance": "0"}


def make_safe_fake(
    data: dict[str, dict[str, dict[str, Any]]],
    api_key: str | None = DEMO_API_KEY,
    balances: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
) -> FakeApi:
    """`data`: {chain short name: {address (any case): the service's Safe payload}};
    `balances`: {chain: {address (any case): balance results}} (a Safe not listed holds its
    native coin, 0). `api_key=None` serves anonymous callers too."""
    index = {
        (chain, address.lower()): safe for chain, safes in data.items() for address, safe in safes.items()
    }
    held = {
        (chain, address.lower()): items
        for chain, safes in (balances or {}).items()
        for address, items in safes.items()
    }

    def authorised(request: Request) -> bool:
        return api_key is None or request.headers.get("authorization") == f"Bearer {api_key}"

    fake = FakeApi(authorised)

    def known(request: Request) -> Reply | None:
        """The service's answer when it will not serve this address: 422 or 404."""
        address = request.match["address"]
        if to_checksum_address(address) != address:
            body = {"code": 1, "message": "Checksum address validation failed", "arguments": [address]}
            return Reply(422, body, dict(QUOTA))
        if (request.match["chain"], address.lower()) not in index:
            return Reply(404, {"detail": "Not found."}, dict(QUOTA))
        return None

    def safe(request: Request) -> Reply:
        refused = known(request)
        if refused is not None:
            return refused
        return Reply(200, index[(request.match["chain"], request.match["address"].lower())], dict(QUOTA))

    def safe_balances(request: Request) -> Reply:
        refused = known(request)
        if refused is not None:
            return refused
        items = held.get((request.match["chain"], request.match["address"].lower()), [NATIVE_ZERO])
        try:
            limit = min(int(request.query.get("limit") or BALANCES_DEFAULT_LIMIT), BALANCES_MAX_LIMIT)
            offset = int(request.query.get("offset") or 0)
        except ValueError:
            return Reply(400, {"detail": "Invalid limit or offset."}, dict(QUOTA))
        base = f"{fake.base_url}{request.path}"
        following = offset + limit < len(items)
        body = {
            "count": len(items),
            "next": f"{base}?{urlencode({'limit': limit, 'offset': offset + limit})}" if following else None,
            "previous": f"{base}?{urlencode({'limit': limit, 'offset': max(offset - limit, 0)})}"
            if offset
            else None,
            "results": items[offset : offset + limit],
        }
        return Reply(200, body, dict(QUOTA))

    address = r"(?P<address>0x[0-9a-fA-F]{40})"
    fake.route("GET", rf"/tx-service/(?P<chain>[a-z0-9-]+)/api/v1/safes/{address}/", safe)
    fake.route("GET", rf"/tx-service/(?P<chain>[a-z0-9-]+)/api/v2/safes/{address}/balances/", safe_balances)
    return fake


def native_balance(wei: str) -> dict[str, Any]:
    """The native coin as the balances endpoint lists it (base units: wei on Ethereum)."""
    return {"tokenAddress": None, "token": None, "balance": wei}


def token_balance(
    address: str, symbol: str, decimals: int, base_units: str, name: str = ""
) -> dict[str, Any]:
    """An ERC-20 token as the balances endpoint lists it."""
    return {
        "tokenAddress": address,
        "token": {
            "name": name or symbol,
            "symbol": symbol,
            "decimals": decimals,
            "logoUri": f"https://assets.example/tokens/logos/{address}.png",
        },
        "balance": base_units,
    }


def safe_payload(
    address: str,
    owners: list[str],
    threshold: int,
    nonce: int = 0,
    modules: list[str] | None = None,
    guard: str = ZERO,
    version: str = "1.4.1",
) -> dict[str, Any]:
    """A Safe as the service returns it (singleton and handler of the 1.4.1 deployment)."""
    return {
        "address": address,
        "nonce": str(nonce),
        "threshold": threshold,
        "owners": owners,
        "masterCopy": "0x41675C099F32341bf84BFc5382aF534df5C7461a",
        "modules": modules or [],
        "fallbackHandler": "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99",
        "guard": guard,
        "version": version,
    }


# --- Acme Exchange demo data ------------------------------------------------------------------

TREASURY = "0x7a3bc0FA1c2d4e5f60718293abcDeF0123456789"
HOT = "0x5b1e9AC0dD2F3E4a5B6c7D8E9F0A1b2C3d4E5F60"
PAYROLL = "0x9c8D7e6F5A4B3c2d1e0f9a8b7c6d5e4F3a2b1c0d"
# Signers: alice's and bob's hardware wallets, erin's ledger, the ops bot's hot key.
ALICE = "0x1111A2B3C4d5E6f7A8b9c0D1e2f3A4b5c6D7E8f9"
BOB = "0x2222b3C4D5E6F7A8B9c0D1e2F3a4B5c6d7e8f9a0"
ERIN = "0x3333c4d5e6f7A8b9C0D1E2f3a4b5c6d7E8f9A0B1"
OPS_BOT = "0x4444D5E6F7A8b9C0D1e2F3A4b5c6D7E8f9a0B1C2"
# A Zodiac-style roles module nobody put on the allow-list.
UNEXPECTED_MODULE = "0xBADC0De0000000000000000000000000000D0D0e"


def demo_safe_data() -> dict[str, dict[str, dict[str, Any]]]:
    """Acme Exchange on Ethereum: the treasury 2-of-3 (alice, bob, erin), a hot wallet
    1-of-2 (ops bot or bob: one key moves funds), and the payroll Safe 2-of-3 with a module
    enabled that can move funds without owner signatures."""
    return {
        "eth": {
            TREASURY: safe_payload(TREASURY, [ALICE, BOB, ERIN], 2, nonce=182),
            HOT: safe_payload(HOT, [OPS_BOT, BOB], 1, nonce=4711),
            PAYROLL: safe_payload(PAYROLL, [ALICE, ERIN, BOB], 2, nonce=37, modules=[UNEXPECTED_MODULE]),
        }
    }


def demo_safe_wallets() -> list[dict[str, Any]]:
    """The `[[sources.safe.wallets]]` tables that watch the demo Safes."""
    return [
        {"address": TREASURY, "chain": "eth", "label": "Treasury", "tags": {"ValueTier": "high"}},
        {"address": HOT, "chain": "eth", "label": "Hot wallet", "tags": {"ValueTier": "medium"}},
        {"address": PAYROLL, "chain": "eth", "label": "Payroll", "tags": {"ValueTier": "medium"}},
    ]


USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"  # Circle's USD Coin on Ethereum, 6 decimals
ETHER = 10**18  # wei


def demo_safe_balances() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """What the demo Safes hold: the treasury 850 ETH and 2,000,000 USDC; the hot wallet
    25 ETH and 40,000 USDC (some $115,000 at the demo's prices: above the $100,000 bound
    although its tag says "medium", so its 1-of-2 fails); payroll 6 ETH and 30,000 USDC."""

    def holding(ether: int, usdc: int) -> list[dict[str, Any]]:
        return [
            native_balance(str(ether * ETHER)),
            token_balance(USDC, "USDC", 6, str(usdc * 10**6), "USD Coin"),
        ]

    return {"eth": {TREASURY: holding(850, 2_000_000), HOT: holding(25, 40_000), PAYROLL: holding(6, 30_000)}}
