"""A loopback CrowdStrike Falcon Hosts API over an in-memory list of hosts, and Acme Exchange's
demo data.

Answers as CrowdStrike documents (https://developer.crowdstrike.com/api-reference/collections/hosts/;
falconpy `_endpoint/_hosts.py`, `_oauth2.py`; gofalcon `falcon/models/deviceapi_*`):
`POST /oauth2/token` (form `client_id`, `client_secret`; 201 with `access_token`,
`expires_in`), `GET /devices/queries/devices-scroll/v1` (`limit` 1-10000, the `offset` token
of the previous page; `meta.pagination` {offset, total, expires_at}),
`POST /devices/entities/devices/v2` (`{"ids": [...]}`, at most 5,000), every answer in the
`{"meta", "resources", "errors"}` envelope with `X-RateLimit-Limit` / `X-RateLimit-Remaining`,
and over the limit a 429 with `X-RateLimit-RetryAfter` (epoch seconds). Faults are queued
with `FakeApi.inject`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from demo.fakes.server import FakeApi, RateLimit, Reply, Request

DEMO_CLIENT_ID = "3f1c0ffee0a94b6d8e2a7c5b9d4e1f20"
DEMO_CLIENT_SECRET = "demo-falcon-client-secret-Xk29vQ"  # noqa: S105 - the fake's own dummy credential
DEMO_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-falcon-token"  # noqa: S105 - the fake's own
DEMO_CID = "9a8b7c6d5e4f30211f0e9d8c7b6a5f4e"
DEFAULT_LIMIT = 100
MAX_SCROLL_LIMIT = 10_000
MAX_DETAIL_IDS = 5000
SCROLL_EXPIRES = 120  # seconds: an offset token lives two minutes


def envelope(resources: Any, errors: list[dict[str, Any]] | None = None, **meta: Any) -> dict[str, Any]:
    """CrowdStrike's response body: meta (query_time, powered_by, trace_id, ...), resources, errors."""
    return {
        "meta": {"query_time": 0.004, "powered_by": "device-api", "trace_id": str(uuid.uuid4()), **meta},
        "resources": resources,
        "errors": errors or [],
    }


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, envelope([], [{"code": status, "message": message}]))


def rate_limit_headers(limit: int, remaining: int, _reset: float) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining)}


def rate_limit_refusal(limit: int, reset: float, _now: float) -> Reply:
    """Falcon's 429: the moment to retry at, in epoch seconds."""
    reply = error_reply(429, "API rate limit exceeded.")
    reply.headers = {"X-RateLimit-RetryAfter": str(int(reset) + 1)}
    return reply


def falcon_rate_limit(per_minute: int) -> RateLimit:
    return RateLimit(per_minute, refuse=rate_limit_refusal, headers=rate_limit_headers)


def _offset_token(position: int) -> str:
    """An opaque scroll token (Falcon's are base64 text)."""
    return (
        base64.urlsafe_b64encode(json.dumps({"v1": position, "q": "devices"}).encode()).decode().rstrip("=")
    )


def _position(token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    return int(json.loads(base64.urlsafe_b64decode(padded))["v1"])


def make_crowdstrike_fake(
    data: dict[str, Any],
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
    token: str = DEMO_TOKEN,
    rate_limit: RateLimit | None = None,
) -> FakeApi:
    """`data`: {"hosts": [device details as PostDeviceDetailsV2 returns them]}, read at every
    request (change it in place). `rate_limit`: the customer's limit (`falcon_rate_limit`),
    answered over with Falcon's 429 (None: unlimited)."""
    api = FakeApi(
        authorised=lambda request: True, rate_limit=rate_limit
    )  # handlers answer in Falcon's shapes

    def issue_token(request: Request) -> Reply:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("client_id") != client_id or form.get("client_secret") != client_secret:
            return error_reply(403, "access denied, invalid client")
        body = {"access_token": token, "token_type": "bearer", "expires_in": 1799}
        return Reply(201, body)

    def refused(request: Request) -> Reply | None:
        if request.headers.get("authorization") != f"Bearer {token}":
            return error_reply(401, "access denied, invalid bearer token")
        return None

    def scroll(request: Request) -> Reply:
        if (error := refused(request)) is not None:
            return error
        hosts = data.get("hosts", [])
        try:
            limit = int(request.query.get("limit") or DEFAULT_LIMIT)
            start = _position(request.query["offset"]) if request.query.get("offset") else 0
        except (ValueError, KeyError, TypeError):
            return error_reply(400, "Invalid offset or limit")
        if not 1 <= limit <= MAX_SCROLL_LIMIT:
            return error_reply(400, f"limit must be between 1 and {MAX_SCROLL_LIMIT}")
        end = min(start + limit, len(hosts))
        ids = [host["device_id"] for host in hosts[start:end]]
        expires_at = int((time.time() + SCROLL_EXPIRES) * 1e9)  # nanoseconds since the epoch
        pagination = {"offset": _offset_token(end), "expires_at": expires_at, "total": len(hosts)}
        return Reply(200, envelope(ids, pagination=pagination))

    def details(request: Request) -> Reply:
        if (error := refused(request)) is not None:
            return error
        try:
            ids = json.loads(request.body or b"{}").get("ids")
        except (ValueError, AttributeError):
            ids = None
        if not isinstance(ids, list) or not ids:
            return error_reply(400, "ids are required")
        if len(ids) > MAX_DETAIL_IDS:
            return error_reply(400, f"at most {MAX_DETAIL_IDS} ids a request")
        by_id = {host["device_id"]: host for host in data.get("hosts", [])}
        found = [by_id[host] for host in ids if host in by_id]
        missing = [
            {"code": 404, "message": f"Device {host} not found", "id": host}
            for host in ids
            if host not in by_id
        ]
        return Reply(200, envelope(found, missing))

    api.route("POST", "/oauth2/token", issue_token)
    api.route("GET", "/devices/queries/devices-scroll/v1", scroll)
    api.route("POST", "/devices/entities/devices/v2", details)
    return api


# --- Acme Exchange demo data ------------------------------------------------------------------

PREVENTION_POLICY = "b7e1f0c2a3d44e5f8a9b0c1d2e3f4a5b"  # "Acme workstations - aggressive"
# The demo's alias table: the sensor saw Carol sign in to her domain-joined laptop as
# ACME\carol (a Windows login, not an e-mail); the configuration ties it to her.
ALIASES = {"ACME\\carol": "carol@acme.example"}

# The kernel and build fields the sensor reports beside the product name in `os_version`
# (deviceapi.DeviceSwagger): major_version, minor_version, os_build, kernel_version. Windows
# gives the NT version (10.0 for Windows 10 and 11), a Mac the Darwin kernel's.
OS_FIELDS: dict[str, dict[str, str]] = {
    "Windows 11": {"major_version": "10", "minor_version": "0", "os_build": "22631",
                   "kernel_version": "10.0.22631.4460"},
    "Sequoia (15)": {"major_version": "24", "minor_version": "1", "os_build": "24B83",
                     "kernel_version": "24.1.0"},
    "Sonoma (14)": {"major_version": "23", "minor_version": "6", "os_build": "23G93",
                    "kernel_version": "23.6.0"},
    "Ubuntu 22.04": {"kernel_version": "5.15.0-126-generic"},
}  # fmt: skip

# (hostname, serial, platform_name, os_version, last_login_user, status, reduced mode, hours since seen)
HOSTS: list[tuple[str, str, str, str, str, str, str, float]] = [
    ("ALICE-MBP", "C02ALICE01", "Mac", "Sequoia (15)", "alice@acme.example", "normal", "no", 2),
    ("BOB-MBP", "C02BOB0001", "Mac", "Sequoia (15)", "bob@acme.example", "normal", "no", 5),
    ("CAROL-LT", "PF3CAROL01", "Windows", "Windows 11", "ACME\\carol", "normal", "no", 1),
    ("ivan-thinkpad", "PF4IVAN001", "Linux", "Ubuntu 22.04", "ivan@acme.example", "normal", "no", 20),
    ("DAVE-MBP", "C02DAVE001", "Mac", "Sonoma (14)", "dave@acme.example", "normal", "yes", 3),
    ("GRACE-MBP", "C02GRACE01", "Mac", "Sequoia (15)", "grace@acme.example", "normal", "no", 4),
    # Grace's home PC: the sensor is on it, but no device manager lists it (unmanaged).
    ("GRACE-HOME", "GRACEHOME01", "Windows", "Windows 11", "grace@acme.example", "normal", "no", 30),
    # Network contained after a detection: an incident in progress.
    ("MALLORY-PC", "PF2MALL001", "Windows", "Windows 11", "mallory@acme.example", "contained", "no", 6),
]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _policy(policy_id: str, policy_type: str, applied_at: datetime) -> dict[str, Any]:
    return {
        "policy_type": policy_type,
        "policy_id": policy_id,
        "applied": True,
        "settings_hash": "a1b2c3d4",
        "assigned_date": _stamp(applied_at - timedelta(minutes=5)),
        "applied_date": _stamp(applied_at),
        "rule_groups": [],
    }


def _host(index: int, row: tuple[str, str, str, str, str, str, str, float], now: datetime) -> dict[str, Any]:
    hostname, serial, platform, os_version, user, status, reduced, hours = row
    device_id = f"{index + 1:02d}" + uuid.uuid5(uuid.NAMESPACE_DNS, hostname.lower()).hex[2:]
    seen = now - timedelta(hours=hours)
    windows = platform == "Windows"
    return {
        "device_id": device_id,
        "cid": DEMO_CID,
        "agent_load_flags": "0",
        "agent_local_time": _stamp(seen),
        "agent_version": "7.19.18913.0" if windows else "7.19.18803.0",
        "bios_manufacturer": "LENOVO" if windows or platform == "Linux" else "Apple Inc.",
        "config_id_base": "65994763",
        "config_id_build": "18913",
        "config_id_platform": "3" if windows else "4",
        "external_ip": f"203.0.113.{20 + index}",
        "first_seen": _stamp(now - timedelta(days=200 + index)),
        "hostname": hostname,
        "last_seen": _stamp(seen),
        "local_ip": f"10.20.0.{20 + index}",
        "mac_address": f"3c-22-fb-00-00-{index:02x}",
        "machine_domain": "acme.example" if windows and "\\" in user else "",
        "modified_timestamp": _stamp(seen),
        "os_version": os_version,
        **OS_FIELDS[os_version],
        "platform_id": "0" if windows else ("1" if platform == "Mac" else "3"),
        "platform_name": platform,
        "product_type_desc": "Workstation",
        "reduced_functionality_mode": reduced,
        "serial_number": serial,
        "status": status,
        "system_manufacturer": "Apple Inc." if platform == "Mac" else "LENOVO",
        "last_login_user": user,
        "last_login_timestamp": _stamp(seen - timedelta(hours=1)),
        "device_policies": {
            "prevention": _policy(PREVENTION_POLICY, "prevention", now - timedelta(days=20)),
            "sensor_update": _policy(
                "c0ffee00c0ffee00c0ffee00c0ffee00", "sensor-update", now - timedelta(days=20)
            ),
        },
        "groups": [],
        "tags": ["FalconGroupingTags/Workstation"],
    }


def demo_crowdstrike_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange's sensors, seen relative to `now` (default: the clock). Erin has none."""
    moment = now or datetime.now(UTC)
    return {"hosts": [_host(index, row, moment) for index, row in enumerate(HOSTS)]}
