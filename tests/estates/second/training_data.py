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
    started = now - timedelta(days=20)
    test = {
        "campaign_id": 99001,
        "pst_id": 99101,
        "status": "Closed",
        "name": "Recruiter InMail with a take-home test",
        "groups": [{"group_id": 88001, "name": "Everyone"}],
        "phish_prone_percentage": 20.0,
        "started_at": _stamp(started),
        "duration": 3,
        "categories": [{"category_id": 501, "name": "Social Networking"}],
        "template": {"id": 3001, "name": "Recruiter InMail"},
        "landing-page": {"id": 4001, "name": "Oops"},
        "scheduled_count": 5,
        "delivered_count": 5,
        "opened_count": 2,
        "clicked_count": 1,
        "replied_count": 0,
        "attachment_open_count": 0,
        "macro_enabled_count": 0,
        "data_entered_count": 0,
        "qr_code_scanned_count": 0,
        "reported_count": 1,
        "bounced_count": 0,
    }
    delivered = started + timedelta(minutes=3)
    recipients = []
    for n, first in enumerate(("nadia", "omar", "priya", "sam", "tara"), start=1):
        clicked = first == "omar"
        reported = first == "nadia"
        recipients.append(
            {
                "recipient_id": 99200 + n,
                "pst_id": 99101,
                "user": {
                    "id": PEOPLE[first][0],
                    "provisioning_guid": None,
                    "first_name": first.capitalize(),
                    "last_name": "Northwind",
                    "email": f"{first}@northwind.example",
                },
                "template": {"id": 3001, "name": "Recruiter InMail"},
                "scheduled_at": _stamp(started),
                "delivered_at": _stamp(delivered),
                "opened_at": _stamp(delivered + timedelta(hours=1)) if clicked or reported else None,
                "clicked_at": _stamp(delivered + timedelta(hours=1, minutes=2)) if clicked else None,
                "replied_at": None,
                "attachment_opened_at": None,
                "macro_enabled_at": None,
                "data_entered_at": None,
                "qr_code_scanned": None,
                "reported_at": _stamp(delivered + timedelta(hours=1, minutes=5)) if reported else None,
                "bounced_at": None,
                "ip": None,
                "ip_location": None,
                "browser": None,
                "browser_version": None,
                "os": None,
            }
        )
    return {
        "users": [_user(first, now) for first in PEOPLE],
        "enrollments": enrollments,
        "security_tests": [test],
        "recipients": {99101: recipients},
    }
