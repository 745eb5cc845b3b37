"""Acme Exchange's Google Workspace login and user accounts audit for the loopback Workspace
(demo/fakes/google_workspace.py): `admin#reports#activity` resources as the Reports API's
activities.list returns them, dated back from the demo's `now`.
Activities: https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parameter(name: str, value: Any) -> dict[str, Any]:
    """An event parameter as the Reports API writes it: `boolValue`, `multiValue` or `value`."""
    if isinstance(value, bool):
        return {"name": name, "boolValue": value}
    if isinstance(value, list):
        return {"name": name, "multiValue": value}
    return {"name": name, "value": value}


def activity(
    qualifier: str,
    application: str,
    when: datetime,
    actor: str,
    events: list[tuple[str, str, dict[str, Any]]],
    ip: str = "203.0.113.10",
    customer_id: str = "C03acme01",
) -> dict[str, Any]:
    """One `admin#reports#activity`: `events` as (type, name, parameters)."""
    return {
        "kind": "admin#reports#activity",
        "etag": f'"etag-{qualifier}"',
        "id": {
            "time": _rfc3339(when),
            "uniqueQualifier": qualifier,
            "applicationName": application,
            "customerId": customer_id,
        },
        "actor": {
            "callerType": "USER",
            "email": actor,
            "profileId": f"1170000{zlib.crc32(actor.encode()):012d}",
        },
        "ipAddress": ip,
        "events": [
            {"type": kind, "name": name, "parameters": [parameter(k, v) for k, v in given.items()]}
            for kind, name, given in events
        ],
    }


def _login(
    login_type: str = "google_password", methods: list[str] | None = None, suspicious: bool = False
) -> dict:
    return {
        "login_type": login_type,
        "login_challenge_method": methods if methods is not None else ["password", "google_prompt"],
        "is_suspicious": suspicious,
    }


def demo_login_activities(now: datetime) -> list[dict[str, Any]]:
    """Acme's login audit: Dave signed in 1 day ago from an
    address Google found suspicious (a login_success with is_suspicious and a suspicious_login
    warning); a government-backed attack warning for Peggy 6 days ago; ordinary sign-ins over
    the fortnight; one sign-in 20 days ago, outside the collector's default 14-day window."""
    day = timedelta(days=1)
    ordinary = [
        ("alice@acme.example", 0.5, "198.51.100.21"),
        ("bob@acme.example", 1.5, "198.51.100.34"),
        ("erin@acme.example", 2.2, "198.51.100.40"),
        ("alice@acme.example", 3.1, "198.51.100.21"),
        ("carol@acme.example", 4.2, "198.51.100.52"),
        ("bob@acme.example", 7.3, "198.51.100.34"),
        ("erin@acme.example", 9.6, "198.51.100.40"),
        ("alice@acme.example", 12.8, "198.51.100.21"),
    ]
    found = [
        activity(
            f"-52089362473154230{n:02d}",
            "login",
            now - days * day,
            user,
            [("login", "login_success", _login())],
            ip,
        )
        for n, (user, days, ip) in enumerate(ordinary, start=1)
    ]
    found += [
        activity(
            "-5208936247315423021",
            "login",
            now - day,
            "dave@acme.example",
            [("login", "login_success", _login(methods=["password"], suspicious=True))],
            "185.220.101.7",
        ),
        activity(
            "-5208936247315423022",
            "login",
            now - day + timedelta(minutes=2),
            "dave@acme.example",
            [("account_warning", "suspicious_login", {"affected_email_address": "dave@acme.example"})],
            "185.220.101.7",
        ),
        activity(
            "-5208936247315423023",
            "login",
            now - 6 * day,
            "peggy@acme.example",
            [("attack_warning", "gov_attack_warning", {"affected_email_address": "peggy@acme.example"})],
            "198.51.100.77",
        ),
        activity(
            "-5208936247315423024",
            "login",
            now - 2 * day,
            "erin@acme.example",
            [("logout", "logout", {"login_type": "google_password"})],
            "198.51.100.40",
        ),
        activity(
            "-5208936247315423025",
            "login",
            now - 20 * day,
            "alice@acme.example",
            [("login", "login_success", _login())],
            "198.51.100.21",
        ),
    ]
    return found


def demo_user_accounts_activities(now: datetime) -> list[dict[str, Any]]:
    """Acme's user accounts audit, where Google now logs a user's own 2SV changes
    (https://developers.google.com/admin-sdk/reports/v1/appendix/activity/user-accounts):
    Carol enrolled in 2SV 4 days ago; Erin changed her password (no factor change)."""
    day = timedelta(days=1)
    return [
        activity(
            "-5208936247315423020",
            "user_accounts",
            now - 4 * day,
            "carol@acme.example",
            [("2sv_change", "2sv_enroll", {})],
            "198.51.100.52",
        ),
        activity(
            "-5208936247315423026",
            "user_accounts",
            now - 5 * day,
            "erin@acme.example",
            [("password_change", "password_edit", {})],
            "198.51.100.40",
        ),
    ]
