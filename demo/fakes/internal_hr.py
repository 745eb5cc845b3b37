"""A tiny internal HR roster API for the demo of the `internal_http` collector, and Acme
Exchange's roster.

`GET /api/v2/employees` answers `{"data": {"employees": [...]}, "next_cursor": "..."}`,
cursor paging with `cursor` / `limit` (default 50), bearer token auth, 401 as
`{"error": "unauthorized"}`. `demo_internal_hr_endpoint` gives the matching endpoint table.
"""

from __future__ import annotations

from typing import Any

from demo.fakes.server import FakeApi, Reply, Request

DEMO_TOKEN = "demo-internal-hr-token"  # noqa: S105 - the fake's own dummy credential
DEMO_TOKEN_VARIABLE = "ACME_HR_API_AUTH"  # noqa: S105 - a variable name; it holds "Bearer <token>"
DEFAULT_LIMIT = 50


def make_internal_hr_fake(data: dict[str, Any], token: str = DEMO_TOKEN) -> FakeApi:
    """`data`: {"employees": [...]} (see `demo_internal_hr_data`)."""
    fake = FakeApi(lambda request: request.headers.get("authorization") == f"Bearer {token}")

    def employees(request: Request) -> Reply:
        items = data.get("employees", [])
        try:
            start = int(request.query.get("cursor") or 0)
            limit = int(request.query.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            return Reply(400, {"error": "bad cursor or limit"})
        body: dict[str, Any] = {"data": {"employees": items[start : start + limit]}}
        if start + limit < len(items):
            body["next_cursor"] = str(start + limit)
        return Reply(200, body)

    fake.route("GET", "/api/v2/employees", employees)
    return fake


def demo_internal_hr_data() -> dict[str, Any]:
    """Acme Exchange's roster: the people the SaaS fakes know, plus a leaver whose accounts
    should be gone and a contractor."""
    people = [
        ("alice", "Head of Platform", "Engineering", "employee", "2021-03-01"),
        ("bob", "Treasury Operations Lead", "Finance", "employee", "2021-06-14"),
        ("carol", "Security Engineer", "Security", "employee", "2022-01-10"),
        ("dave", "Customer Support", "Support", "employee", "2023-04-03"),
        ("erin", "Compliance Officer", "Legal", "employee", "2022-09-19"),
        ("frank", "Backend Engineer", "Engineering", "employee", "2024-02-05"),
        ("grace", "Market Operations", "Trading", "employee", "2023-11-27"),
        ("heidi", "Data Analyst", "Data", "employee", "2025-01-13"),
        ("ivan", "Mobile Engineer", "Engineering", "contractor", "2026-05-04"),
        ("judy", "Recruiter", "People", "employee", "2024-07-22"),
        ("mallory", "Former DevOps Engineer", "Engineering", "terminated", "2020-10-01"),
    ]
    return {
        "employees": [
            {
                "employee_id": f"E{100 + n}",
                "work_email": f"{name}@acme.example",
                "full_name": f"{name.capitalize()} Acme",
                "job": {"title": title, "department": department},
                "employment_status": status,
                "start_date": f"{start}T09:00:00Z",
            }
            for n, (name, title, department, status, start) in enumerate(people)
        ]
    }


def demo_internal_hr_endpoint(base_url: str) -> dict[str, Any]:
    """The `[[sources.internal_http.endpoints]]` table that reads this roster as identities."""
    return {
        "name": "hr_roster",
        "url": f"{base_url}/api/v2/employees",
        "kind": "identity",
        "auth_env": DEMO_TOKEN_VARIABLE,
        "paging": "cursor",
        "cursor_field": "next_cursor",
        "cursor_param": "cursor",
        "items": "data.employees",
        # A roster, not a sign-in system: it says who works here, grants no access of its own.
        "constants": {
            "source": "hr",
            "account": "acme-hr",
            "person": True,
            "console_access": False,
            "privileged": False,
        },
        "fields": {
            "key": "employee_id",
            "email": "work_email",
            "name": "full_name",
            "created_at": "start_date",
            "suspended": "employment_status == 'terminated'",
        },
    }
