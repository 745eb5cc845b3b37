"""The Safe Transaction Service over HTTP: Safe's hosted gateway (one base URL per chain under
`https://api.safe.global/tx-service/<EIP-3770 short name>`) or a self-hosted service."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from collectors.http_api import ApiError, Credential, HttpApi, VendorClient
from collectors.request_pacing import RequestPacer

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


def gateway_url(base_url: str, chain: str) -> str:
    return f"{base_url.rstrip('/')}/tx-service/{chain}"


class SafeNotFound(Exception):
    """The service does not know this Safe (404), or refused the address (422: the hosted
    service wants the EIP-55 checksummed form)."""


class SafeClient(VendorClient):
    """Reads one chain's Safes; `api_key` is None for anonymous access."""

    def __init__(
        self,
        base_url: str,
        api_key: Credential | None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        pacer: RequestPacer | None = None,
    ) -> None:
        def headers() -> dict[str, str]:
            auth = {"Authorization": f"Bearer {api_key.value}"} if api_key is not None else {}
            return {"Accept": "application/json", **auth}

        self.api = HttpApi(
            "safe",
            base_url,
            headers=headers,
            credential=api_key,
            sleep=sleep,
            transport=transport,
            pacer=pacer,
        )

    def safe(self, address: str) -> dict[str, Any]:
        """`GET /api/v1/safes/{address}/`: owners, threshold, nonce, modules, guard, version."""
        path = f"/api/v1/safes/{address}/"
        try:
            body = self.api.get_json(path)
        except ApiError as error:
            # HttpApi reports other 4xx as "...: HTTP <status>: <body>"; only these two mean
            # "this one Safe", everything else (auth, rate limit, outage) fails the Run.
            status = _STATUS.search(str(error))
            if status and status.group(1) in ("404", "422"):
                raise SafeNotFound(str(error)) from None
            raise
        if not isinstance(body, dict):
            raise ApiError(f"safe: GET {path}: expected an object, got {type(body).__name__}")
        return body
