"""Reads one configured internal JSON endpoint: its auth header, its paging style, its item list."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx
import jmespath

from collectors.http_api import ApiError, Credential, HeaderAuth, HttpApi, VendorClient
from collectors.internal_http.options import Endpoint

_REFERENCES = {"link": "link", "cursor": "cursor", "page": "page number", "none": "link"}


def source_of(endpoint: Endpoint) -> str:
    """How errors name the endpoint: `internal_http:<name>`."""
    return f"internal_http:{endpoint.name}"


def endpoint_secret(endpoint: Endpoint) -> Credential | None:
    """The credential `auth_env` names (checked set now, read as each request leaves)."""
    if not endpoint.auth_env:
        return None
    source = source_of(endpoint)
    if not os.environ.get(endpoint.auth_env):
        raise ApiError(f"{source}: environment variable {endpoint.auth_env} (auth_env) is not set")
    return Credential(source, "auth_env", endpoint.auth_env)


def endpoint_auth(secret: Credential | None, endpoint: Endpoint) -> HeaderAuth | None:
    """The configured header carrying the variable's whole value; none without `auth_env`."""
    return None if secret is None else HeaderAuth(secret, header=endpoint.auth_header)


class EndpointClient(VendorClient):
    """Pages of items from one endpoint; every answer must be JSON with the list where
    `items` says, or collection stops with an error naming the endpoint."""

    def __init__(self, endpoint: Endpoint, api: HttpApi) -> None:
        self.endpoint = endpoint
        self.source = source_of(endpoint)
        self.api = api

    def _items(self, body: Any, url: str) -> list[Any]:
        found = jmespath.search(self.endpoint.items, body) if self.endpoint.items else body
        if not isinstance(found, list):
            where = f" at {self.endpoint.items!r}" if self.endpoint.items else ""
            path = httpx.URL(url).raw_path.decode("ascii", "replace")
            raise ApiError(f"{self.source}: GET {path}: expected a list{where}, got {type(found).__name__}")
        return found

    def pages(self) -> Iterator[list[Any]]:
        endpoint = self.endpoint
        url: str | None = endpoint.url
        listing = self.api.listing(httpx.URL(endpoint.url).path, _REFERENCES[endpoint.paging])
        query: dict[str, Any] = {}
        if endpoint.paging == "page":
            assert endpoint.page_param and endpoint.size_param and endpoint.page_size
            page = endpoint.first_page
            query = {endpoint.page_param: page, endpoint.size_param: endpoint.page_size}
        while url:
            with listing.page():
                response, body = self.api.request_json("GET", url, params=query or None)
                batch = self._items(body, str(response.request.url))
            yield batch
            if endpoint.paging == "link":
                following = response.links.get("next", {}).get("url")
                url, query = (urljoin(str(response.request.url), following), {}) if following else (None, {})
                if url:
                    listing.follow(url)
            elif endpoint.paging == "cursor":
                assert endpoint.cursor_field and endpoint.cursor_param
                cursor = jmespath.search(endpoint.cursor_field, body) if isinstance(body, dict) else None
                if cursor in (None, ""):
                    return
                listing.follow(str(cursor))
                query = {endpoint.cursor_param: cursor}
            elif endpoint.paging == "page":
                assert endpoint.page_param and endpoint.page_size
                if len(batch) < endpoint.page_size:
                    return
                page += 1
                listing.follow(str(page))
                query = {**query, endpoint.page_param: page}
            else:
                return
