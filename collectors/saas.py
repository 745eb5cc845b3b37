"""The base of every SaaS collector: the test seams (`sleep`, `clock`, `transport`), the
source's pacer, and the `HttpApi` clients a vendor client composes, made with them; and the
URL option types, validated as pydantic `HttpUrl`s."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import AfterValidator

from collectors.auth import Credential
from collectors.http_api import HttpApi
from collectors.request_pacing import RequestPacer, source_pacer
from vaultward.config.bounded import NOT_A_URL, url_problem
from vaultward.config.settings import Settings
from vaultward.contract.sdk import Collector


def http_url(what: str = "a URL", example: str | None = None, trim: bool = True) -> AfterValidator:
    """Validates a URL option as pydantic's `HttpUrl` (scheme http or https, a host; bounded,
    no user or password: `vaultward.config.bounded.url_problem`), for
    `Annotated[str, http_url(...)]`. The value is kept as written (HttpUrl's normal form adds
    a "/" that would change an endpoint's path); `trim`, for an API's root: blanks and a
    trailing "/" dropped."""
    message = f"expected {what} starting with https://" + (f', like "{example}"' if example else "")

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        if trim:
            value = value.strip().rstrip("/")
        problem = url_problem(value)
        if problem == NOT_A_URL:
            raise ValueError(message)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


_ENDPOINT_PACERS_LOCK = threading.Lock()


class SaasCollector(Collector):
    """A collector that reads a vendor's HTTP API. Tests replace `sleep` and `clock` (waits
    made instant, pacing made testable) and `transport` (short timeouts, an in-process app)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.sleep: Callable[[float], None] = time.sleep
        self.clock: Callable[[], float] = time.time
        self.transport: httpx.BaseTransport | None = None
        self._endpoint_pacers: dict[str, RequestPacer] = {}

    def endpoint_pacer(self, endpoint: str, per_minute: int) -> RequestPacer:
        """The pace of an endpoint the vendor limits apart from the rest (Okta's System Log,
        Graph's audit logs), shared by this collector's threads; off when the source's steady
        pace is."""
        with _ENDPOINT_PACERS_LOCK:
            pacer = self._endpoint_pacers.get(endpoint)
            if pacer is None:
                rate = None if self.source.rate_limit_per_minute == 0 else per_minute
                pacer = self._endpoint_pacers[endpoint] = RequestPacer(rate, f"{self.name} {endpoint}")
            return pacer

    def http(
        self,
        source: str,
        url: str,
        auth: httpx.Auth | None = None,
        credential: Credential | None = None,
        paced: bool = True,
        pacer: RequestPacer | None = None,
        **options: Any,
    ) -> HttpApi:
        """An `HttpApi` with this collector's seams; `paced` ones share the source's pacer (a
        token endpoint is not paced with the API it opens), or use `pacer` (an endpoint the
        vendor limits apart from the rest of its API)."""
        return HttpApi(
            source,
            url,
            auth=auth,
            credential=credential,
            sleep=self.sleep,
            clock=self.clock,
            transport=self.transport,
            pacer=pacer or (source_pacer(self) if paced else None),
            **options,
        )
