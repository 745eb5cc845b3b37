"""The HTTP client every SaaS collector uses: httpx with timeouts and an `httpx.Auth` per
scheme, requests paced to the vendor's rate limit (`RequestPacer`), tenacity retries with the
shared wait (`vaultward.contract.retry`: backoff with jitter, or what the vendor's 429 headers
ask) for 429, 5xx, transport errors and malformed bodies (a 200 whose body is not the JSON the
endpoint documents: truncated, empty, or a proxy's HTML page), clear errors for bad
credentials and oversized bodies (not retried), and bounded paging (`collectors.paging`).

Only this module and the collectors' own client modules talk HTTP; mappers stay pure. JSON
is decoded here only (`request_json`, `get_json`, the paging helpers), inside the retry loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self
from urllib.parse import urljoin

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from collectors.auth import Credential, HeaderAuth, bearer, credential
from collectors.errors import ApiError, ResponseTooLarge
from collectors.paging import Listing, PagedRequests
from collectors.request_pacing import RequestPacer
from vaultward.contract.redaction import redact
from vaultward.contract.retry import backoff_or_server_wait, server_wait

__all__ = [
    "ApiError",
    "Credential",
    "HeaderAuth",
    "HttpApi",
    "Listing",
    "ResponseTooLarge",
    "VendorClient",
    "bearer",
    "credential",
]

log = logging.getLogger(__name__)
RETRYABLE = frozenset({500, 502, 503, 504})
# Seconds to wait at most for one rate-limit reset; a longer wait fails the Run instead.
MAX_RATE_LIMIT_WAIT = 120.0
# No vendor page comes near this; a body this large is a broken or hostile server.
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 10_000
ACCEPT_JSON = {"Accept": "application/json"}


class Retryable(ApiError):
    """One failed attempt worth another: `reason` for the retry log line; `retry_after`, the
    seconds the server asked; the message once the attempts are spent is `head` + " after N
    attempts" + `tail`."""

    def __init__(
        self, what: str, reason: str, head: str, tail: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(head + tail)
        self.what, self.reason, self.head, self.tail = what, reason, head, tail
        self.retry_after = retry_after

    def spent(self, attempts: int) -> ApiError:
        return ApiError(f"{self.head} after {attempts} attempts{self.tail}")


class HttpApi(PagedRequests):
    """One vendor API: base URL, auth, retries, paging."""

    def __init__(
        self,
        source: str,
        base_url: str,
        auth: httpx.Auth | None = None,
        credential: Credential | None = None,
        headers: Mapping[str, str] = ACCEPT_JSON,
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
        self.credential = credential
        self.max_attempts = max_attempts
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
        self.wait = backoff_or_server_wait(backoff, MAX_RATE_LIMIT_WAIT)
        self.client = httpx.Client(
            auth=auth, headers=dict(headers), timeout=timeout, transport=transport, follow_redirects=False
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
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

    def _exchange(
        self, method: str, path: str, decode: bool, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
        """Attempts under tenacity: each `Retryable` waits as `self.wait` says (the vendor's
        429 headers, else backoff); every kind of failure shares `max_attempts`."""
        url = self.url(path)
        retrying = Retrying(
            retry=retry_if_exception_type(Retryable),
            stop=stop_after_attempt(self.max_attempts),
            wait=self.wait,
            before_sleep=self._before_sleep,
            sleep=lambda _seconds: None,  # `_retry` sleeps, through the client's own `sleep`
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, url, decode, kwargs)
        except Retryable as spent:
            raise spent.spent(self.max_attempts) from None

    def _attempt(
        self, method: str, url: str, decode: bool, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
        what = self._describe(method, url)
        self.pacer.acquire(self.sleep, self.clock)
        try:
            response = self._send(method, url, what, **kwargs)
        except httpx.TransportError as error:
            name = type(error).__name__
            raise Retryable(what, name, redact(what + " failed"), redact(f": {error!r}")) from None
        finally:
            self.requests += 1
        status = response.status_code
        if status == 429 or (self.rate_limited is not None and self.rate_limited(response)):
            wait = server_wait(response.headers)
            if wait is not None and wait > MAX_RATE_LIMIT_WAIT:
                raise ApiError(
                    f"{what}: rate limited ({status}); the server asks to wait "
                    f"{wait:.0f}s, longer than {MAX_RATE_LIMIT_WAIT:.0f}s"
                )
            raise Retryable(
                what, f"rate limited ({status})", f"{what}: rate limited ({status})", retry_after=wait
            )
        if status in RETRYABLE:
            raise Retryable(what, f"HTTP {status}", f"{what}: HTTP {status}")
        if status in (401, 403):
            variable = f" (check the credential in {self.credential.variable})" if self.credential else ""
            detail = redact(response.text[:1000])
            raise ApiError(f"{what}: HTTP {status}, credentials refused{variable}", status, detail)
        if status >= 400:
            raise ApiError(f"{what}: HTTP {status}: {redact(response.text[:300])}", status)
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
                    f"{sent}: HTTP {status}, malformed JSON in the response ({shape}): {error}", status
                ) from None
            raise Retryable(
                sent,
                f"malformed body ({shape}): {error}",
                f"{sent}: malformed JSON in the response ({shape})",
                f": {error}",
            ) from None

    def _before_sleep(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        assert isinstance(error, Retryable) and state.next_action is not None
        self._retry(error.what, state.attempt_number, error.reason, state.next_action.sleep)

    def _retry(self, what: str, attempt: int, reason: str, wait: float) -> None:
        log.warning("%s: %s; retry %d of %d in %.1fs", what, reason, attempt, self.max_attempts - 1, wait)
        self.sleep(wait)

    @staticmethod
    def _content_type(response: httpx.Response) -> str:
        return (
            response.headers.get("content-type", "no Content-Type").split(";")[0].strip() or "no Content-Type"
        )

    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """One request, its body read up to `max_response_bytes` (streamed, so an endless or
        huge body is cut off rather than held in memory)."""
        request = self.client.build_request(method, url, **kwargs)
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
        return httpx.Response(
            response.status_code, headers=headers, content=bytes(body), request=response.request
        )

    def _too_large(self, what: str, status: int) -> str:
        return f"{what}: response larger than {self.max_response_bytes} bytes (HTTP {status})"

    def listing(self, path: str, reference: str = "link") -> Listing:
        """The bounds of one paginated listing of `path` (for a vendor's own paging loop)."""
        return Listing(self.source, path, self.max_pages, reference)


class VendorClient:
    """Base of every vendor's client: composes one `HttpApi` (and any other it opened, such
    as a token endpoint's), closes them, checks list items."""

    api: HttpApi
    others: tuple[HttpApi, ...] = ()

    def close(self) -> None:
        for api in (self.api, *self.others):
            api.close()

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
