"""A loopback Safe Transaction Service (as Safe's gateway serves it) over an in-memory
dataset, and Acme Exchange's demo Safes.

Answers as the service documents: `GET /tx-service/<chain>/api/v1/safes/<address>/` with the
Safe's address, nonce (a string), threshold, owners, masterCopy, modules, fallbackHandler,
guard and version; 404 `{"detail": "Not found."}` for an unknown Safe; bearer API keys; the
quota headers `X-RateLimit-Limit/-Remaining/-Reset` on every answer. Faults (429, 5xx,
malformed bodies) are queued with `FakeApi.inject`.
"""

from __future__ import annotations

from typing import Any

from vaultward.demo.fakes.server import FakeApi, Reply, Request

DEMO_API_KEY = "demo-safe-api-key"  # noqa: S105 - the fake's own dummy credential
ZERO = "0x" + "0" * 40
QUOTA = {"X-RateLimit-Limit": "50000", "X-RateLimit-Remaining": "49990", "X-RateLimit-Reset": "2591751"}


def make_safe_fake(data: dict[str, dict[str, dict[str, Any]]], api_key: str | None = DEMO_API_KEY) -> FakeApi:
    """`data`: {chain short name: {address (any case): the service's Safe payload}}.
    `api_key=None` serves anonymous callers too."""
    index = {
        (chain, address.lower()): safe for chain, safes in data.items() for address, safe in safes.items()
    }

    def authorised(request: Request) -> bool:
        return api_key is None or request.headers.get("authorization") == f"Bearer {api_key}"

    fake = FakeApi(authorised)

    def safe(request: Request) -> Reply:
        found = index.get((request.match["chain"], request.match["address"].lower()))
        if found is None:
            return Reply(404, {"detail": "Not found."}, dict(QUOTA))
        return Reply(200, found, dict(QUOTA))

    fake.route("GET", r"/tx-service/(?P<chain>[a-z0-9-]+)/api/v1/safes/(?P<address>0x[0-9a-fA-F]{40})/", safe)
    return fake


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

TREASURY = "0x7A3bC0fA1C2d4e5F60718293aBcDeF0123456789"
HOT = "0x5b1E9aC0dD2F3e4A5B6c7D8e9F0a1B2c3D4e5F60"
PAYROLL = "0x9C8d7E6f5A4b3C2d1E0f9A8b7C6d5E4f3A2b1C0d"
# Signers: alice's and bob's hardware wallets, erin's ledger, the ops bot's hot key.
ALICE = "0x1111A2b3C4d5E6f7A8b9C0d1E2f3A4b5C6d7E8f9"
BOB = "0x2222B3c4D5e6F7a8B9c0D1e2F3a4B5c6D7e8F9a0"
ERIN = "0x3333C4d5E6f7A8b9C0d1E2f3A4b5C6d7E8f9A0b1"
OPS_BOT = "0x4444D5e6F7a8B9c0D1e2F3a4B5c6D7e8F9a0B1c2"
# A Zodiac-style roles module nobody put on the allow-list.
UNEXPECTED_MODULE = "0xBadC0de0000000000000000000000000000D0d0e"


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
