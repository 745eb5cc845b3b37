"""A loopback Okta org: the Management API's documented shapes for users (paged by
`Link: <...>; rel="next"` with an `after` cursor), factors, role assignments (`/iam/assignees/users`
paged by `_links.next.href`), policies, rules, groups and the System Log (`/api/v1/logs`: bounded
and polling requests, `filter` on eventType, `limit`, `sortOrder`, 90-day retention);
`X-Rate-Limit-*` headers on every answer and a 429 (E0000047) once a window's budget is spent,
the System Log counted in a bucket of its own as Okta does; 401 E0000011 for a wrong token.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    events: list[dict] = field(default_factory=list)  # System Log events (LogEvent objects)
    rate_limit: int = 600  # requests per window (X-Rate-Limit-Limit)
    log_rate_limit: int = 50  # requests per window to /api/v1/logs (Okta Enterprise's limit)
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


LOGS_PATH = "/api/v1/logs"
RETENTION = timedelta(days=90)  # events older than this are not returned
OLDEST_SINCE = timedelta(days=180)  # a `since` further back is refused (E0000053)


@dataclass
class OktaRateLimit(RateLimit):
    """Okta's per-minute windows per token, one per bucket: each endpoint group with a limit
    of its own (`buckets`: path prefix -> requests) counts apart from the rest of the API."""

    buckets: dict[str, int] = field(default_factory=dict)
    _admitted: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    def admit(self, request: Request, now: float) -> tuple[bool, int, float]:
        bucket = next((prefix for prefix in self.buckets if request.path.startswith(prefix)), "")
        limit = self.buckets.get(bucket, self.requests)
        key = f"{self.key(request)} {bucket}"
        reset, used = self.windows.get(key, (0.0, 0))
        if now >= reset:
            reset, used = now + self.window, 0
        admitted = used < limit
        used += admitted
        self.windows[key] = (reset, used)
        self._admitted.limit = limit  # the headers of this answer (same thread) name its bucket's
        return admitted, limit - used, reset

    def bucket_headers(self, _limit: int, remaining: int, reset: float) -> dict[str, str]:
        return rate_limit_headers(getattr(self._admitted, "limit", self.requests), remaining, reset)


def okta_rate_limit(requests: int = 600, window: float = 60.0, log_requests: int = 50) -> RateLimit:
    """Okta's per-minute window per token: `X-Rate-Limit-*` on every answer, E0000047 over it;
    /api/v1/logs in its own bucket of `log_requests`."""

    def refuse(limit: int, reset: float, _now: float) -> Reply:
        return Reply(429, okta_error(*RATE_LIMITED))

    limit = OktaRateLimit(requests, window, refuse=refuse, buckets={LOGS_PATH: log_requests})
    limit.headers = limit.bucket_headers
    return limit


def okta_time(moment: datetime) -> str:
    """Okta's timestamps: UTC with milliseconds, `2026-12-07T08:12:00.000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _event_types(expression: str) -> set[str] | None:
    """`eventType eq "a" or eventType eq "b"`: the types asked for; None for any other filter."""
    terms = re.split(r"\s+or\s+", expression.strip())
    found = [re.fullmatch(r'\(?\s*eventType eq "([\w.]+)"\s*\)?', term) for term in terms]
    return {match.group(1) for match in found if match} if all(found) else None


def make_okta_fake(
    data: OktaData, token: str = DEMO_TOKEN, clock: Callable[[], float] = time.time, latency: float = 0.0
) -> FakeApi:
    fake = FakeApi(
        authorised=lambda _request: True,  # Okta's own 401 body is sent below
        rate_limit=okta_rate_limit(data.rate_limit, data.window_seconds, data.log_rate_limit),
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

    def logs(request: Request) -> Reply:
        """GET /api/v1/logs: bounded (`until` given: events published in [since, until), a
        last page without a next link) or polling (no `until`: a next link always)."""
        query = request.query
        now = datetime.fromtimestamp(clock(), UTC)
        until = _instant(query["until"]) if query.get("until") else now
        since = _instant(query["since"]) if query.get("since") else (until and until - timedelta(days=7))
        if since is None or until is None:
            return Reply(
                400, okta_error("E0000001", "Api validation failed: 'since' or 'until' is not a date")
            )
        if since < now - OLDEST_SINCE:
            message = "Invalid parameter: The since parameter is over 180 days prior to the current day."
            return Reply(400, okta_error("E0000053", message))
        wanted = _event_types(query["filter"]) if query.get("filter") else None
        if query.get("filter") and wanted is None:
            return Reply(400, okta_error("E0000053", f"Invalid filter '{query['filter']}'"))
        raw_limit = query.get("limit") or "100"
        if not raw_limit.isdigit() or int(raw_limit) > 1000:
            return Reply(400, okta_error("E0000001", "Api validation failed: limit"))
        limit = int(raw_limit)
        descending = query.get("sortOrder") == "DESCENDING"
        oldest = max(since, now - RETENTION)
        chosen = sorted(
            (
                event
                for event in data.events
                if oldest <= (_instant(event["published"]) or now) < until
                and (wanted is None or event["eventType"] in wanted)
            ),
            key=lambda event: (event["published"], event["uuid"]),
            reverse=descending,
        )
        ids = [event["uuid"] for event in chosen]
        after = query.get("after")
        start = ids.index(after) + 1 if after in ids else 0
        page = chosen[start : start + limit]
        keep = {k: v for k, v in query.items() if k != "after"}
        links = [f'<{base()}{LOGS_PATH}?{urlencode(keep)}>; rel="self"']
        polling = not query.get("until")
        if polling or start + limit < len(chosen):
            cursor = page[-1]["uuid"] if page else after or ""
            links.append(f'<{base()}{LOGS_PATH}?{urlencode({**keep, "after": cursor})}>; rel="next"')
        return Reply(200, page, {"Link": ", ".join(links)})

    fake.route("GET", r"/api/v1/users", guarded(list_users))
    fake.route("GET", LOGS_PATH, guarded(logs))
    fake.route("GET", r"/api/v1/users/(?P<user>[^/]+)/factors", guarded(user_list(data.factors)))
    fake.route("GET", r"/api/v1/users/(?P<user>[^/]+)/roles", guarded(user_list(data.roles)))
    fake.route("GET", r"/api/v1/iam/assignees/users", guarded(assignees))
    fake.route("GET", r"/api/v1/policies", guarded(policies))
    fake.route("GET", r"/api/v1/policies/(?P<policy>[^/]+)/rules", guarded(rules))
    fake.route("GET", r"/api/v1/groups/(?P<group>[^/]+)", guarded(group))
    fake.route("GET", r"/api/v1/groups/(?P<group>[^/]+)/users", guarded(group_users))
    return fake


def demo_okta_data(now: datetime | None = None) -> OktaData:
    """Acme Exchange's Okta org (demo/fakes/okta_demo.py), its System Log dated from `now`
    (default: the clock)."""
    from demo.fakes.okta_demo import acme_exchange_okta

    return acme_exchange_okta(now or datetime.now(UTC))
