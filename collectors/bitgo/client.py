"""The BitGo API v2 over HTTP: bearer access token, wallets per coin and pending approvals
across coins, both paged with `limit` / `prevId` (the body's `nextBatchPrevId`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.http_api import ApiError, HttpApi, VendorClient

BASE_URL = "https://app.bitgo.com"
MAX_PAGE_SIZE = 500  # BitGo's list endpoints cap `limit` at 500 (default 25)
# The current reference lists pending approvals across coins; the per-coin
# `/api/v2/{coin}/pendingapprovals` it replaces is no longer in it.
PENDING_APPROVALS_PATH = "/api/v2/pendingapprovals"


class BitGoClient(VendorClient):
    """Read-only calls the collector needs."""

    def __init__(self, api: HttpApi, page_size: int = MAX_PAGE_SIZE) -> None:
        self.api = api  # bearer access token
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def wallets(self, coin: str, enterprise: str | None = None) -> Iterator[dict[str, Any]]:
        """`GET /api/v2/{coin}/wallet`, every page, with `allTokens` (each wallet's token
        balances beside its own `balanceString`)."""
        path = f"/api/v2/{coin}/wallet"
        params: dict[str, Any] = {"limit": self.page_size, "allTokens": "true"}
        if enterprise:
            params["enterprise"] = enterprise
        for page in self.api.pages_by_token(path, "wallets", "nextBatchPrevId", "prevId", params):
            yield from self.objects(page, path)

    def pending_approvals(self, coins: list[str], enterprise: str | None = None) -> Iterator[dict[str, Any]]:
        """`GET /api/v2/pendingapprovals` (List pending approvals, v2.approval.list): the
        approvals waiting on the token user's wallets of `coins` and their tokens
        (`allTokens`), in the default states (pending, awaitingSignature,
        pendingFinalApproval); paged with `limit` / `prevId` (the body's `nextBatchPrevId`)."""
        path = PENDING_APPROVALS_PATH
        query: dict[str, Any] = {"coin": list(coins), "allTokens": "true", "limit": self.page_size}
        if enterprise:
            query["enterpriseId"] = enterprise
        listing = self.api.listing(path, "cursor")
        while True:
            with listing.page():
                body = self.api.get_json(path, query)
                items = body.get("pendingApprovals") if isinstance(body, dict) else None
                if not isinstance(items, list):
                    raise ApiError(f"bitgo: GET {path}: expected a list field 'pendingApprovals'")
            yield from self.objects(items, path)
            token = body.get("nextBatchPrevId")
            if not token:
                return
            listing.follow(str(token))
            query["prevId"] = token
