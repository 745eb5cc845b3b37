"""The HTTP client every SaaS collector uses: httpx with timeouts, bounded retries with
backoff and jitter for 5xx and transport errors, 429 handling from the vendor's headers,
clear errors for bad credentials and malformed bodies, and bounded paging.

Only this module and the collectors' own client modules talk HTTP; mappers stay pure.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urljoin

import httpx

from vaultward.redaction import redact

RETRYABLE = frozenset({500, 502, 503, 504})
# Seconds to wait at most for one rate-limit reset; a longer wait fails the Run instead.
MAX_RATE_LIMIT_WAIT = 120.0


class ApiError(Exception):
    """A source answered in a way collection cannot go on from; the message names the
    source, the request and (for credentials) the environment variable, never its value.
    `status` is the HTTP status that refused the request, when one did (a collector may
    treat one endpoint's 403 or 404 as a gap rather than a failure)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Credential:
    """A secret read from the environment variable the configuration names."""

    source: str
    field: str  # e.g. "token"
    variable: str

    @property
    def value(self) -> str:
        value = os.environ.get(self.variable)
        if not value:
            raise ApiError(
                f"{self.source}: environment variable {self.variable} "
                f"(credentials_env.{self.field}) is not set"
            )
        return value


def credential(source: str, credentials_env: Mapping[str, str], field: str, default: str) -> Credential:
    return Credential(source, field, credentials_env.get(field, default))


def _wait_from_headers(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait before retrying, from `Retry-After` (seconds or an HTTP date) or a
    reset time (`X-Rate-Limit-Reset` / `X-RateLimit-Reset`: epoch seconds)."""
    retry_after = headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for name in ("x-rate-limit-reset", "x-ratelimit-reset"):
        reset = headers.get(name)
        if reset and reset.strip().replace(".", "", 1).isdigit():
            value = float(reset)
            # Epoch seconds, or (some vendors) seconds until reset.
            return max(0.0, value - now) if value > 1_000_000_000 else value
    return None


class HttpApi:
    """One vendor API: base URL, auth headers, retries, paging."""

    def __init__(
        self,
        source: str,
        base_url: str,
        headers: Callable[[], Mapping[str, str]],
        credential: Credential | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff: float = 0.5,
        max_pages: int = 10_000,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_limited: Callable[[httpx.Response], bool] | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = headers
        self.credential = credential
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_pages = max_pages
        self.sleep = sleep
        # Vendors that signal rate limits with another status (Google: 403 with reason
        # `userRateLimitExceeded`) say so here; such answers are retried like a 429.
        self.rate_limited = rate_limited
        self.requests = 0
        self.client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url, path.lstrip("/"))

    def _describe(self, method: str, url: str) -> str:
        path = httpx.URL(url).raw_path.decode("ascii", "replace")
        return f"{self.source}: {method} {path}"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with retries: 429 waits as the vendor's headers say, 5xx and transport errors
        back off exponentially with jitter; both are bounded by `max_attempts`."""
        url = self.url(path)
        what = self._describe(method, url)
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.client.request(method, url, headers=dict(self.headers()), **kwargs)
            except httpx.TransportError as error:
                if attempt == self.max_attempts:
                    raise ApiError(redact(f"{what} failed after {attempt} attempts: {error!r}")) from None
                self.sleep(self._backoff(attempt))
                continue
            finally:
                self.requests += 1
            if response.status_code == 429 or (self.rate_limited is not None and self.rate_limited(response)):
                wait = _wait_from_headers(response.headers, time.time())
                if attempt == self.max_attempts or (wait is not None and wait > MAX_RATE_LIMIT_WAIT):
                    raise ApiError(f"{what}: rate limited ({response.status_code}) after {attempt} attempts")
                self.sleep(wait if wait is not None else self._backoff(attempt))
                continue
            if response.status_code in RETRYABLE:
                if attempt == self.max_attempts:
                    raise ApiError(f"{what}: HTTP {response.status_code} after {attempt} attempts")
                self.sleep(self._backoff(attempt))
                continue
            if response.status_code in (401, 403):
                variable = f" (check the credential in {self.credential.variable})" if self.credential else ""
                raise ApiError(
                    f"{what}: HTTP {response.status_code}, credentials refused{variable}",
                    response.status_code,
                )
            if response.status_code >= 400:
                raise ApiError(
                    f"{what}: HTTP {response.status_code}: {redact(response.text[:300])}",
                    response.status_code,
                )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311 - jitter

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            what = self._describe(response.request.method, str(response.request.url))
            raise ApiError(f"{what}: malformed JSON in the response: {error}") from None

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.json(self.request("GET", path, params=params))

    def _expect_list(self, body: Any, path: str, field: str | None) -> list[Any]:
        items = body.get(field) if field is not None and isinstance(body, dict) else body
        if items is None and field is not None and isinstance(body, dict):
            items = []
        if not isinstance(items, list):
            where = f" field {field!r}" if field else ""
            raise ApiError(f"{self.source}: GET {path}: expected a list{where}, got {type(items).__name__}")
        return items

    def _guard(self, seen: set[str], next_ref: str, path: str) -> None:
        if next_ref in seen:
            raise ApiError(
                f"{self.source}: GET {path}: the next page repeats an earlier one ({next_ref[:120]})"
            )
        if len(seen) >= self.max_pages:
            raise ApiError(f"{self.source}: GET {path}: more than {self.max_pages} pages")
        seen.add(next_ref)

    def pages_by_link(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Any]]:
        """Pages that point to the next one with `Link: <url>; rel="next"` (Okta)."""
        url: str | None = self.url(path)
        seen: set[str] = set()
        query: Mapping[str, Any] | None = params
        while url:
            response = self.request("GET", url, params=query)
            yield self._expect_list(self.json(response), path, None)
            following = response.links.get("next", {}).get("url")
            url, query = (self.url(following), None) if following else (None, None)
            if url:
                self._guard(seen, url, path)

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
        seen: set[str] = set()
        while True:
            body = self.get_json(path, query)
            yield self._expect_list(body, path, items)
            token = body.get(token_field) if isinstance(body, dict) else None
            if not token:
                return
            self._guard(seen, str(token), path)
            query[token_param] = token

    def pages_by_next_url(
        self, path: str, items: str, next_field: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[list[Any]]:
        """Pages whose body carries the next page's full URL (Graph `@odata.nextLink`)."""
        url, query, seen = path, dict(params or {}), set[str]()
        while True:
            body = self.get_json(url, query or None)
            yield self._expect_list(body, path, items)
            following = body.get(next_field) if isinstance(body, dict) else None
            if not following:
                return
            self._guard(seen, str(following), path)
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
        for page in range(1, self.max_pages + 1):
            body = self.get_json(path, {**(params or {}), page_param: page, size_param: size})
            batch = self._expect_list(body, path, items)
            yield batch
            if len(batch) < size:
                return
        raise ApiError(f"{self.source}: GET {path}: more than {self.max_pages} pages")


def bearer_headers(token: Credential) -> Callable[[], dict[str, str]]:
    """`Authorization: Bearer <token>` read at request time (never stored on the client)."""
    return lambda: {"Authorization": f"Bearer {token.value}", "Accept": "application/json"}


class VendorClient:
    """Base of every vendor's client: owns one `HttpApi`, closes it, checks list items."""

    api: HttpApi

    def close(self) -> None:
        self.api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def objects(self, items: list[Any], path: str) -> Iterator[dict[str, Any]]:
        """The items of a list, each of which must be a JSON object."""
        for item in items:
            if not isinstance(item, dict):
                raise ApiError(
                    f"{self.api.source}: GET {path}: expected objects in the list, got {type(item).__name__}"
                )
            yield item
