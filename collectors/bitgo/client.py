"""The BitGo API v2 over HTTP: bearer access token, wallets per coin paged with
`limit` / `prevId` (the body's `nextBatchPrevId`), pending approvals per coin."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from collectors.http_api import ApiError, Credential, HttpApi, VendorClient, bearer_headers
from collectors.request_pacing import RequestPacer

BASE_URL = "https://app.bitgo.com"
MAX_PAGE_SIZE = 500  # BitGo's list endpoints cap `limit` at 500 (default 25)


class BitGoClient(VendorClient):
    """Read-only calls the collector needs."""

    def __init__(
        self,
        base_url: str,
        token: Credential,
        page_size: int = MAX_PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        pacer: RequestPacer | None = None,
    ) -> None:
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.api = HttpApi(
            "bitgo",
            base_url,
            headers=bearer_headers(token),
            credential=token,
            sleep=sleep,
            transport=transport,
            pacer=pacer,
        )

    def wallets(self, coin: str, enterprise: str | None = None) -> Iterator[dict[str, Any]]:
        """`GET /api/v2/{coin}/wallet`, every page, with `allTokens` (each wallet's token
        balances beside its own `balanceString`)."""
        path = f"/api/v2/{coin}/wallet"
        params: dict[str, Any] = {"limit": self.page_size, "allTokens": "true"}
        if enterprise:
            params["enterprise"] = enterprise
        for page in self.api.pages_by_token(path, "wallets", "nextBatchPrevId", "prevId", params):
            yield from self.objects(page, path)

    def pending_approvals(self, coin: str, enterprise: str | None = None) -> Iterator[dict[str, Any]]:
        """`GET /api/v2/{coin}/pendingapprovals`: approvals waiting on the coin's wallets."""
        path = f"/api/v2/{coin}/pendingapprovals"
        params = {"enterprise": enterprise} if enterprise else None
        body = self.api.get_json(path, params)
        items = body.get("pendingApprovals", []) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ApiError(f"bitgo: GET {path}: expected a list field 'pendingApprovals'")
        yield from self.objects(items, path)
