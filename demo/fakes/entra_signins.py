"""Acme Exchange's Entra sign-in log (`auditLogs/signIns`) and directory audit log
(`auditLogs/directoryAudits`) for the loopback Entra (demo/fakes/entra.py), in the shapes
List signIns and List directoryAudits (Graph v1.0) document, dated back from the demo's `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sign_in(
    number: int,
    at: datetime,
    upn: str,
    ip: str,
    place: tuple[str, str, float, float],
    device: tuple[str, bool | None, bool | None],
    *,
    error: tuple[int, str] | None = None,
    risks: tuple[str, ...] = (),
    interactive: bool = True,
) -> dict[str, Any]:
    """A signIn as List signIns (v1.0) shows one; `place` (city, country, latitude,
    longitude), `device` (deviceId, isCompliant, isManaged), `error` (errorCode, failureReason).
    A non-interactive one (a client refreshing a token) carries the beta's `signInEventTypes`,
    and only the beta endpoint lists it."""
    city, country, latitude, longitude = place
    device_id, compliant, managed = device
    code, reason = error or (0, None)
    return {
        "id": f"6b1f0c2e-{number:04d}-4e5d-9a1b-acmesignin{number:02d}",
        "createdDateTime": _graph_time(at),
        "userDisplayName": upn.split("@")[0].title(),
        "userPrincipalName": upn,
        "userId": f"3c9e1a40-0000-4000-8000-1000000000{number:02d}",
        "appId": "00000002-0000-0ff1-ce00-000000000000",
        "appDisplayName": "Office 365 Exchange Online",
        "ipAddress": ip,
        "clientAppUsed": "Browser" if interactive else "Mobile Apps and Desktop clients",
        "correlationId": f"d79f5bee-5860-4832-928f-3133e22ae9{number:02d}",
        "conditionalAccessStatus": "success" if code == 0 else "notApplied",
        "isInteractive": interactive,
        "signInEventTypes": ["interactiveUser" if interactive else "nonInteractiveUser"],
        "riskDetail": "none",
        "riskLevelAggregated": "medium" if risks else "none",
        "riskLevelDuringSignIn": "medium" if risks else "none",
        "riskState": "atRisk" if risks else "none",
        "riskEventTypes": list(risks),
        "riskEventTypes_v2": list(risks),
        "resourceDisplayName": "Office 365 Exchange Online",
        "resourceId": "00000002-0000-0ff1-ce00-000000000000",
        "status": {"errorCode": code, "failureReason": reason, "additionalDetails": None},
        "deviceDetail": {
            "deviceId": device_id,
            "displayName": None,
            "operatingSystem": "MacOs",
            "browser": "Chrome 131.0.0",
            "isCompliant": compliant,
            "isManaged": managed,
            "trustType": "Azure AD joined" if managed else None,
        },
        "location": {
            "city": city,
            "state": None,
            "countryOrRegion": country,
            "geoCoordinates": {"altitude": None, "latitude": latitude, "longitude": longitude},
        },
        "appliedConditionalAccessPolicies": [],
    }


def _audit(
    number: int,
    at: datetime,
    activity: str,
    target: str,
    initiator: str,
    service: str = "Authentication Methods",
) -> dict[str, Any]:
    """A directoryAudit as List directoryAudits (v1.0) shows one."""
    return {
        "id": f"Authentication Methods_{number:04d}-acme-{number:02d}",
        "category": "UserManagement",
        "correlationId": f"da159bfb-54fa-4092-8a38-6e1fa7870e{number:02d}",
        "result": "success",
        "resultReason": "User registered Authenticator App with Notification and Code",
        "activityDisplayName": activity,
        "activityDateTime": _graph_time(at),
        "loggedByService": service,
        "operationType": "Add",
        "initiatedBy": {
            "app": None,
            "user": {
                "id": f"3c9e1a40-0000-4000-8000-2000000000{number:02d}",
                "displayName": None,
                "userPrincipalName": initiator,
                "ipAddress": "203.0.113.10",
            },
        },
        "targetResources": [
            {
                "id": f"3c9e1a40-0000-4000-8000-3000000000{number:02d}",
                "displayName": None,
                "type": "User",
                "userPrincipalName": target,
                "groupType": None,
                "modifiedProperties": [],
            }
        ],
        "additionalDetails": [],
    }


FRANK_LAPTOP = ("0f4c1b8e-5a6d-4c3b-9e2f-frankmacbook", True, True)
LISBON = ("Lisbon", "PT", 38.7223, -9.1393)


def demo_sign_in_logs(now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Acme's sign-in and audit logs, dated back from `now`: Erin signed in two days ago through
    an anonymising proxy from a device nobody manages; Frank signs in from his managed laptop
    and registered a new authenticator five days ago; someone failed Alice's password six days
    ago; Henry's compliant laptop. Older entries (20 and 40 days) lie outside the default
    14-day window, and an entry of another service is not an authentication method's. Two
    non-interactive sign-ins, which only the beta endpoint lists: Frank's laptop refreshing
    its token, and Henry's session replayed three days ago from an unmanaged device behind an
    anonymising proxy (what a stolen session looks like)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    day = timedelta(days=1)
    sign_ins = [
        _sign_in(1, now - 1 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP),
        _sign_in(
            2,
            now - 2 * day,
            "erin@acme.example",
            "198.51.100.23",
            ("Amsterdam", "NL", 52.3676, 4.9041),
            ("", False, False),
            risks=("anonymizedIPAddress",),
        ),
        _sign_in(3, now - 3 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP),
        _sign_in(
            4,
            now - 1 * day - timedelta(hours=5),
            "henry@acme.example",
            "203.0.113.11",
            LISBON,
            ("7d2e9a10-3b4c-4d5e-8f60-henrythinkpad", True, None),
        ),
        _sign_in(5, now - 4 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP),
        _sign_in(
            6,
            now - 6 * day,
            "Alice@Acme.example",
            "192.0.2.44",
            ("Kyiv", "UA", 50.4501, 30.5234),
            ("", None, None),
            error=(50126, "Error validating credentials due to invalid username or password."),
        ),
        _sign_in(7, now - 8 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP),
        _sign_in(8, now - 20 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP),
        _sign_in(
            9, now - 2 * day, "frank@acme.example", "203.0.113.10", LISBON, FRANK_LAPTOP, interactive=False
        ),
        _sign_in(
            10,
            now - 3 * day,
            "henry@acme.example",
            "185.220.101.7",
            ("Frankfurt am Main", "DE", 50.1109, 8.6821),
            ("", False, False),
            risks=("anonymizedIPAddress",),
            interactive=False,
        ),
    ]
    audits = [
        _audit(1, now - 5 * day, "User registered security info", "frank@acme.example", "frank@acme.example"),
        _audit(
            2,
            now - 5 * day + timedelta(minutes=1),
            "Update user",
            "frank@acme.example",
            "frank@acme.example",
            "Core Directory",
        ),
        _audit(
            3, now - 40 * day, "Admin registered security info", "frank@acme.example", "alice@acme.example"
        ),
    ]
    return {"sign_ins": sign_ins, "directory_audits": audits}
