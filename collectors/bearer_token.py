"""An OAuth 2.0 access token as `httpx.Auth`: fetched on first use and again shortly before
it expires, sent as `Authorization: Bearer`.

The grants differ per vendor (Google's JWT-bearer grant, Microsoft's client credentials:
each a subclass's `fetch`); what the token endpoint returns is the same: `access_token` and
`expires_in` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any

import httpx

from collectors.errors import ApiError

# Fetch a new token when the current one has less than this many seconds left.
REFRESH_MARGIN = 120.0


class BearerToken(httpx.Auth):
    """`fetch()` posts to the token endpoint and returns its JSON body (a grant passes it,
    or overrides `fetch`)."""

    def __init__(
        self, source: str, fetch: Callable[[], Any] | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.source = source
        if fetch is not None:
            self.fetch = fetch  # type: ignore[method-assign]
        self.clock = clock
        self._value = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def value(self) -> str:
        with self._lock:
            if not self._value or self.clock() >= self._expires - REFRESH_MARGIN:
                self._value, lifetime = self._parse(self.fetch())
                self._expires = self.clock() + lifetime
            return self._value

    def fetch(self) -> Any:
        raise NotImplementedError

    def headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.value()}"}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers())
        yield request

    def _parse(self, body: Any) -> tuple[str, float]:
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(f"{self.source}: the token endpoint's answer has no access_token")
        lifetime = body.get("expires_in")
        try:
            seconds = float(lifetime) if lifetime is not None else 3600.0
        except (TypeError, ValueError):
            seconds = 3600.0
        return token, seconds
