"""The HTTP client every SaaS collector uses: httpx with timeouts, requests paced to the
vendor's rate limit (`RequestPacer`), bounded retries with backoff and jitter for 5xx,
transport errors and malformed bodies (a 200 whose body is not the JSON the endpoint
documents: truncated, empty, or a proxy's HTML page), 429 handling from the vendor's headers
(the safety net under the pace), clear errors for bad credentials and oversized bodies (not
retried), and bounded paging (a page that fails after the first one, retries spent, leaves
the listing incomplete: the Run is partial).

Only this module and the collectors' own client modules talk HTTP; mappers stay pure. JSON
is decoded here only (`request_json`, `get_json`, the paging helpers), inside the retry loop.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urljoin

import httpx

from collectors.request_pacing import RequestPacer
from vaultward.contract.redaction import redact
from vaultward.contract.sdk import IncompleteListing

log = logging.getLogger(__name__)
RETRYABLE = frozenset({500, 502, 503, 504})
# Seconds to wait at most for one rate-limit reset; a longer wait fails the Run instead.
MAX_RATE_LIMIT_WAIT = 120.0
# No vendor page comes near this; a body this large is a broken or hostile server.
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 10_000


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


class ResponseTooLarge(ApiError):
    """The body passed `max_response_bytes`; not retried (the next answer would be the same)."""


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
        max_pages: int = MAX_PAGES,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_limited: Callable[[httpx.Response], bool] | None = None,
        pacer: RequestPacer | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = headers
        self.credential = credential
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_pages = max_pages
        self.max_response_bytes = max_response_bytes
        self.sleep = sleep
        # Vendors that signal rate limits with another status (Google: 403 with reason
        # `userRateLimitExceeded`) say so here; such answers are retried like a 429.
        self.rate_limited = rate_limited
        # Shared by the source's threads (`source_pacer`); without one, this client still
        # obeys the vendor's remaining / reset headers on its own.
        self.pacer = pacer or RequestPacer(None, source)
        self.clock = clock
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
        """Send with retries, the body taken as it is (an endpoint that does not answer JSON)."""
        return self._exchange(method, path, False, kwargs)[0]

    def request_json(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        """Send with retries and decode the JSON body; a body that does not decode is retried
        like a 5xx, from the same attempts. Returns the response (links, URL) and the body."""
        return self._exchange(method, path, True, kwargs)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request_json("GET", path, params=params)[1]

    def _exchange(
        self, method: str, path: str, decode: bool, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
        """The retry loop: 429 waits as the vendor's headers say; 5xx, transport errors and
        (when `decode`) malformed JSON back off exponentially with jitter; all of them share
        `max_attempts`."""
        url = self.url(path)
        what = self._describe(method, url)
        for attempt in range(1, self.max_attempts + 1):
            self.pacer.acquire(self.sleep, self.clock)
            try:
                response = self._send(method, url, what, **kwargs)
            except httpx.TransportError as error:
                if attempt == self.max_attempts:
                    raise ApiError(redact(f"{what} failed after {attempt} attempts: {error!r}")) from None
                self._retry(what, attempt, f"{type(error).__name__}", self._backoff(attempt))
                continue
            finally:
                self.requests += 1
            if response.status_code == 429 or (self.rate_limited is not None and self.rate_limited(response)):
                wait = _wait_from_headers(response.headers, time.time())
                if wait is not None and wait > MAX_RATE_LIMIT_WAIT:
                    raise ApiError(
                        f"{what}: rate limited ({response.status_code}); the server asks to wait "
                        f"{wait:.0f}s, longer than {MAX_RATE_LIMIT_WAIT:.0f}s"
                    )
                if attempt == self.max_attempts:
                    raise ApiError(f"{what}: rate limited ({response.status_code}) after {attempt} attempts")
                self._retry(
                    what,
                    attempt,
                    f"rate limited ({response.status_code})",
                    wait if wait is not None else self._backoff(attempt),
                )
                continue
            if response.status_code in RETRYABLE:
                if attempt == self.max_attempts:
                    raise ApiError(f"{what}: HTTP {response.status_code} after {attempt} attempts")
                self._retry(what, attempt, f"HTTP {response.status_code}", self._backoff(attempt))
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
            self.pacer.observe(response, self.clock)
            if not decode:
                return response, None
            try:
                return response, response.json()
            except ValueError as error:
                # Truncated, empty, or a proxy's / CDN's HTML page: as transient as a 5xx. The
                # decoder judges, not Content-Type (JSON labelled text/plain still reads). Named
                # with its query (which page), type, size and the decoder's position; never content.
                sent = self._describe(method, str(response.request.url))
                shape = f"{self._content_type(response)}, {len(response.content)} bytes"
                if not response.is_success:  # a redirect (never followed): the next answer is the same
                    raise ApiError(
                        f"{sent}: HTTP {response.status_code}, malformed JSON in the response ({shape}): {error}",
                        response.status_code,
                    ) from None
                if attempt == self.max_attempts:
                    raise ApiError(
                        f"{sent}: malformed JSON in the response ({shape}) after {attempt} attempts: {error}"
                    ) from None
                self._retry(sent, attempt, f"malformed body ({shape}): {error}", self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _content_type(response: httpx.Response) -> str:
        return (
            response.headers.get("content-type", "no Content-Type").split(";")[0].strip() or "no Content-Type"
        )

    def _retry(self, what: str, attempt: int, reason: str, wait: float) -> None:
        log.warning("%s: %s; retry %d of %d in %.1fs", what, reason, attempt, self.max_attempts - 1, wait)
        self.sleep(wait)

    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """One request, its body read up to `max_response_bytes` (streamed, so an endless or
        huge body is cut off rather than held in memory)."""
        request = self.client.build_request(method, url, headers=dict(self.headers()), **kwargs)
        response = self.client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise ResponseTooLarge(self._too_large(what, response.status_code))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_response_bytes:
                    raise ResponseTooLarge(self._too_large(what, response.status_code))
        finally:
            response.close()
        # The body is decoded already: the new response must not decode it again.
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
        return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)

    def _too_large(self, what: str, status: int) -> str:
        return f"{what}: response larger than {self.max_response_bytes} bytes (HTTP {status})"

    def _backoff(self, attempt: int) -> float:
        return self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311 - jitter

    def _expect_list(self, body: Any, path: str, field: str | None) -> list[Any]:
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
                batch = self._expect_list(body, path, None)
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
                batch = self._expect_list(body, path, items)
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
                batch = self._expect_list(body, path, items)
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
                batch = self._expect_list(body, path, items)
            yield batch
            if len(batch) < size:
                return
            page += 1
            listing.follow(str(page))


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
