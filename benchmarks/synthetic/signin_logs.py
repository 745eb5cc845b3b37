"""Sign-in logs of any size for the demo's loopback fakes, made lazily: the demo fake serves
everything else (auth, users, rate-limit headers and refusals), and its log route is replaced
by one that builds each page of the vendor's documented events when it is asked for, so the
fake never holds the log (100,000 events would be some hundreds of MiB of dicts). Each log is
a `Timeline`: `events` events spread evenly over the window the collector's first request
names, going on at the same rate after it, and each request is served the events of the span
it names (Okta's since/until, Google's startTime/endTime, Graph's `$filter` ge up to the
first page's arrival). So a first Run stores exactly `events`, and a second one reading on
from its cursor is served only the span since (its overlap and what came after) and carries
the rest. Every request the fake answers is recorded with its arrival time, for the most
requests in any window."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from demo.fakes import entra, google_workspace, okta
from demo.fakes.okta_demo import NORMAL_BEHAVIORS, log_event
from demo.fakes.server import FakeApi, RateLimit, Reply, Request


@dataclass
class Arrivals:
    """(monotonic time, path, status) of every request a fake answered."""

    seen: list[tuple[float, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, fake: FakeApi) -> None:
        handle = fake.handle

        def recorded(request: Request) -> Reply:
            arrived = time.monotonic()
            reply = handle(request)
            with self.lock:
                self.seen.append((arrived, request.path, reply.status))
            return reply

        fake.handle = recorded  # type: ignore[method-assign]

    def times(self, path_prefix: str) -> list[float]:
        with self.lock:
            return [moment for moment, path, _ in self.seen if path.startswith(path_prefix)]

    def statuses(self, path_prefix: str) -> list[int]:
        with self.lock:
            return [status for _, path, status in self.seen if path.startswith(path_prefix)]


def most_within(times: list[float], seconds: float) -> int:
    """The most arrivals within any `seconds` (a sliding window over the sorted times)."""
    ordered, most, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


@dataclass
class Timeline:
    """One vendor log: event n at `origin + (n + 0.5) * step`, fixed by the first request
    (`origin` its start, `events` spread over its span) and going on at that rate after it.
    `upper`: the end of the latest span served (the last Run's read)."""

    events: int
    origin: datetime | None = None
    step: timedelta = timedelta(0)
    upper: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def span(self, since: datetime, until: datetime) -> range:
        """The events in [since, until], oldest first (fixing the log on the first call)."""
        with self.lock:
            if self.origin is None:
                self.origin, self.step = since, (until - since) / self.events
            self.upper = until
        first = max(0, math.ceil((since - self.origin) / self.step - 0.5))
        last = math.floor((until - self.origin) / self.step - 0.5)
        return range(first, max(first, last + 1))

    def at(self, n: int) -> datetime:
        assert self.origin is not None
        return self.origin + self.step * (n + 0.5)

    def held(self, since: datetime) -> int:
        """How many events from `since` to the end of the latest span served."""
        return 0 if self.upper is None else len(self.span(since, self.upper))


# --- Okta System Log -------------------------------------------------------------------------


def okta_fake(events: int, latency: float = 0.0) -> tuple[FakeApi, Arrivals, list[Timeline]]:
    """The demo's Okta fake (no users) whose /api/v1/logs serves a `Timeline` of `events`
    sign-ins, those between since and until, oldest first (`sortOrder=ASCENDING`, as the
    collector asks), `limit` per page, paged by a `Link: rel="next"` with an `after` cursor
    (the last event's uuid), the last page without one; /api/v1/logs counted in its own
    bucket of 50 a minute (Okta Enterprise)."""
    fake = okta.make_okta_fake(okta.OktaData(), latency=latency)
    timeline = Timeline(events)
    cursors: dict[str, int] = {}  # the last uuid of each page served -> the next index

    def logs(request: Request) -> Reply:
        if request.headers.get("authorization") != f"SSWS {okta.DEMO_TOKEN}":
            return Reply(401, okta.okta_error(*okta.INVALID_TOKEN))
        query = request.query
        since = okta._instant(query["since"])
        until = okta._instant(query["until"])
        if since is None or until is None:
            return Reply(400, okta.okta_error("E0000001", "Api validation failed: since/until"))
        limit = int(query.get("limit") or 100)
        if not 1 <= limit <= 1000:
            return Reply(400, okta.okta_error("E0000001", "Api validation failed: limit"))
        span = timeline.span(since, until)
        first = cursors.get(query.get("after", ""), span.start)
        last = min(first + limit, span.stop)
        page = [
            log_event(
                n,
                timeline.at(n),
                "user.session.start",
                f"user{n % 5000:04d}@acme.example",
                debug={"behaviors": NORMAL_BEHAVIORS, "risk": "{level=LOW}"},
            )
            for n in range(first, last)
        ]
        keep = {k: v for k, v in query.items() if k != "after"}
        base = fake.base_url + okta.LOGS_PATH
        links = [f'<{base}?{urlencode(keep)}>; rel="self"']
        if last < span.stop:
            cursors[page[-1]["uuid"]] = last
            links.append(f'<{base}?{urlencode({**keep, "after": page[-1]["uuid"]})}>; rel="next"')
        return Reply(200, page, {"Link": ", ".join(links)})

    fake.routes.insert(0, ("GET", re.compile(f"^{okta.LOGS_PATH}$"), logs))
    arrivals = Arrivals()
    arrivals.record(fake)
    return fake, arrivals, [timeline]


# --- Google Workspace Reports ---------------------------------------------------------------

ADMIN_SHARE = 10  # one event in ten is an admin audit event (2SV turned off), the rest sign-ins
GOOGLE_ADMIN = "alice@acme.example"


def google_split(events: int) -> dict[str, int]:
    """How many of `events` the login and the admin audit each hold."""
    admin = events // ADMIN_SHARE
    return {"login": events - admin, "admin": admin}


def google_fake(events: int, public_pem: str) -> tuple[FakeApi, Arrivals, list[Timeline]]:
    """The demo's Google Workspace fake (its seven users, the token endpoint) whose Reports
    activities serve `events` audit events: login_success activities in the login audit,
    TURN_OFF_2_STEP_VERIFICATION in the admin audit (`google_split`), each a `Timeline`
    served between startTime and endTime, newest first, pages of
    `maxResults` (at most 1,000) with an offset `nextPageToken`; the Directory API's per-user
    quota of 2,400 queries a minute, which the Reports API's requests count in too."""
    data = google_workspace.demo_google_workspace_data()
    data["activities"] = {}
    fake = google_workspace.make_google_workspace_fake(data, public_pem, page_size=1000)
    fake.rate_limit = google_workspace.directory_rate_limit()
    split = google_split(events)
    timelines = {application: Timeline(count) for application, count in split.items()}
    pattern = re.compile(f"^{google_workspace.ACTIVITIES_PATH}(?P<application>[^/]+)$")
    original = next(handler for _, known, handler in fake.routes if known.pattern == pattern.pattern)

    def activities(request: Request) -> Reply:
        application = request.match["application"]
        empty = original(Request(request.method, request.path, request.query, request.headers, request.match))
        if empty.status != 200 or application not in split:
            return empty  # the demo fake's refusals (token, scope, administrator, arguments)
        timeline = timelines[application]
        span = timeline.span(
            google_workspace._moment(request.query["startTime"]),
            google_workspace._moment(request.query["endTime"]),
        )
        count = len(span)
        size = int(request.query.get("maxResults") or 1000)
        token = request.query.get("pageToken")
        first = google_workspace._offset(token) if token else 0
        last = min(first + size, count)
        newest = span.stop - 1
        items = [_activity(application, newest - i, timeline.at(newest - i)) for i in range(first, last)]
        body: dict[str, Any] = {"kind": "admin#reports#activities", "etag": '"fake-etag"'}
        if items:
            body["items"] = items
        if last < count:
            body["nextPageToken"] = google_workspace._page_token(last)
        return Reply(200, body)

    fake.routes.insert(0, ("GET", pattern, activities))
    arrivals = Arrivals()
    arrivals.record(fake)
    return fake, arrivals, list(timelines.values())


def _activity(application: str, n: int, when: datetime) -> dict[str, Any]:
    user = f"user{n % 5000:04d}@acme.example"
    if application == "login":
        events = [("login", "login_success", google_workspace._login())]
        return google_workspace.activity(f"-{n + 1:019d}", "login", when, user, events, "198.51.100.21")
    events = [("USER_SETTINGS", "TURN_OFF_2_STEP_VERIFICATION", {"USER_EMAIL": user})]
    return google_workspace.activity(f"-9{n + 1:018d}", "admin", when, GOOGLE_ADMIN, events, "198.51.100.9")


# --- Microsoft Entra ID sign-in and directory audit logs ------------------------------------

AUDIT_SHARE = 10  # one entry in ten is an Authentication Methods audit entry, the rest sign-ins
LOGS_PREFIX = "/v1.0/auditLogs/"
# Graph's "Identity and access reports service limits": five requests per 10 seconds per app
# per tenant for auditLogRoot (signIns, directoryAudits)
# (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits)
REPORTS_REQUESTS, REPORTS_WINDOW = 5, 10.0
PLACE = ("Zurich", "CH", 47.3769, 8.5417)


def entra_split(events: int) -> dict[str, int]:
    """How many of `events` the sign-in log and the Authentication Methods audit each hold."""
    audits = events // AUDIT_SHARE
    return {"sign_ins": events - audits, "directory_audits": audits}


@dataclass
class ReportsRateLimit(RateLimit):
    """Graph's identity and access reports limit, on auditLogs requests only (the rest of
    Graph counts elsewhere, in limits a collection this size does not reach): 429 with
    `Retry-After` over it."""

    def admit(self, request: Request, now: float) -> tuple[bool, int, float]:
        if not request.path.startswith(LOGS_PREFIX):
            return True, self.requests, now + self.window
        return super().admit(request, now)


def entra_fake(
    events: int, client_secret: str, latency: float = 0.0
) -> tuple[FakeApi, Arrivals, list[Timeline]]:
    """The demo's Entra fake (its users, policies, token endpoint) whose sign-in log and
    Authentication Methods audit log serve `events` entries (`entra_split`): successful
    sign-ins and "User registered security info" audits, each a `Timeline` served from the
    `$filter`'s ge to the listing's first page, newest first, 1,000 a page, linked
    by an absolute `@odata.nextLink` with a `$skiptoken`; the identity and access reports
    limit (5 requests per 10 s) enforced on them."""
    data = entra.demo_entra_data()
    data["sign_ins"], data["directory_audits"] = [], []
    fake = entra.make_entra_fake(data, client_secret=client_secret, page_size=1000)
    fake.rate_limit = ReportsRateLimit(REPORTS_REQUESTS, REPORTS_WINDOW)
    fake.latency = latency
    split = entra_split(events)
    originals = {pattern.pattern: handler for _, pattern, handler in fake.routes}
    timelines = {name: Timeline(count) for name, count in split.items()}

    def lazy(path: str, name: str, build: Callable[[int, datetime], dict[str, Any]]) -> None:
        original = originals[f"^{path}$"]
        timeline = timelines[name]
        ends: dict[str, datetime] = {}  # a listing's $filter -> when its first page was asked for

        def serve(request: Request) -> Reply:
            refusal = original(request)
            if refusal.status != 200:
                return refusal  # the demo fake's refusals (token, permission, filter)
            condition = request.query["$filter"]
            token = request.query.get("$skiptoken")
            if not token:
                ends[condition] = datetime.now(UTC)
            span = timeline.span(_graph_since(condition), ends[condition])
            count = len(span)
            first = entra._offset(token) if token else 0
            last = min(first + 1000, count)
            newest = span.stop - 1
            body: dict[str, Any] = {
                "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#auditLogs/{name}",
                "value": [build(newest - i, timeline.at(newest - i)) for i in range(first, last)],
            }
            if last < count:
                kept = {k: v for k, v in request.query.items() if k != "$skiptoken"}
                query = "".join(f"{k}={quote(v)}&" for k, v in kept.items())
                body["@odata.nextLink"] = f"{fake.base_url}{path}?{query}$skiptoken={entra._skiptoken(last)}"
            return Reply(200, body)

        fake.routes.insert(0, ("GET", re.compile(f"^{path}$"), serve))

    lazy(entra.SIGN_INS_PATH, "sign_ins", _sign_in)
    lazy(entra.DIRECTORY_AUDITS_PATH, "directory_audits", _audit)
    arrivals = Arrivals()
    arrivals.record(fake)
    return fake, arrivals, list(timelines.values())


def _graph_since(condition: str) -> datetime:
    moment = re.match(r"^\w+ ge (\S+)", condition)
    assert moment is not None, condition
    return datetime.fromisoformat(moment.group(1).replace("Z", "+00:00"))


def _sign_in(n: int, when: datetime) -> dict[str, Any]:
    row = entra._sign_in(
        n, when, f"user{n % 5000:04d}@acme.example", "198.51.100.21", PLACE, ("", None, None)
    )
    row["id"] = f"6b1f0c2e-{n:08d}-4e5d-9a1b-bench"
    return row


def _audit(n: int, when: datetime) -> dict[str, Any]:
    user = f"user{n % 5000:04d}@acme.example"
    row = entra._audit(n, when, "User registered security info", user, user)
    row["id"] = f"Authentication Methods_{n:08d}-bench"
    return row
