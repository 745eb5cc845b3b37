"""An OAuth 2.0 access token as `httpx.Auth`: fetched on first use and again shortly before
it expires, sent as `Authorization: Bearer`.

The grants differ per vendor (Google's JWT-bearer grant: a subclass's `fetch`); the
client-credentials grant (RFC 6749 section 4.4) that CrowdStrike, Jamf Pro and the Microsoft
identity platform each document is `ClientCredentialsGrant`, its vendor's token path, form
fields and hint passed in. What the token endpoint returns is the same: `access_token` and
`expires_in` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from collectors.auth import Credential, credential
from collectors.errors import ApiError

if TYPE_CHECKING:
    from collectors.http_api import HttpApi
    from collectors.saas import SaasCollector

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


class ClientCredentialsGrant(BearerToken):
    """An API client's id and secret posted as form fields (with the vendor's `fields`, such as
    `grant_type` and `scope`) to `path` at `token_api` for an access token, fetched again before
    it expires: a listing can take longer than one token lives, and a lifetime can be as short
    as a minute (Jamf Pro), so the margin is a quarter of the lifetime when that is less than
    `REFRESH_MARGIN`. A request answered 401 is sent once more with a new token. A refused
    exchange says what to check (`hint`, naming the variables as `{client_id}` and
    `{client_secret}`), never their values."""

    def __init__(
        self,
        token_api: HttpApi,
        client_id: Credential,
        client_secret: Credential,
        *,
        path: str,
        fields: Mapping[str, str] | None = None,
        hint: str = "check the API client in {client_id} and its secret in {client_secret}",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(token_api.source, clock=clock)
        self.token_api = token_api
        self.client_id = client_id
        self.client_secret = client_secret
        self.path = path
        self.fields = dict(fields or {})
        self.hint = hint
        self._refresh_at = 0.0

    def value(self) -> str:
        with self._lock:
            if not self._value or self.clock() >= self._refresh_at:
                self._value, lifetime = self._parse(self.fetch())
                self._refresh_at = self.clock() + lifetime - min(REFRESH_MARGIN, lifetime / 4)
            return self._value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The cached token; on a 401 (a token revoked, or expired before its `expires_in`) one
        new token and one more try: a second 401 is the vendor's answer, refused credentials."""
        sent = self.value()
        request.headers["Authorization"] = f"Bearer {sent}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self._renewed(sent)}"
            yield request

    def _renewed(self, refused: str) -> str:
        with self._lock:
            if self._value == refused:  # another thread may have renewed it already
                self._value = ""
        return self.value()

    def fetch(self) -> Any:
        form = {"client_id": self.client_id.value, "client_secret": self.client_secret.value, **self.fields}
        try:
            _, body = self.token_api.request_json("POST", self.path, data=form)
        except ApiError as error:
            message = str(error)
            if self.client_secret.variable not in message:
                hint = self.hint.format(
                    client_id=self.client_id.variable, client_secret=self.client_secret.variable
                )
                message += f" ({hint})"
            raise ApiError(message, error.status) from None
        return body


def client_credentials_apis(
    collector: SaasCollector,
    api_url: str,
    token_url: str,
    grant: Callable[[HttpApi, Credential, Credential], httpx.Auth],
) -> tuple[HttpApi, HttpApi]:
    """The vendor's API (paced, authorised by `grant` over the token endpoint) and its token
    endpoint (not paced: it has its own limit), for `collector`, with the client id and secret
    the source's `credentials_env` names (defaults: the collector's `credentials`)."""
    name, env = collector.name, collector.source.credentials_env
    client_id = credential(name, env, "client_id", collector.credentials["client_id"])
    client_secret = credential(name, env, "client_secret", collector.credentials["client_secret"])
    token_api = collector.http(name, token_url, credential=client_secret, paced=False)
    return collector.http(name, api_url, grant(token_api, client_id, client_secret), client_secret), token_api
