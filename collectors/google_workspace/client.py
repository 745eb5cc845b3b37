"""Google Workspace Admin SDK over HTTP: a service account's domain-wide delegated access
tokens (a signed JWT exchanged at the token endpoint, as `httpx.Auth`, one per OAuth scope),
the Directory API's paged user list and the Reports API's paged activities (login and admin
audit). The only module of this collector that talks HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from collectors.bearer_token import BearerToken
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient

DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
# Reports API activities.list (login, user_accounts and admin audit):
# https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list
REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
USERS_PATH = "/admin/directory/v1/users"
PAGE_SIZE = 500  # the Directory API's maximum maxResults
ACTIVITIES_PATH = "/admin/reports/v1/activity/users/all/applications/{application}"
ACTIVITIES_PAGE_SIZE = 1000  # the Reports API's maximum maxResults
ASSERTION_LIFETIME = 3600  # Google accepts assertions valid for at most one hour
# Reasons with which the Directory API answers 403 when a quota, not a permission, is hit.
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"})


@dataclass(frozen=True)
class ServiceAccountKey:
    client_email: str
    private_key_id: str
    private_key: str = field(repr=False)


def load_key(credential: Credential) -> ServiceAccountKey:
    """The service-account JSON key the credential variable points to. Errors name the
    variable and the file, never the key's contents."""
    path = Path(credential.value)
    where = f"{credential.source}: the service-account key file in {credential.variable}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ApiError(f"{where} cannot be read ({type(error).__name__}: {error.strerror})") from None
    try:
        body = json.loads(text)
    except ValueError:
        raise ApiError(f"{where} is not JSON") from None
    fields = ("client_email", "private_key")
    if not isinstance(body, dict) or not all(isinstance(body.get(name), str) for name in fields):
        raise ApiError(f"{where} is not a service-account key (client_email and private_key expected)")
    return ServiceAccountKey(body["client_email"], str(body.get("private_key_id") or ""), body["private_key"])


def assertion(
    key: ServiceAccountKey, subject: str, token_url: str, now: float, scope: str = DIRECTORY_SCOPE
) -> str:
    """The RS256-signed JWT that asks for a token for `scope` acting as `subject` (domain-wide
    delegation)."""
    claims = {
        "iss": key.client_email,
        "sub": subject,
        "scope": scope,
        "aud": token_url,
        "iat": int(now),
        "exp": int(now) + ASSERTION_LIFETIME,
    }
    headers = {"kid": key.private_key_id} if key.private_key_id else None
    try:
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers=headers)
    except (ValueError, TypeError, jwt.PyJWTError) as error:
        # The message of a key-parsing error never contains the key itself.
        raise ApiError(
            f"{key.client_email}: the private key could not sign an assertion ({type(error).__name__})"
        ) from None


def google_rate_limited(response: httpx.Response) -> bool:
    """A 403 whose Google error body gives a quota reason is a rate limit, not a refusal."""
    if response.status_code != 403:
        return False
    try:
        errors = response.json().get("error", {}).get("errors", [])
    except (ValueError, AttributeError):
        return False
    return any(isinstance(e, dict) and e.get("reason") in RATE_LIMIT_REASONS for e in errors)


class ServiceAccountGrant(BearerToken):
    """Google's JWT-bearer grant as `httpx.Auth`: a service account's assertion for `scope`,
    signed with its key and acting as `subject` (domain-wide delegation), exchanged at
    `token_api` for an access token.

    One grant per scope: Google refuses the whole exchange when one requested scope is not
    delegated, so asking for the Reports scope apart keeps the user list readable when only
    the Directory scope was granted."""

    def __init__(
        self,
        token_api: HttpApi,
        key_file: Credential,
        subject: str,
        clock: Callable[[], float] = time.time,
        scope: str = DIRECTORY_SCOPE,
    ) -> None:
        super().__init__(token_api.source)
        self.token_api = token_api
        self.key_file = key_file
        self.subject = subject
        self.scope = scope
        self.signing_clock = clock
        self._key: ServiceAccountKey | None = None

    def fetch(self) -> Any:
        if self._key is None:
            self._key = load_key(self.key_file)
        token_url = self.token_api.base_url.rstrip("/")
        signed = assertion(self._key, self.subject, token_url, self.signing_clock(), self.scope)
        try:
            _, body = self.token_api.request_json(
                "POST", token_url, data={"grant_type": JWT_BEARER_GRANT, "assertion": signed}
            )
        except ApiError as error:
            message = str(error)
            if self.key_file.variable not in message:
                message += (
                    f" (check the service-account key in {self.key_file.variable}, its domain-wide"
                    f" delegation for {self.scope} and admin_subject)"
                )
            raise ApiError(message) from None
        return body


class ReportsGrant(ServiceAccountGrant):
    """The Reports scope's grant. It is asked for after the Directory scope's grant
    succeeded with the same key, so a refusal here says the Reports scope is not delegated
    (or `admin_subject` may not read reports): not a refused credential that should fail the
    Run, only the audit logs are left unread (its status is dropped)."""

    def fetch(self) -> Any:
        try:
            return super().fetch()
        except ApiError as error:
            refused = any(f"HTTP {status}" in str(error) for status in (400, 401, 403))
            hint = (
                f": grant {self.scope} to the service account's domain-wide delegation (and let"
                " admin_subject read reports)"
                if refused
                else ""
            )
            raise ApiError(f"{error}; the audit logs were not read{hint}") from None


class DirectoryClient(VendorClient):
    """Users of one Google Workspace customer (or one of its domains), through `api`
    (authorised by a `ServiceAccountGrant` over `token_api`); audit activities through
    `reports` (authorised by a `ReportsGrant`), when given."""

    def __init__(self, api: HttpApi, token_api: HttpApi, reports: HttpApi | None = None) -> None:
        self.api = api
        self.reports = reports
        self.others = (token_api,) if reports is None else (token_api, reports)

    def users(self, customer: str, domain: str | None = None) -> Iterator[list[Mapping[str, Any]]]:
        """Pages of user resources; `domain`, when given, narrows the list to that domain."""
        params: dict[str, Any] = {"maxResults": PAGE_SIZE, "projection": "full"}
        if domain:
            params["domain"] = domain
        else:
            params["customer"] = customer
        yield from self.api.pages_by_token(USERS_PATH, "users", "nextPageToken", "pageToken", params)

    def activities(
        self,
        application: str,
        start: str,
        end: str,
        customer: str,
        event_name: str | None = None,
    ) -> Iterator[list[Mapping[str, Any]]]:
        """Pages of activity resources of `application` ("login", "user_accounts", "admin") between `start`
        and `end` (RFC 3339), newest first, for every user of `customer`; `event_name` narrows
        them to one event."""
        if self.reports is None:
            raise ApiError(f"{self.api.source}: no Reports API client")
        params: dict[str, Any] = {"startTime": start, "endTime": end, "maxResults": ACTIVITIES_PAGE_SIZE}
        if event_name:
            params["eventName"] = event_name
        if customer != "my_customer":
            params["customerId"] = customer
        path = ACTIVITIES_PATH.format(application=application)
        yield from self.reports.pages_by_token(path, "items", "nextPageToken", "pageToken", params)
