"""The Okta Management API client: SSWS token auth (`httpx.Auth`), `Link` and `_links.next` paging, and
pacing on Okta's rate-limit headers (the only module of this collector that does HTTP). The System
Log (`/api/v1/logs`) is read through an `HttpApi` of its own: Okta limits it apart from the rest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from collectors.http_api import ApiError, Credential, HeaderAuth, HttpApi, VendorClient, credential

SOURCE = "okta"
TOKEN_VARIABLE = "OKTA_API_TOKEN"  # noqa: S105 - the variable name, not a secret
ASSIGNEES_PAGE_MAX = 100  # users asked for per /api/v1/iam/assignees/users page (its default)
LOGS_PATH = "/api/v1/logs"
LOGS_PAGE_MAX = 1000  # the largest `limit` /api/v1/logs takes


def okta_credential(credentials_env: dict[str, str]) -> Credential:
    return credential(SOURCE, credentials_env, "token", TOKEN_VARIABLE)


def ssws(token: Credential) -> HeaderAuth:
    """Okta's API-token scheme: `Authorization: SSWS <token>`."""
    return HeaderAuth(token, "SSWS {}")


class OktaClient(VendorClient):
    """Okta's endpoints over one `HttpApi` with SSWS auth. Pacing is `HttpApi`'s: when an
    answer says `X-Rate-Limit-Remaining: 0` the next request waits until `X-Rate-Limit-Reset`
    (epoch seconds) instead of earning a 429, and the source's pacer keeps the steady rate."""

    def __init__(
        self,
        api: HttpApi,
        page_size: int = 200,
        logs: HttpApi | None = None,
        log_page_size: int = LOGS_PAGE_MAX,
    ) -> None:
        self.api = api
        self.page_size = page_size
        self.logs = logs or api  # the System Log's own client (its own pace), else the API's
        self.others = (logs,) if logs is not None else ()
        self.log_page_size = log_page_size

    # --- endpoints ------------------------------------------------------------------------

    def listed(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict]:
        """The objects of a paged listing, each with an `id`; anything else fails the Run with
        the endpoint named (never a bare KeyError halfway through)."""
        for page in self.api.pages_by_link(path, params):
            for item in page:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
                    shape = type(item).__name__ if not isinstance(item, dict) else "an object without an id"
                    raise ApiError(f"{SOURCE}: GET {path}: expected objects with an id, got {shape}")
                yield item

    def users(self) -> Iterator[dict]:
        """GET /api/v1/users: every user whose status is not DEPROVISIONED."""
        yield from self.listed("/api/v1/users", {"limit": self.page_size})

    def deprovisioned_users(self) -> Iterator[dict]:
        """Okta leaves DEPROVISIONED users out of a plain listing; a status filter returns them."""
        yield from self.listed(
            "/api/v1/users", {"limit": self.page_size, "filter": 'status eq "DEPROVISIONED"'}
        )

    def factors(self, user_id: str) -> list[dict]:
        path = f"/api/v1/users/{user_id}/factors"
        return self.api.expect_list(self.api.get_json(path), path, None)

    def roles(self, user_id: str) -> list[dict]:
        path = f"/api/v1/users/{user_id}/roles"
        return self.api.expect_list(self.api.get_json(path), path, None)

    def admin_ids(self) -> list[str]:
        """GET /api/v1/iam/assignees/users: users with a role (directly or through a group),
        paged by `_links.next.href` in the body."""
        path = "/api/v1/iam/assignees/users"
        url: str | None = path
        params: dict[str, Any] | None = {"limit": min(self.page_size, ASSIGNEES_PAGE_MAX)}
        listing = self.api.listing(path)
        found: list[str] = []
        while url:
            with listing.page():
                body = self.api.get_json(url, params)
                found += [str(item["id"]) for item in self.api.expect_list(body, path, "value")]
            following = (((body.get("_links") or {}).get("next")) or {}).get("href")
            url, params = (str(following), None) if following else (None, None)
            if url:
                listing.follow(url)
        return found

    def policies(self, policy_type: str) -> list[dict]:
        return list(self.listed("/api/v1/policies", {"type": policy_type}))

    def rules(self, policy_id: str) -> list[dict]:
        return list(self.listed(f"/api/v1/policies/{policy_id}/rules"))

    def group_name(self, group_id: str) -> str:
        body = self.api.get_json(f"/api/v1/groups/{group_id}")
        if not isinstance(body, dict):
            raise ApiError(f"{SOURCE}: GET /api/v1/groups/{group_id}: expected an object")
        return str((body.get("profile") or {}).get("name") or group_id)

    def group_members(self, group_id: str) -> set[str]:
        path = f"/api/v1/groups/{group_id}/users"
        return {str(u["id"]) for u in self.listed(path, {"limit": self.page_size})}

    def log_events(self, since: datetime, until: datetime, event_filter: str) -> Iterator[dict]:
        """GET /api/v1/logs as a bounded request (`since` and `until` given), oldest first, paged
        by `Link: <...>; rel="next"`. Okta documents a bounded listing as finite (its last page
        has no next link); it ends at an empty page too, so a next link that keeps coming (as
        it always does when polling) never loops. Each event must be a JSON object."""
        api = self.logs
        params = {
            "since": _instant(since),
            "until": _instant(until),
            "filter": event_filter,
            "limit": self.log_page_size,
            "sortOrder": "ASCENDING",
        }
        url: str | None = api.url(LOGS_PATH)
        query: dict[str, Any] | None = params
        listing = api.listing(LOGS_PATH)
        listing.first(str(httpx.URL(api.url(LOGS_PATH), params=params)))
        while url:
            with listing.page():
                response, body = api.request_json("GET", url, params=query)
                batch = list(self.objects(api.expect_list(body, LOGS_PATH, None), LOGS_PATH))
            yield from batch
            following = response.links.get("next", {}).get("url")
            if not batch or not following:
                return
            url, query = api.url(following), None
            listing.follow(url)


def _instant(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as Okta's own links write it: 2026-12-07T20:54:19.000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
