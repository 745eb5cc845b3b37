"""A loopback KnowBe4 Reporting API v1 over an in-memory dataset, and Acme Exchange's demo data.

Answers as the Reporting API documents: bearer-token auth, plain JSON arrays, `page` /
`per_page` paging (default 100, at most 500), the `status` user filter and
`exclude_archived_users` on enrollments, 404 for an unknown phishing test. Faults (429 with
Retry-After, 5xx, malformed bodies) are queued with `FakeApi.inject`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from demo.fakes.server import FakeApi, RateLimit, Reply, Request

DEMO_TOKEN = "demo-knowbe4-token"  # noqa: S105 - the fake's own dummy credential
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500


def _page(items: list[dict[str, Any]], request: Request) -> Reply:
    try:
        page = int(request.query.get("page") or 1)
        per_page = min(int(request.query.get("per_page") or DEFAULT_PER_PAGE), MAX_PER_PAGE)
    except ValueError:
        return Reply(400, {"message": "page and per_page must be integers"})
    if page < 1 or per_page < 1:
        return Reply(400, {"message": "page and per_page must be positive"})
    return Reply(200, items[(page - 1) * per_page : page * per_page])


def make_knowbe4_fake(
    data: dict[str, Any], token: str = DEMO_TOKEN, rate_limit: RateLimit | None = None
) -> FakeApi:
    """`data`: {"users": [...], "enrollments": [...], "campaigns": [...], "security_tests":
    [...], "recipients": {pst_id: [...]}} in the API's own shapes (see `demo_knowbe4_data`),
    read at every request (change it in place). `rate_limit`: the account's burst limit,
    answered over with 429 and Retry-After (None: unlimited)."""
    fake = FakeApi(
        lambda request: request.headers.get("authorization") == f"Bearer {token}", rate_limit=rate_limit
    )

    def users(request: Request) -> Reply:
        items = data.get("users", [])
        status = request.query.get("status")
        if status:
            items = [user for user in items if user.get("status") == status]
        return _page(items, request)

    def enrollments(request: Request) -> Reply:
        items = data.get("enrollments", [])
        if request.query.get("exclude_archived_users") == "true":
            archived = {user["id"] for user in data.get("users", []) if user.get("status") == "archived"}
            items = [item for item in items if item.get("user", {}).get("id") not in archived]
        return _page(items, request)

    def recipients(request: Request) -> Reply:
        pst_id = int(request.match["pst_id"])
        if not any(test["pst_id"] == pst_id for test in data.get("security_tests", [])):
            return Reply(404, {"message": "Not Found"})
        return _page(data.get("recipients", {}).get(pst_id, []), request)

    fake.route("GET", "/v1/users", users)
    fake.route("GET", "/v1/training/enrollments", enrollments)
    fake.route("GET", "/v1/phishing/campaigns", lambda r: _page(data.get("campaigns", []), r))
    fake.route("GET", "/v1/phishing/security_tests", lambda r: _page(data.get("security_tests", []), r))
    fake.route("GET", r"/v1/phishing/security_tests/(?P<pst_id>\d+)/recipients", recipients)
    return fake


# --- Acme Exchange demo data ------------------------------------------------------------------

AWARENESS = ("Security Awareness Training 2026", "Annual Security Awareness")
LURE = ("Fake Recruiters, Coding Tests and 'Collaborators'", "Privileged Staff: Social Engineering Lures")
POLICY = ("Acceptable Use Policy", "New Employee Policies")

# (first name, job title, status, phish-prone %, awareness: days since passed or a KnowBe4 status)
PEOPLE: list[tuple[str, str, str, float, int | str]] = [
    ("alice", "Head of Platform (admin)", "active", 0.0, 40),
    ("bob", "Treasury Operations Lead (admin)", "active", 33.3, 120),
    ("carol", "Security Engineer", "active", 0.0, 25),
    ("dave", "Customer Support", "active", 66.7, 200),
    ("erin", "Compliance Officer", "active", 0.0, 90),
    ("frank", "Backend Engineer", "active", 33.3, "Past Due"),
    ("grace", "Market Operations", "active", 33.3, 150),
    ("heidi", "Data Analyst", "active", 0.0, "In Progress"),
    ("ivan", "Contractor, Mobile", "active", 0.0, "Not Started"),
    ("judy", "Finance", "active", 0.0, 300),
    ("mallory", "Sales", "active", 33.3, 420),  # passed, but more than a year ago
    ("oscar", "Frontend Engineer", "active", 0.0, 60),
    ("trent", "Former Engineer", "archived", 66.7, "Past Due"),
]


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def _user(index: int, first: str, title: str, status: str, ppp: float, now: datetime) -> dict[str, Any]:
    return {
        "id": 1001 + index,
        "employee_number": f"AX{100 + index}",
        "first_name": first.capitalize(),
        "last_name": "Acme",
        "job_title": title,
        "email": f"{first}@acme.example",
        "phish_prone_percentage": ppp,
        "location": "Zug",
        "division": "",
        "manager_name": "Alice Acme",
        "manager_email": "alice@acme.example",
        "provisioning_managed": True,
        "provisioning_guid": None,
        "groups": [3101],
        "current_risk_score": round(20 + ppp / 2, 3),
        "aliases": [],
        "joined_on": _stamp(now - timedelta(days=700)),
        "last_sign_in": _stamp(now - timedelta(days=3 + index)),
        "status": status,
        "organization": "Acme Exchange",
        "department": title.split(",")[0],
        "language": "English - United States",
        "comment": "",
        "employee_start_date": _stamp(now - timedelta(days=700)),
        "archived_at": _stamp(now - timedelta(days=30)) if status == "archived" else None,
    }


def _enrollment(
    enrollment_id: int,
    user: dict[str, Any],
    content: tuple[str, str],
    status: str,
    completed: datetime | None,
    now: datetime,
    content_type: str = "Store Purchase",
) -> dict[str, Any]:
    enrolled = (completed or now) - timedelta(days=14)
    return {
        "enrollment_id": enrollment_id,
        "content_type": content_type,
        "module_name": content[0],
        "user": {k: user[k] for k in ("id", "first_name", "last_name", "email")},
        "campaign_name": content[1],
        "enrollment_date": _stamp(enrolled),
        "start_date": _stamp(enrolled + timedelta(days=2)) if status != "Not Started" else None,
        "completion_date": _stamp(completed),
        "status": status,
        "time_spent": 1260 if completed else (300 if status == "In Progress" else 0),
        "policy_acknowledged": content_type == "Uploaded Policy" and completed is not None,
    }


# Two phishing campaigns, each run a phishing security test at a time: (campaign id, name,
# frequency) and, per test, (campaign id, name, days ago, status, {first name: outcome}).
# Outcomes: "clicked", "data" (clicked, then entered data), "attachment" (opened it, enabled
# its macro), "reported", "bounced"; the other active people did nothing. "Open" tests are
# still being sent or tracked, "Closed" ones are final (the API's campaign example).
CAMPAIGNS = [
    (3401, "Monthly phishing baseline", "Monthly"),
    (3402, "Recruiter and collaborator lures", "Quarterly"),
]
TESTS: list[tuple[int, str, int, str, dict[str, str]]] = [
    (3401, "Fake invoice from a liquidity provider", 150, "Closed", {"dave": "clicked", "grace": "clicked", "mallory": "clicked"}),
    (3401, "Parcel held at customs", 120, "Closed", {"dave": "clicked", "frank": "clicked"}),
    (3401, "Shared payroll spreadsheet", 90, "Closed", {"dave": "attachment"}),
    (3401, "Password expiry notice", 60, "Closed", {}),
    (3402, "LinkedIn recruiter InMail with a coding test", 30, "Closed", {"bob": "clicked", "dave": "data"}),
    (3402, "'Collaborator' whitepaper on a shared drive", 5, "Open", {"frank": "clicked", "mallory": "clicked", "oscar": "bounced"}),
]  # fmt: skip
REPORTERS = ("alice", "carol", "erin")


def recipient(
    recipient_id: int,
    pst_id: int,
    index: int,
    name: str,
    user: dict[str, Any],
    started: datetime,
    outcome: str,
) -> dict[str, Any]:
    """One recipient of a phishing test; `outcome`: "", "clicked", "data", "attachment",
    "reported", "bounced"."""
    delivered = started + timedelta(minutes=5)
    acted = outcome not in ("", "bounced")
    attachment = outcome == "attachment"
    return {
        "recipient_id": recipient_id,
        "pst_id": pst_id,
        "user": {k: user[k] for k in ("id", "first_name", "last_name", "email")}
        | {"provisioning_guid": None},
        "template": {"id": 40 + index, "name": name},
        "scheduled_at": _stamp(started),
        "delivered_at": None if outcome == "bounced" else _stamp(delivered),
        "opened_at": _stamp(delivered + timedelta(hours=1)) if acted else None,
        "clicked_at": _stamp(delivered + timedelta(hours=2)) if outcome in ("clicked", "data") else None,
        "replied_at": None,
        "attachment_opened_at": _stamp(delivered + timedelta(hours=2)) if attachment else None,
        "macro_enabled_at": _stamp(delivered + timedelta(hours=2, minutes=1)) if attachment else None,
        "data_entered_at": _stamp(delivered + timedelta(hours=2, minutes=1)) if outcome == "data" else None,
        "qr_code_scanned": None,
        "reported_at": _stamp(delivered + timedelta(hours=1, minutes=5)) if outcome == "reported" else None,
        "bounced_at": _stamp(delivered) if outcome == "bounced" else None,
        "ip": None,
        "ip_location": None,
        "browser": None,
        "browser_version": None,
        "os": None,
    }


# Recipient timestamps of the failures KnowBe4 counts toward a phish-prone percentage, with
# the test's count field of each.
FAILURE_COUNTS = {
    "clicked_at": "clicked_count",
    "replied_at": "replied_count",
    "attachment_opened_at": "attachment_open_count",
    "macro_enabled_at": "macro_enabled_count",
    "data_entered_at": "data_entered_count",
    "qr_code_scanned": "qr_code_scanned_count",
}


def security_test(
    pst_id: int,
    campaign_id: int,
    index: int,
    name: str,
    status: str,
    started: datetime,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """A phishing security test with the counts of its recipients' `rows`; its phish-prone
    percentage is KnowBe4's campaign figure: failures over messages delivered."""
    counts = {count: sum(1 for row in rows if row[field]) for field, count in FAILURE_COUNTS.items()}
    delivered = sum(1 for row in rows if row["delivered_at"])
    return {
        "campaign_id": campaign_id,
        "pst_id": pst_id,
        "status": status,
        "name": name,
        "groups": [{"group_id": 3101, "name": "All Staff"}],
        "phish_prone_percentage": round(100 * sum(counts.values()) / delivered, 1) if delivered else 0.0,
        "started_at": _stamp(started),
        "duration": 7,
        "categories": [{"category_id": 4237, "name": "Social Engineering"}],
        "template": {"id": 40 + index, "name": name},
        "landing-page": {"id": 1842, "name": "Acme Oops Page"},
        "scheduled_count": len(rows),
        "delivered_count": delivered,
        "opened_count": sum(1 for row in rows if row["opened_at"]),
        **counts,
        "reported_count": sum(1 for row in rows if row["reported_at"]),
        "bounced_count": sum(1 for row in rows if row["bounced_at"]),
    }


def campaign(
    campaign_id: int, name: str, frequency: str, tests: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """A phishing campaign as /v1/phishing/campaigns lists it, with its tests (`psts`)."""
    return {
        "campaign_id": campaign_id,
        "name": name,
        "groups": [{"group_id": 3101, "name": "All Staff"}],
        "last_phish_prone_percentage": tests[-1]["phish_prone_percentage"] if tests else 0.0,
        "last_run": tests[-1]["started_at"] if tests else None,
        "status": "Active",
        "hidden": False,
        "send_duration": "3 Business Days",
        "track_duration": "7 Days",
        "frequency": frequency,
        "difficulty_filter": [1, 2, 3, 4, 5],
        "create_date": _stamp(now - timedelta(days=200)),
        "psts_count": len(tests),
        "psts": [
            {
                "pst_id": test["pst_id"],
                "status": test["status"],
                "start_date": test["started_at"],
                "users_count": test["scheduled_count"],
                "phish_prone_percentage": test["phish_prone_percentage"],
            }
            for test in tests
        ],
    }


def demo_knowbe4_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange on KnowBe4: 12 active people and one who left. Most passed awareness
    training within the year; frank is past due, heidi in progress, ivan not started, mallory
    passed over a year ago. The admins: alice passed the lure module two months ago, bob never
    did (past due). Two phishing campaigns, six tests over five months: the organisation's
    phish-prone percentage falls from 25 % to 0 %, then rises again with the recruiter lure
    that bob (admin and treasury signer) clicked; dave failed four of the five finished
    tests; alice, carol and erin report every one; the latest test is still open, and
    oscar's message in it bounced."""
    now = now or datetime.now(UTC)
    users = [_user(i, *person[:4], now) for i, person in enumerate(PEOPLE)]
    by_name = {person[0]: user for person, user in zip(PEOPLE, users, strict=True)}
    enrollments: list[dict[str, Any]] = []
    next_id = 5001
    for (*_person, awareness), user in zip(PEOPLE, users, strict=True):
        if isinstance(awareness, int):
            completed = now - timedelta(days=awareness)
            enrollments.append(_enrollment(next_id, user, AWARENESS, "Passed", completed, now))
        else:
            enrollments.append(_enrollment(next_id, user, AWARENESS, awareness, None, now))
        enrollments.append(
            _enrollment(
                next_id + 1, user, POLICY, "Completed", now - timedelta(days=200), now, "Uploaded Policy"
            )
        )
        next_id += 2
    enrollments.append(_enrollment(next_id, by_name["alice"], LURE, "Passed", now - timedelta(days=60), now))
    enrollments.append(_enrollment(next_id + 1, by_name["bob"], LURE, "Past Due", None, now))

    security_tests: list[dict[str, Any]] = []
    recipients: dict[int, list[dict[str, Any]]] = {}
    recipient_id = 9001
    for index, (campaign_id, name, days_ago, status, outcomes) in enumerate(TESTS):
        pst_id = 301 + index
        started = now - timedelta(days=days_ago)
        rows = []
        for first, user in by_name.items():
            if user["status"] != "active":
                continue
            outcome = outcomes.get(first, "reported" if first in REPORTERS else "")
            rows.append(recipient(recipient_id, pst_id, index, name, user, started, outcome))
            recipient_id += 1
        recipients[pst_id] = rows
        security_tests.append(security_test(pst_id, campaign_id, index, name, status, started, rows))
    campaigns = [
        campaign(
            campaign_id, name, frequency, [t for t in security_tests if t["campaign_id"] == campaign_id], now
        )
        for campaign_id, name, frequency in CAMPAIGNS
    ]
    return {
        "users": users,
        "enrollments": enrollments,
        "campaigns": campaigns,
        "security_tests": security_tests,
        "recipients": recipients,
    }
