"""A loopback Okta org: the Management API's documented shapes for users (paged by
`Link: <...>; rel="next"` with an `after` cursor), factors, role assignments (`/iam/assignees/users`
paged by `_links.next.href`), policies, rules and groups; `X-Rate-Limit-*` headers on every
answer and a 429 (E0000047) once a window's budget is spent; 401 E0000011 for a wrong token.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from demo.fakes.server import FakeApi, RateLimit, Reply, Request

DEMO_TOKEN = "00demo-okta-api-token-not-a-secret"  # noqa: S105 - the demo fake's own token


@dataclass
class OktaData:
    """An org's state as the API returns it (raw Okta JSON objects)."""

    users: list[dict] = field(default_factory=list)
    factors: dict[str, list[dict]] = field(default_factory=dict)  # user id -> factors
    roles: dict[str, list[dict]] = field(default_factory=dict)  # user id -> role assignments
    groups: dict[str, dict] = field(default_factory=dict)  # group id -> group
    members: dict[str, list[str]] = field(default_factory=dict)  # group id -> user ids
    policies: dict[str, list[dict]] = field(default_factory=dict)  # policy type -> policies
    rules: dict[str, list[dict]] = field(default_factory=dict)  # policy id -> rules
    rate_limit: int = 600  # requests per window (X-Rate-Limit-Limit)
    window_seconds: float = 60.0


def okta_error(code: str, summary: str) -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": f"oae{uuid.uuid4().hex[:19]}",
        "errorCauses": [],
    }


INVALID_TOKEN = ("E0000011", "Invalid token provided")
RATE_LIMITED = ("E0000047", "API call exceeded rate limit due to too many requests.")


def rate_limit_headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(math.ceil(reset)),
    }


def inject_rate_limit(fake: FakeApi, path: str, reset_in: float = 2.0, times: int = 1) -> None:
    """Queue Okta's 429 (E0000047, window spent, reset `reset_in` seconds from now)."""
    headers = rate_limit_headers(600, 0, time.time() + reset_in)
    fake.inject(path, 429, headers, okta_error(*RATE_LIMITED), times)


def okta_rate_limit(requests: int = 600, window: float = 60.0) -> RateLimit:
    """Okta's per-minute window per token: `X-Rate-Limit-*` on every answer, E0000047 over it."""

    def refuse(limit: int, reset: float, _now: float) -> Reply:
        return Reply(429, okta_error(*RATE_LIMITED))

    return RateLimit(requests, window, refuse=refuse, headers=rate_limit_headers)


def make_okta_fake(
    data: OktaData, token: str = DEMO_TOKEN, clock: Callable[[], float] = time.time, latency: float = 0.0
) -> FakeApi:
    fake = FakeApi(
        authorised=lambda _request: True,  # Okta's own 401 body is sent below
        rate_limit=okta_rate_limit(data.rate_limit, data.window_seconds),
        latency=latency,
        clock=clock,
    )
    users = {user["id"]: user for user in data.users}

    def base() -> str:
        return fake.base_url

    def guarded(handler: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        def serve(request: Request) -> Reply:
            if request.headers.get("authorization") != f"SSWS {token}":
                return Reply(401, okta_error(*INVALID_TOKEN))
            return handler(request)

        return serve

    def not_found(what: str, ident: str) -> Reply:
        return Reply(404, okta_error("E0000007", f"Not found: Resource not found: {ident} ({what})"))

    def linked_page(request: Request, items: list[dict], default_limit: int) -> Reply:
        """One page after the `after` cursor (an item id), with Link self / next."""
        limit = min(int(request.query.get("limit") or default_limit), 200)
        ids = [item["id"] for item in items]
        after = request.query.get("after")
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start : start + limit]
        keep = {k: v for k, v in request.query.items() if k not in ("after", "limit")}
        links = [f'<{base()}{request.path}?{urlencode({**keep, "limit": limit})}>; rel="self"']
        if start + limit < len(items):
            query = urlencode({**keep, "after": page[-1]["id"], "limit": limit})
            links.append(f'<{base()}{request.path}?{query}>; rel="next"')
        return Reply(200, page, {"Link": ", ".join(links)})

    def list_users(request: Request) -> Reply:
        wanted = request.query.get("filter")
        if wanted is None:
            chosen = [u for u in data.users if u["status"] != "DEPROVISIONED"]
        else:
            match = re.fullmatch(r'\s*status eq "(\w+)"\s*', wanted)
            if not match:
                return Reply(400, okta_error("E0000031", "Invalid search criteria."))
            chosen = [u for u in data.users if u["status"] == match.group(1)]
        return linked_page(request, chosen, 200)

    def user_list(source: dict[str, list[dict]]) -> Callable[[Request], Reply]:
        def answer(request: Request) -> Reply:
            user_id = request.match["user"]
            if user_id not in users:
                return not_found("User", user_id)
            return Reply(200, source.get(user_id, []))

        return answer

    def assignees(request: Request) -> Reply:
        limit = min(int(request.query.get("limit") or 100), 100)
        ids = [u["id"] for u in data.users if data.roles.get(u["id"])]
        after = request.query.get("after")
        start = ids.index(after) + 1 if after in ids else 0
        page = ids[start : start + limit]
        body: dict[str, Any] = {
            "value": [
                {
                    "id": user_id,
                    "orn": f"orn:okta:directory:00o1acme:users:{user_id}",
                    "_links": {"self": {"href": f"{base()}/api/v1/users/{user_id}"}},
                }
                for user_id in page
            ],
            "_links": {},
        }
        if start + limit < len(ids):
            query = urlencode({"after": page[-1], "limit": limit})
            body["_links"]["next"] = {"href": f"{base()}/api/v1/iam/assignees/users?{query}"}
        return Reply(200, body)

    def policies(request: Request) -> Reply:
        policy_type = request.query.get("type")
        if not policy_type:
            return Reply(400, okta_error("E0000001", "Api validation failed: type"))
        return Reply(200, data.policies.get(policy_type, []))

    def rules(request: Request) -> Reply:
        policy_id = request.match["policy"]
        if not any(p["id"] == policy_id for ps in data.policies.values() for p in ps):
            return not_found("Policy", policy_id)
        return Reply(200, data.rules.get(policy_id, []))

    def group(request: Request) -> Reply:
        group_id = request.match["group"]
        found = data.groups.get(group_id)
        return Reply(200, found) if found else not_found("UserGroup", group_id)

    def group_users(request: Request) -> Reply:
        group_id = request.match["group"]
        if group_id not in data.groups:
            return not_found("UserGroup", group_id)
        return linked_page(request, [users[u] for u in data.members.get(group_id, []) if u in users], 1000)

    fake.route("GET", r"/api/v1/users", guarded(list_users))
    fake.route("GET", r"/api/v1/users/(?P<user>[^/]+)/factors", guarded(user_list(data.factors)))
    fake.route("GET", r"/api/v1/users/(?P<user>[^/]+)/roles", guarded(user_list(data.roles)))
    fake.route("GET", r"/api/v1/iam/assignees/users", guarded(assignees))
    fake.route("GET", r"/api/v1/policies", guarded(policies))
    fake.route("GET", r"/api/v1/policies/(?P<policy>[^/]+)/rules", guarded(rules))
    fake.route("GET", r"/api/v1/groups/(?P<group>[^/]+)", guarded(group))
    fake.route("GET", r"/api/v1/groups/(?P<group>[^/]+)/users", guarded(group_users))
    return fake


def demo_okta_data() -> OktaData:
    """Acme Exchange's Okta org (demo/fakes/okta_demo.py)."""
    from demo.fakes.okta_demo import acme_exchange_okta

    return acme_exchange_okta()
