"""Northwind's Google Workspace directory, HR roster and LMS export, written from the Admin SDK
Directory API's User resource (users.list: `users`, `nextPageToken`), the internal roster's
own contract (demo/fakes/internal_hr.py: `{"data": {"employees"}, "next_cursor"}`)
and the training_csv source's columns. Not derived from the demo's data.

Google (pages of 2): nadia super admin, 2SV enrolled and enforced (/Security); priya enrolled,
not enforced (/Engineering); sam neither; tara a delegated admin, enrolled and enforced;
quentin suspended; rosa archived (archived users cannot sign in); deploy-bot, a service user
(`*-bot@*`) without 2SV. Optional fields (phones, organizations, recoveryEmail, aliases ...)
are absent, as they are for users who never set them.

HR roster (pages of 3): everyone employed, quentin on leave (still employed), rosa terminated,
uri a new hire with no account anywhere yet.

LMS CSV: tara passed an in-house "Deepfake recruiter calls" workshop 20 days ago; uri's
awareness course is in progress and was due 5 days ago.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CUSTOMER = "C04nw7x2q"
NEVER = "1970-01-01T00:00:00.000Z"  # Google's lastLoginTime for "never signed in"
GOOGLE_IDS = {
    "nadia": "108234567890123450001",
    "priya": "108234567890123450002",
    "sam": "108234567890123450003",
    "tara": "108234567890123450004",
    "quentin": "108234567890123450005",
    "rosa": "108234567890123450006",
    "deploy-bot": "108234567890123450007",
}


def _google_user(
    local: str,
    full_name: str,
    org_unit: str,
    last_login: str,
    *,
    admin: bool = False,
    delegated: bool = False,
    enrolled: bool = False,
    enforced: bool = False,
    suspended: bool = False,
    archived: bool = False,
) -> dict[str, Any]:
    given, _, family = full_name.partition(" ")
    email = f"{local}@northwind.example"
    return {
        "kind": "admin#directory#user",
        "id": GOOGLE_IDS[local],
        "etag": f'"nw-{local}"',
        "primaryEmail": email,
        "name": {"givenName": given, "familyName": family, "fullName": full_name},
        "isAdmin": admin,
        "isDelegatedAdmin": delegated,
        "lastLoginTime": last_login,
        "creationTime": "2025-01-13T08:00:00.000Z",
        "agreedToTerms": True,
        "suspended": suspended,
        "archived": archived,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}],
        "customerId": CUSTOMER,
        "orgUnitPath": org_unit,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": enrolled,
        "isEnforcedIn2Sv": enforced,
        "includeInGlobalAddressList": True,
    }


def google_data() -> dict[str, Any]:
    users = [
        _google_user(
            "nadia",
            "Nadia Haddad",
            "/Security",
            "2026-12-02T07:40:00.000Z",
            admin=True,
            enrolled=True,
            enforced=True,
        ),
        _google_user("priya", "Priya Raman", "/Engineering", NEVER, enrolled=True),
        _google_user("sam", "Sam Kowalski", "/Sales", "2026-11-28T13:00:00.000Z"),
        _google_user(
            "tara",
            "Tara Nwosu",
            "/IT",
            "2026-12-02T08:31:00.000Z",
            delegated=True,
            enrolled=True,
            enforced=True,
        ),
        _google_user(
            "quentin",
            "Quentin Abara",
            "/Operations",
            "2026-08-14T09:00:00.000Z",
            enrolled=True,
            suspended=True,
        ),
        _google_user(
            "rosa", "Rosa Ferreira", "/Alumni", "2026-06-30T17:00:00.000Z", enrolled=True, archived=True
        ),
        _google_user("deploy-bot", "Deploy Bot", "/Automation", "2026-12-02T02:00:00.000Z"),
    ]
    return {"customer_id": CUSTOMER, "users": users}


HR_TOKEN = "northwind-hr-token"  # noqa: S105 - the fake's own dummy credential
HR_TOKEN_VARIABLE = "NORTHWIND_HR_AUTH"  # noqa: S105 - a variable name


def hr_data() -> dict[str, Any]:
    people = [
        ("E201", "nadia", "Nadia Haddad", "employee", "2021-02-01"),
        ("E202", "omar", "Omar Lindgren", "employee", "2022-05-16"),
        ("E203", "priya", "Priya Raman", "employee", "2023-03-06"),
        ("E204", "quentin", "Quentin Abara", "employee", "2023-09-11"),  # on leave
        ("E205", "rosa", "Rosa Ferreira", "terminated", "2021-02-01"),
        ("E206", "sam", "Sam Kowalski", "employee", "2024-04-08"),
        ("E207", "tara", "Tara Nwosu", "employee", "2024-10-14"),
        ("E208", "uri", "Uri Levi", "employee", "2026-11-30"),  # joined last week
    ]
    return {
        "employees": [
            {
                "employee_id": ident,
                "work_email": f"{local}@northwind.example",
                "full_name": name,
                "job": {"title": "", "department": ""},
                "employment_status": status,
                "start_date": f"{start}T08:00:00Z",
            }
            for ident, local, name, status, start in people
        ]
    }


def hr_endpoint(base_url: str) -> dict[str, Any]:
    """`[[sources.internal_http.endpoints]]`: the roster read as identities (no sign-in)."""
    return {
        "name": "hr_roster",
        "url": f"{base_url}/api/v2/employees?limit=3",
        "kind": "identity",
        "auth_env": HR_TOKEN_VARIABLE,
        "paging": "cursor",
        "cursor_field": "next_cursor",
        "cursor_param": "cursor",
        "items": "data.employees",
        "constants": {
            "source": "hr",
            "account": "northwind-hr",
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


CSV_LABEL = "northwind-lms"
URI_COURSE = "Security Awareness: first week"


def write_training_csv(path: Path, now: datetime) -> Path:
    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()

    rows = [
        ("email", "name", "module", "category", "status", "completed_at", "due_at"),
        ("tara@northwind.example", "Tara Nwosu", "Deepfake recruiter calls", "", "Passed", day(20), ""),
        ("uri@northwind.example", "Uri Levi", URI_COURSE, "awareness", "In Progress", "", day(5)),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path
