"""The Safe Transaction Service over HTTP: Safe's hosted gateway (one base URL per chain under
`https://api.safe.global/tx-service/<EIP-3770 short name>`) or a self-hosted service."""

from __future__ import annotations

import json
import re
from typing import Any

from eth_utils import to_checksum_address

from collectors.http_api import ApiError, HttpApi, VendorClient

GATEWAY = "https://api.safe.global"
# Chains Safe's gateway serves, by EIP-3770 short name (as @safe-global/api-kit lists them).
GATEWAY_CHAINS = frozenset(
    {
        "eth", "oeth", "xdc", "bnb", "gno", "unichain", "pol", "monad", "sonic", "okb", "opbnb",
        "lens", "zksync", "wc", "stable", "hyper", "zkevm", "peaq", "mantle", "base", "plasma",
        "chi", "0g", "arb1", "celo", "hemi", "avax", "ink", "linea", "bep", "berachain", "codex",
        "basesep", "scr", "katana", "sep", "aurora",
    }
)  # fmt: skip
# Common names people write in a config, mapped to the short names above.
CHAIN_ALIASES = {
    "mainnet": "eth",
    "ethereum": "eth",
    "optimism": "oeth",
    "bsc": "bnb",
    "gnosis": "gno",
    "polygon": "pol",
    "matic": "pol",
    "arbitrum": "arb1",
    "avalanche": "avax",
    "scroll": "scr",
    "sepolia": "sep",
    "base-sepolia": "basesep",
}
_STATUS = re.compile(r": HTTP (\d{3}): ")
BALANCES_PAGE_SIZE = 200  # GET /api/v2/safes/{address}/balances/ caps `limit` at 200 (default 100)


def gateway_url(base_url: str, chain: str) -> str:
    return f"{base_url.rstrip('/')}/tx-service/{chain}"


def checksummed(address: str) -> str:
    """The EIP-55 form (mixed case from the address's Keccak-256 hash), which the service's
    address endpoints require: any other spelling is answered 422."""
    return to_checksum_address(address)


class SafeNotFound(Exception):
    """The service does not know this Safe (404)."""


class SafeAddressRefused(Exception):
    """The service refused the address itself (422), with its own message (its address
    endpoints answer `{"code": 1, "message": "Checksum address validation failed"}` to an
    address that is not EIP-55 checksummed)."""


def _service_message(error: ApiError) -> str:
    """The `message` of the service's error body, or the error as it is."""
    body = str(error).split(": HTTP 422: ", 1)[-1]
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    message = parsed.get("message") if isinstance(parsed, dict) else None
    return str(message) if message else body


class SafeClient(VendorClient):
    """Reads one chain's Safes through `api` (a bearer API key, or none for anonymous access)."""

    def __init__(self, api: HttpApi) -> None:
        self.api = api

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return self.api.get_json(path, params)
        except ApiError as error:
            # HttpApi reports other 4xx as "...: HTTP <status>: <body>"; only these two mean
            # "this one Safe", everything else (auth, rate limit, outage) fails the request.
            status = error.status or (int(found.group(1)) if (found := _STATUS.search(str(error))) else None)
            if status == 404:
                raise SafeNotFound(str(error)) from None
            if status == 422:
                raise SafeAddressRefused(_service_message(error)) from None
            raise

    def safe(self, address: str) -> dict[str, Any]:
        """`GET /api/v1/safes/{address}/`: owners, threshold, nonce, modules, guard, version."""
        path = f"/api/v1/safes/{checksummed(address)}/"
        body = self._get(path)
        if not isinstance(body, dict):
            raise ApiError(f"safe: GET {path}: expected an object, got {type(body).__name__}")
        return body

    def balances(self, address: str) -> list[dict[str, Any]]:
        """`GET /api/v2/safes/{address}/balances/`, every page: the native coin (`tokenAddress`
        and `token` null) and each ERC-20 token (`token`: name, symbol, decimals, logoUri), each
        `balance` a string in the token's base units. Paged with `limit` / `offset` until `next`
        is null; the next page is asked of the configured service (never the host `next` names,
        so the API key goes nowhere else)."""
        path = f"/api/v2/safes/{checksummed(address)}/balances/"
        listing = self.api.listing(path, "offset")
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            with listing.page():
                # exclude_spam: airdropped junk the service flags would leave every value a
                # lower bound (unpriced) while holding nothing of worth.
                query = {"limit": BALANCES_PAGE_SIZE, "offset": offset, "exclude_spam": "true"}
                body = self._get(path, query)
                page = self.api.expect_list(body, path, "results")
            items.extend(self.objects(page, path))
            if not body.get("next") or not page:
                return items
            offset += len(page)
            listing.follow(str(offset))
