"""Bounded paging for the SaaS HTTP client: `Listing` counts a listing's pages, stops at a
repeated next-page reference or at `max_pages`, and turns a failure after the first page into
`IncompleteListing`; `PagedRequests` gives `HttpApi` the vendors' paging styles (a `Link`
header, a token or a next URL in the body, numbered pages)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from collectors.errors import ApiError
from vaultward.contract.sdk import IncompleteListing


class Listing:
    """Bounds one paginated listing: counts its pages, stops at `max_pages` or at a next
    link / cursor that repeats an earlier page, and turns a failure after the first page
    into `IncompleteListing` (what was read stands; the Run is partial)."""

    def __init__(self, source: str, path: str, max_pages: int, reference: str = "link") -> None:
        self.what = f"{source}: GET {path}"
        self.max_pages = max_pages
        self.reference = reference  # what points to the next page: "link", "cursor", "page number"
        self.pages = 0
        self.seen: dict[str, int] = {}  # next-page reference -> the page number it was

    def first(self, reference: str) -> None:
        """Remember the first page's own reference, so a next link back to it is caught."""
        self.seen[reference] = 1

    @contextmanager
    def page(self) -> Iterator[None]:
        """Around fetching the next page: a failure after the first one leaves the listing
        incomplete."""
        self.pages += 1
        try:
            yield
        except ApiError as error:
            if self.pages == 1:
                raise
            raise IncompleteListing(f"{error} (page {self.pages}; the listing is incomplete)") from None

    def follow(self, reference: str) -> None:
        """Before fetching the page `reference` points to."""
        if reference in self.seen:
            raise IncompleteListing(
                f"{self.what}: next {self.reference} repeats page {self.seen[reference]} "
                f"({reference[:120]}); the listing is incomplete"
            )
        if self.pages >= self.max_pages:
            raise IncompleteListing(
                f"{self.what}: pagination did not end after {self.max_pages} pages; the listing is incomplete"
            )
        self.seen[reference] = self.pages + 1


class PagedRequests:
    """The paging styles vendors use, over `HttpApi`'s `get_json` / `request_json`."""

    source: str
    max_pages: int

    def url(self, path: str) -> str:
        raise NotImplementedError

    def request_json(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        raise NotImplementedError

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request_json("GET", path, params=params)[1]

    def expect_list(self, body: Any, path: str, field: str | None) -> list[Any]:
        items = body.get(field) if field is not None and isinstance(body, dict) else body
        if items is None and field is not None and isinstance(body, dict):
            items = []
        if not isinstance(items, list):
            where = f" field {field!r}" if field else ""
            raise ApiError(f"{self.source}: GET {path}: expected a list{where}, got {type(items).__name__}")
        return items

    def listing(self, path: str, reference: str = "link") -> Listing:
        """The bounds of one paginated listing of `path` (for a vendor's own paging loop)."""
        return Listing(self.source, path, self.max_pages, reference)

    def pages_by_link(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Any]]:
        """Pages that point to the next one with `Link: <url>; rel="next"` (Okta)."""
        url: str | None = self.url(path)
        listing = self.listing(path)
        listing.first(str(httpx.URL(self.url(path), params=params)))
        query: Mapping[str, Any] | None = params
        while url:
            with listing.page():
                response, body = self.request_json("GET", url, params=query)
                batch = self.expect_list(body, path, None)
            yield batch
            following = response.links.get("next", {}).get("url")
            url, query = (self.url(following), None) if following else (None, None)
            if url:
                listing.follow(url)

    def pages_by_token(
        self,
        path: str,
        items: str,
        token_field: str,
        token_param: str,
        params: Mapping[str, Any] | None = None,
    ) -> Iterator[list[Any]]:
        """Pages whose body carries the next page's token (Google `nextPageToken`)."""
        query = dict(params or {})
        listing = self.listing(path, "cursor")
        while True:
            with listing.page():
                body = self.get_json(path, query)
                batch = self.expect_list(body, path, items)
            yield batch
            token = body.get(token_field) if isinstance(body, dict) else None
            if not token:
                return
            listing.follow(str(token))
            query[token_param] = token

    def pages_by_next_url(
        self, path: str, items: str, next_field: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[list[Any]]:
        """Pages whose body carries the next page's full URL (Graph `@odata.nextLink`)."""
        url, query, listing = path, dict(params or {}), self.listing(path)
        listing.first(str(httpx.URL(self.url(path), params=params)))
        while True:
            with listing.page():
                body = self.get_json(url, query or None)
                batch = self.expect_list(body, path, items)
            yield batch
            following = body.get(next_field) if isinstance(body, dict) else None
            if not following:
                return
            listing.follow(str(following))
            url, query = str(following), {}

    def pages_by_number(
        self,
        path: str,
        page_param: str = "page",
        size_param: str = "per_page",
        size: int = 500,
        items: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Iterator[list[Any]]:
        """Numbered pages until one comes back short (KnowBe4 `page` / `per_page`)."""
        listing = self.listing(path, "page number")
        page = 1
        while True:
            with listing.page():
                body = self.get_json(path, {**(params or {}), page_param: page, size_param: size})
                batch = self.expect_list(body, path, items)
            yield batch
            if len(batch) < size:
                return
            page += 1
            listing.follow(str(page))
