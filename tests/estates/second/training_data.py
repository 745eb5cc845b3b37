"""Northwind on KnowBe4 as the Reporting API returns it (raw JSON: users, training
enrollments, phishing security tests and their recipients), written from the KnowBe4
Reporting API reference. Dates are relative to `now`, far from every policy bound, so the
verdicts do not depend on the day the test runs.

- nadia: awareness passed 30 days ago, lure module passed 40 days ago; 0 % phish-prone.
- omar: awareness passed 100 days ago, no lure module; 20 % phish-prone; a policy
  acknowledgement (Uploaded Policy, not training).
- priya: awareness 200 days ago, lure module 300 days ago; 4 %.
- quentin (suspended in Okta, still active here): awareness Past Due; 12.5 %.
- sam: awareness 50 days ago; 0 %.
- tara: awareness 10 days ago, lure module In Progress; 0 %.
- rosa: archived (left), her old enrollment excluded by `exclude_archived_users=true`.

Six phishing tests in two campaigns (see TESTS): omar fails three, priya and rosa one, sam
clicks in the one still open; P2's recipient listing is one short of what KnowBe4 scheduled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

AWARENESS = ("Security Awareness Training 2026", "Annual awareness")
LURE = ("Fake Recruiters and Coding Tests", "Signers and admins: social engineering")
POLICY = ("Information Security Policy", "Policies")

PEOPLE = {  # first name -> (user id, status, phish-prone %)
    "nadia": (710001, "active", 0.0),
    "omar": (710002, "active", 20.0),
    "priya": (710003, "active", 4.0),
    "quentin": (710004, "active", 12.5),
    "rosa": (710005, "archived", 50.0),
    "sam": (710006, "active", 0.0),
    "tara": (710007, "active", 0.0),
}


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def _user(first: str, now: datetime) -> dict[str, Any]:
    user_id, status, ppp = PEOPLE[first]
    return {
        "id": user_id,
        "employee_number": f"NW{user_id % 1000:03d}",
        "first_name": first.capitalize(),
        "last_name": "Northwind",
        "job_title": "",
        "email": f"{first}@northwind.example",
        "phish_prone_percentage": ppp,
        "phone_number": "",
        "extension": "",
        "mobile_phone_number": "",
        "location": "Stockholm",
        "division": "",
        "manager_name": "",
        "manager_email": "",
        "provisioning_managed": False,
        "provisioning_guid": None,
        "groups": [88001],
        "current_risk_score": 20 + ppp,
        "aliases": [],
        "joined_on": _stamp(now - timedelta(days=600)),
        "last_sign_in": _stamp(now - timedelta(days=5)),
        "status": status,
        "organization": "Northwind Digital Assets",
        "department": "",
        "language": "English - United States",
        "comment": "",
        "employee_start_date": None,
        "archived_at": _stamp(now - timedelta(days=150)) if status == "archived" else None,
        "custom_field_1": None,
        "custom_date_1": None,
    }


def _enrollment(
    enrollment_id: int,
    first: str,
    content: tuple[str, str],
    status: str,
    days_ago: int | None,
    now: datetime,
    content_type: str = "Store Purchase",
) -> dict[str, Any]:
    user_id = PEOPLE[first][0]
    completed = now - timedelta(days=days_ago) if days_ago is not None else None
    enrolled = (completed or now) - timedelta(days=20)
    return {
        "enrollment_id": enrollment_id,
        "content_type": content_type,
        "module_name": content[0],
        "user": {
            "id": user_id,
            "first_name": first.capitalize(),
            "last_name": "Northwind",
            "email": f"{first}@northwind.example",
        },
        "campaign_name": content[1],
        "enrollment_date": _stamp(enrolled),
        "start_date": _stamp(enrolled + timedelta(days=1)) if status != "Not Started" else None,
        "completion_date": _stamp(completed),
        "status": status,
        "time_spent": 1500 if completed else 0,
        "policy_acknowledged": content_type == "Uploaded Policy" and completed is not None,
    }


# Phishing campaigns and their tests (phishing security tests), P1-P6. Outcomes per
# recipient: "" (did nothing), "clicked", "data" (clicked and entered data), "reported",
# "bounced". `scheduled` is KnowBe4's scheduled_count: P2 scheduled 6 recipients but its
# recipient listing holds 5 (priya's row is not in it). P3-P6 went to the operations group,
# which priya is not in.
CAMPAIGNS = [(99001, "Quarterly baseline"), (99002, "Recruiter lures")]
TESTS: list[tuple[int, int, str, int, str, int, dict[str, str]]] = [
    (99097, 99001, "Invoice from a market maker", 200, "Closed", 7,
     {"nadia": "reported", "omar": "clicked", "priya": "clicked", "quentin": "", "rosa": "clicked", "sam": "", "tara": ""}),
    (99098, 99001, "Payroll change request", 150, "Closed", 6,
     {"nadia": "reported", "omar": "data", "quentin": "", "sam": "", "tara": ""}),
    (99099, 99001, "Shared audit folder", 110, "Closed", 5,
     {"nadia": "reported", "omar": "", "quentin": "", "sam": "", "tara": ""}),
    (99100, 99001, "Conference badge pickup", 80, "Closed", 5,
     {"nadia": "reported", "omar": "", "quentin": "", "sam": "", "tara": ""}),
    (99101, 99002, "Recruiter InMail with a take-home test", 20, "Closed", 5,
     {"nadia": "reported", "omar": "clicked", "quentin": "", "sam": "", "tara": ""}),
    (99102, 99002, "Collaborator's whitepaper", 3, "Open", 5,
     {"nadia": "", "omar": "", "quentin": "", "sam": "clicked", "tara": ""}),
]  # fmt: skip


def _recipient(pst_id: int, n: int, first: str, name: str, started: datetime, outcome: str) -> dict[str, Any]:
    delivered = started + timedelta(minutes=3)
    acted = outcome not in ("", "bounced")
    clicked = outcome in ("clicked", "data")
    return {
        "recipient_id": pst_id * 10 + n,
        "pst_id": pst_id,
        "user": {
            "id": PEOPLE[first][0],
            "provisioning_guid": None,
            "first_name": first.capitalize(),
            "last_name": "Northwind",
            "email": f"{first}@northwind.example",
        },
        "template": {"id": 3001, "name": name},
        "scheduled_at": _stamp(started),
        "delivered_at": None if outcome == "bounced" else _stamp(delivered),
        "opened_at": _stamp(delivered + timedelta(hours=1)) if acted else None,
        "clicked_at": _stamp(delivered + timedelta(hours=1, minutes=2)) if clicked else None,
        "replied_at": None,
        "attachment_opened_at": None,
        "macro_enabled_at": None,
        "data_entered_at": _stamp(delivered + timedelta(hours=1, minutes=4)) if outcome == "data" else None,
        "qr_code_scanned": None,
        "reported_at": _stamp(delivered + timedelta(hours=1, minutes=5)) if outcome == "reported" else None,
        "bounced_at": _stamp(delivered) if outcome == "bounced" else None,
        "ip": None,
        "ip_location": None,
        "browser": None,
        "browser_version": None,
        "os": None,
    }


def _security_test(
    pst_id: int, campaign_id: int, name: str, status: str, started: datetime, scheduled: int, rows: list[dict]
) -> dict[str, Any]:
    count = lambda field: sum(1 for row in rows if row[field])  # noqa: E731
    delivered = count("delivered_at")
    failures = count("clicked_at") + count("data_entered_at")
    return {
        "campaign_id": campaign_id,
        "pst_id": pst_id,
        "status": status,
        "name": name,
        "groups": [
            {
                "group_id": 88001 if pst_id < 99099 else 88002,
                "name": "Everyone" if pst_id < 99099 else "Operations",
            }
        ],
        "phish_prone_percentage": round(100 * failures / delivered, 1) if delivered else 0.0,
        "started_at": _stamp(started),
        "duration": 3,
        "categories": [{"category_id": 501, "name": "Social Networking"}],
        "template": {"id": 3001, "name": name},
        "landing-page": {"id": 4001, "name": "Oops"},
        "scheduled_count": scheduled,
        "delivered_count": delivered,
        "opened_count": count("opened_at"),
        "clicked_count": count("clicked_at"),
        "replied_count": 0,
        "attachment_open_count": 0,
        "macro_enabled_count": 0,
        "data_entered_count": count("data_entered_at"),
        "qr_code_scanned_count": 0,
        "reported_count": count("reported_at"),
        "bounced_count": count("bounced_at"),
    }


def _campaign(campaign_id: int, name: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "name": name,
        "groups": tests[0]["groups"],
        "last_phish_prone_percentage": tests[-1]["phish_prone_percentage"],
        "last_run": tests[-1]["started_at"],
        "status": "Active",
        "hidden": False,
        "send_duration": "3 Business Days",
        "track_duration": "3 Days",
        "frequency": "Monthly",
        "difficulty_filter": [1, 2, 3, 4, 5],
        "create_date": tests[0]["started_at"],
        "psts_count": len(tests),
        "psts": [
            {
                "pst_id": t["pst_id"],
                "status": t["status"],
                "start_date": t["started_at"],
                "users_count": t["scheduled_count"],
                "phish_prone_percentage": t["phish_prone_percentage"],
            }
            for t in tests
        ],
    }


def knowbe4_data(now: datetime) -> dict[str, Any]:
    enrollments = [
        _enrollment(1, "nadia", AWARENESS, "Passed", 30, now),
        _enrollment(2, "nadia", LURE, "Passed", 40, now),
        _enrollment(3, "omar", AWARENESS, "Passed", 100, now),
        _enrollment(4, "priya", AWARENESS, "Passed", 200, now),
        _enrollment(5, "priya", LURE, "Passed", 300, now),
        _enrollment(6, "quentin", AWARENESS, "Past Due", None, now),
        _enrollment(7, "sam", AWARENESS, "Passed", 50, now),
        _enrollment(8, "tara", AWARENESS, "Passed", 10, now),
        _enrollment(9, "tara", LURE, "In Progress", None, now),
        _enrollment(10, "rosa", AWARENESS, "Passed", 500, now),
        _enrollment(11, "omar", POLICY, "Completed", 60, now, "Uploaded Policy"),
    ]
    tests, recipients = [], {}
    for pst_id, campaign_id, name, days_ago, status, scheduled, outcomes in TESTS:
        started = now - timedelta(days=days_ago)
        rows = [
            _recipient(pst_id, n, first, name, started, outcome)
            for n, (first, outcome) in enumerate(outcomes.items())
        ]
        recipients[pst_id] = rows
        tests.append(_security_test(pst_id, campaign_id, name, status, started, scheduled, rows))
    campaigns = [
        _campaign(campaign_id, name, [t for t in tests if t["campaign_id"] == campaign_id])
        for campaign_id, name in CAMPAIGNS
    ]
    return {
        "users": [_user(first, now) for first in PEOPLE],
        "enrollments": enrollments,
        "campaigns": campaigns,
        "security_tests": tests,
        "recipients": recipients,
    }
