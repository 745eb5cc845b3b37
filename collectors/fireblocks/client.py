"""The Fireblocks API v1 over HTTP: a JWT signed per request, cursor paging of vault accounts.

Fireblocks authenticates every request with two headers: `X-API-Key` (the API user's key)
and `Authorization: Bearer <JWT>`, a JWT signed RS256 with the API user's RSA private key
whose claims bind it to that one request: `uri` (path and query), a unique `nonce`, `iat`,
`exp` (less than 30 seconds after `iat`), `sub` (the API key) and `bodyHash` (hex SHA-256
of the raw body, of the empty string for a GET).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt

from collectors.fireblocks.mapper import TRANSACTION_TYPES
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient

BASE_URL = "https://api.fireblocks.io"
JWT_LIFETIME = 20  # seconds; Fireblocks refuses exp >= iat + 30
VAULT_PAGE_SIZE = 500  # accounts_paged caps `limit` at 500
# Policy Engine v2 and the console-user management API replace the TAP editor's
# `/v1/tap/active_policy` (now "legacy") and `/v1/users` (the older user list).
POLICY_PATH = "/v1/policy/active_policy"
USERS_PATH = "/v1/management/users"
# The transaction policy types (PolicyType) whose rules govern moving funds out of vaults.
POLICY_TYPES = TRANSACTION_TYPES


class FireblocksAuth(httpx.Auth):
    """Signs each request as it leaves, so the JWT's `uri` and `bodyHash` match it exactly."""

    def __init__(
        self, api_key: Credential, secret_key_file: Credential, clock: Callable[[], float] = time.time
    ) -> None:
        self.api_key = api_key
        self.secret_key_file = secret_key_file
        self.clock = clock
        self._private_key: str | None = None

    def private_key(self) -> str:
        if self._private_key is None:
            path = Path(self.secret_key_file.value)
            try:
                self._private_key = path.read_text()
            except OSError as error:
                raise ApiError(
                    f"fireblocks: the secret key file named by {self.secret_key_file.variable} "
                    f"cannot be read ({type(error).__name__})"
                ) from None
        return self._private_key

    def token(self, uri: str, body: bytes) -> str:
        issued = int(self.clock())
        claims = {
            "uri": uri,
            "nonce": uuid.uuid4().hex,
            "iat": issued,
            "exp": issued + JWT_LIFETIME,
            "sub": self.api_key.value,
            "bodyHash": hashlib.sha256(body).hexdigest(),
        }
        try:
            return jwt.encode(claims, self.private_key(), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            raise ApiError(
                f"fireblocks: the secret key file named by {self.secret_key_file.variable} "
                f"is not an RSA private key in PEM ({type(error).__name__})"
            ) from None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        uri = request.url.raw_path.decode("ascii")  # path plus query, as sent
        request.headers["X-API-Key"] = self.api_key.value
        request.headers["Authorization"] = f"Bearer {self.token(uri, request.content)}"
        yield request


class FireblocksClient(VendorClient):
    """Read-only calls the collector needs."""

    def __init__(self, api: HttpApi, page_size: int = VAULT_PAGE_SIZE) -> None:
        self.api = api  # signed with `FireblocksAuth`
        self.page_size = min(page_size, VAULT_PAGE_SIZE)

    def active_policy(self, policy_types: Iterable[str] = POLICY_TYPES) -> dict[str, Any]:
        """The active policy of Policy Engine v2 (`GET /v1/policy/active_policy`, the
        PolicyEditorV2 reference), its rules of `policy_types` (the query repeats `policyType`):
        {"policy": {"rules": [...], "metadata": {...}}, "validation": {...}}."""
        body = self.api.get_json(POLICY_PATH, {"policyType": list(policy_types)})
        if not isinstance(body, dict):
            raise ApiError(f"fireblocks: GET {POLICY_PATH}: expected an object, got {type(body).__name__}")
        return body

    def vault_accounts(self) -> Iterator[dict[str, Any]]:
        """Every vault account, following `paging.after` until it is absent."""
        path = "/v1/vault/accounts_paged"
        query: dict[str, Any] = {"limit": self.page_size}
        listing = self.api.listing(path, "cursor")
        while True:
            with listing.page():
                body = self.api.get_json(path, query)
                if not isinstance(body, dict):
                    raise ApiError(f"fireblocks: GET {path}: expected an object, got {type(body).__name__}")
                accounts = self.api.expect_list(body, path, "accounts")
            yield from self.objects(accounts, path)
            after = (body.get("paging") or {}).get("after") if isinstance(body.get("paging"), dict) else None
            if not after:
                return
            listing.follow(str(after))
            query = {"limit": self.page_size, "after": after}

    def users(self) -> list[dict[str, Any]]:
        """The workspace's console users (`GET /v1/management/users`, the ConsoleUser
        reference: {"users": [...]}, not paged; needs an Admin or Non-Signing Admin API user)."""
        body = self.api.get_json(USERS_PATH)
        if not isinstance(body, dict):
            raise ApiError(f"fireblocks: GET {USERS_PATH}: expected an object, got {type(body).__name__}")
        return list(self.objects(self.api.expect_list(body, USERS_PATH, "users"), USERS_PATH))
