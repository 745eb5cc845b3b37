"""A loopback Fleet REST API (fleetdm.com/docs/rest-api/rest-api) over an in-memory dataset,
and Acme Exchange's demo hosts.

Answers as Fleet documents: bearer API token; `GET /api/v1/fleet/hosts` in numbered pages
(`page` from 0, `per_page`, `order_key` / `order_direction`), `{"hosts": []}` past the last
page; `GET /api/v1/fleet/hosts/:id` (`{"host": {...}}` with `policies` and
`disk_encryption_enabled`, which the listing does not carry; `exclude_software`);
`GET /api/v1/fleet/hosts/:id/device_mapping`; Fleet's error body (`message`, `errors`) for
an unknown host or a bad parameter. Faults (429 with Fleet's X-RateLimit-* and Retry-After,
5xx, malformed bodies) are queued with `FakeApi.inject`.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from demo.fakes.server import FakeApi, RateLimit, Reply, Request

DEMO_TOKEN = "demo-fleet-api-token"  # noqa: S105 - the fake's own dummy credential
DEFAULT_PER_PAGE = 100
HOSTS = "/api/v1/fleet/hosts"
# Fields `GET /hosts/:id` has and the listing's documented example does not.
DETAIL_ONLY = (
    "refetch_requested", "orbit_version", "fleet_desktop_version", "scripts_enabled",
    "disk_encryption_enabled", "users", "labels", "packs", "policies", "batteries", "software",
)  # fmt: skip
MDM_DETAIL_ONLY = (
    "connected_to_fleet",
    "device_status",
    "pending_action",
    "macos_settings",
    "macos_setup",
    "os_settings",
    "profiles",
)


def fleet_error(status: int, message: str, reason: str) -> Reply:
    """Fleet's error body: `{"message": ..., "errors": [{"name": "base", "reason": ...}]}`."""
    return Reply(status, {"message": message, "errors": [{"name": "base", "reason": reason}]})


def fleet_refusal(limit: int, reset: float, now: float) -> Reply:
    """Over a limit Fleet answers 429 with the headers of its rate limiter (throttled's
    GCRA, server/service/middleware/ratelimit): X-RateLimit-Limit, -Remaining, -Reset (seconds)
    and Retry-After. Fleet limits some endpoints (logins, device tokens), not the hosts API;
    a proxy in front of it may."""
    wait = max(1, math.ceil(reset - now))
    reply = fleet_error(429, "Too many requests", "rate limit exceeded")
    reply.headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(wait),
        "Retry-After": str(wait),
    }
    return reply


def listed(host: dict[str, Any]) -> dict[str, Any]:
    """A host as the listing shows it: without the detail-only fields."""
    item = {k: copy.deepcopy(v) for k, v in host.items() if k not in DETAIL_ONLY}
    if isinstance(item.get("mdm"), dict):
        item["mdm"] = {k: v for k, v in item["mdm"].items() if k not in MDM_DETAIL_ONLY}
    return item


def make_fleet_fake(
    data: dict[str, Any], token: str = DEMO_TOKEN, rate_limit: RateLimit | None = None
) -> FakeApi:
    """`data`: {"hosts": [host as `GET /hosts/:id` returns it], "device_mapping": {host id:
    [entries] or None}}, read at every request (change it in place). `rate_limit`: answered
    over with Fleet's 429 (None: unlimited; Fleet documents no REST API limit)."""
    if rate_limit is not None:
        rate_limit.refuse = fleet_refusal
    fake = FakeApi(
        lambda request: request.headers.get("authorization") == f"Bearer {token}", rate_limit=rate_limit
    )

    def by_id(request: Request) -> dict[str, Any] | None:
        wanted = int(request.match["id"])
        return next((h for h in data.get("hosts", []) if h.get("id") == wanted), None)

    def hosts(request: Request) -> Reply:
        try:
            page = int(request.query.get("page") or 0)
            per_page = int(request.query.get("per_page") or DEFAULT_PER_PAGE)
        except ValueError:
            return fleet_error(400, "Bad request", "page and per_page must be integers")
        if page < 0 or per_page < 1:
            return fleet_error(400, "Bad request", "page and per_page must not be negative")
        items = list(data.get("hosts", []))
        key = request.query.get("order_key")
        if key:
            items.sort(
                key=lambda h: (h.get(key) is None, h.get(key)),
                reverse=request.query.get("order_direction") == "desc",
            )
        return Reply(200, {"hosts": [listed(h) for h in items[page * per_page : (page + 1) * per_page]]})

    def host(request: Request) -> Reply:
        found = by_id(request)
        if found is None:
            return fleet_error(
                404, "Resource Not Found", f"Host {request.match['id']} was not found in the datastore"
            )
        body = copy.deepcopy(found)
        if request.query.get("exclude_software") == "true":
            body.pop("software", None)
        return Reply(200, {"host": body})

    def device_mapping(request: Request) -> Reply:
        found = by_id(request)
        if found is None:
            return fleet_error(
                404, "Resource Not Found", f"Host {request.match['id']} was not found in the datastore"
            )
        return Reply(
            200, {"host_id": found["id"], "device_mapping": data.get("device_mapping", {}).get(found["id"])}
        )

    fake.route("GET", HOSTS, hosts)
    fake.route("GET", rf"{HOSTS}/(?P<id>\d+)", host)
    fake.route("GET", rf"{HOSTS}/(?P<id>\d+)/device_mapping", device_mapping)
    return fake


# --- Acme Exchange demo data ------------------------------------------------------------------

MAC_POLICIES = [
    (1, "FileVault enabled", "SELECT 1 FROM disk_encryption WHERE user_uuid IS NOT '' AND filevault_status = 'on' LIMIT 1;"),
    (2, "Gatekeeper enabled", "SELECT 1 FROM gatekeeper WHERE assessments_enabled = 1;"),
    (3, "Screen lock enabled", "SELECT 1 FROM screenlock WHERE enabled = 1 AND grace_period <= 60;"),
]  # fmt: skip
LINUX_POLICIES = [
    (4, "Full disk encryption enabled (Linux)", "SELECT 1 FROM disk_encryption WHERE encrypted = 1 AND name LIKE '/dev/dm-%';"),
    (5, "SSH password authentication disabled", "SELECT 1 FROM augeas WHERE path = '/etc/ssh/sshd_config' AND label = 'PasswordAuthentication' AND value = 'no';"),
]  # fmt: skip

# (id, person or None, hostname, computer name, serial, platform, OS version, model, MDM
# enrolment status, FileVault / LUKS on, seen this long ago, failing policies, policies not run yet)
HOSTS_DEMO: list[tuple[Any, ...]] = [
    (101, "alice", "alices-macbook-pro.local", "Alice's MacBook Pro", "C02ALICE01", "darwin", "macOS 15.1", "MacBookPro18,3", "On (automatic)", True, timedelta(hours=2), (), ()),
    (102, "bob", "bobs-macbook-air.local", "Bob's MacBook Air", "C02BOB0001", "darwin", "macOS 14.7", "MacBookAir10,1", "On (manual)", False, timedelta(hours=1), ("FileVault enabled",), ()),
    (103, "carol", "carols-macbook-pro.local", "Carol's MacBook Pro", "C02CAROL01", "darwin", "macOS 15.1", "Mac15,6", "On (automatic)", True, timedelta(minutes=20), (), ()),
    (104, "dave", "daves-macbook-air.local", "Dave's MacBook Air", "C02DAVE001", "darwin", "macOS 15.0.1", "Mac14,2", "On (automatic)", True, timedelta(hours=5), (), ()),
    (105, "ivan", "ivan-laptop", "ivan-laptop", "PF3IVAN01", "ubuntu", "Ubuntu 24.04.1 LTS", "ThinkPad X1 Carbon Gen 11", None, True, timedelta(hours=3), (), ()),
    (106, "erin", "erin-ws-01", "erin-ws-01", "ERIN-WS-01", "ubuntu", "Ubuntu 20.04.6 LTS", "OptiPlex 7010", "Off", True, timedelta(hours=4), (), ()),
    (107, None, "ci-runner-01", "ci-runner-01", "", "ubuntu", "Ubuntu 22.04.5 LTS", "", None, False, timedelta(minutes=10), (), ("SSH password authentication disabled",)),
]  # fmt: skip


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fleet_host(
    host_id: int,
    hostname: str,
    computer_name: str,
    serial: str,
    platform: str,
    os_version: str,
    model: str,
    enrollment: str | None,
    encrypted: bool | None,
    seen: datetime,
    policies: list[dict[str, Any]],
) -> dict[str, Any]:
    """A host as `GET /api/v1/fleet/hosts/:id` returns it (the documented example's fields)."""
    mac = platform == "darwin"
    enrolled = created = seen - timedelta(days=200)
    failing = sum(1 for policy in policies if policy["response"] == "fail")
    mdm_on = bool(enrollment and enrollment.startswith("On"))
    return {
        "created_at": _stamp(created),
        "updated_at": _stamp(seen),
        "id": host_id,
        "detail_updated_at": _stamp(seen - timedelta(minutes=30)),
        "last_restarted_at": _stamp(seen - timedelta(days=3)),
        "software_updated_at": _stamp(seen - timedelta(hours=1)),
        "label_updated_at": _stamp(seen - timedelta(minutes=30)),
        "policy_updated_at": _stamp(seen - timedelta(minutes=30)),
        "last_enrolled_at": _stamp(enrolled),
        "seen_time": _stamp(seen),
        "refetch_requested": False,
        "hostname": hostname,
        "uuid": f"392547dc-0000-0000-a87a-d701ff75{host_id:04d}",
        "platform": platform,
        "osquery_version": "5.14.1",
        "orbit_version": "1.36.0",
        "fleet_desktop_version": "1.36.0" if mac else "",
        "scripts_enabled": True,
        "os_version": os_version,
        "build": "24B83" if os_version == "macOS 15.1" else "",
        "platform_like": "darwin" if mac else "debian",
        "code_name": "" if mac else {"20": "focal", "22": "jammy", "24": "noble"}[os_version.split()[1][:2]],
        "uptime": 259200000000000,
        "memory": 17179869184,
        "cpu_type": "arm64e" if mac else "x86_64",
        "cpu_subtype": "ARM64E" if mac else "154",
        "cpu_brand": "Apple M1 Pro" if mac else "13th Gen Intel(R) Core(TM) i7-1365U",
        "cpu_physical_cores": 10,
        "cpu_logical_cores": 10,
        "hardware_vendor": "Apple Inc." if mac else ("LENOVO" if "ThinkPad" in model else ("Dell Inc." if model else "")),
        "hardware_model": model,
        "hardware_version": "",
        "hardware_serial": serial,
        "computer_name": computer_name,
        "display_name": computer_name,
        "public_ip": "203.0.113.10",
        "primary_ip": f"10.20.0.{host_id - 100}",
        "primary_mac": f"a4:83:e7:00:00:{host_id - 100:02x}",
        "distributed_interval": 10,
        "config_tls_refresh": 60,
        "logger_tls_period": 10,
        "team_id": 1 if mac else 2,
        "pack_stats": None,
        "team_name": "Workstations (macOS)" if mac else "Linux",
        "additional": {},
        "gigs_disk_space_available": 174.98,
        "percent_disk_space_available": 71,
        "gigs_total_disk_space": 494,
        "disk_encryption_enabled": encrypted,
        "users": [{"uid": 501, "username": computer_name.split("'")[0].lower(), "type": "", "groupname": "staff", "shell": "/bin/zsh"}],
        "labels": [
            {"id": 6, "name": "All Hosts", "description": "All hosts which have enrolled in Fleet", "query": "SELECT 1;", "platform": "", "label_type": "builtin", "label_membership_type": "dynamic"},
        ],
        "packs": [],
        "status": "online",
        "display_text": hostname,
        "policies": policies,
        "issues": {"failing_policies_count": failing, "critical_vulnerabilities_count": 0, "total_issues_count": failing},
        "batteries": [{"cycle_count": 120, "health": "Normal"}] if mac else [],
        "mdm": {
            "encryption_key_available": bool(mac and encrypted and mdm_on),
            "enrollment_status": enrollment,
            "dep_profile_error": False,
            "name": "Fleet" if mdm_on else "",
            "connected_to_fleet": mdm_on,
            "server_url": "https://fleet.acme.example/mdm/apple/mdm" if mdm_on else None,
            "device_status": "unlocked",
            "pending_action": "",
            "macos_settings": {"disk_encryption": "verified" if mac and encrypted else None, "action_required": None},
            "macos_setup": {"bootstrap_package_status": "", "detail": "", "bootstrap_package_name": ""},
            "os_settings": {"disk_encryption": {"status": "verified" if mac and encrypted else None, "detail": ""}},
            "profiles": [],
        },
    }  # fmt: skip


def _policies(platform: str, failing: tuple[str, ...], not_run: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = MAC_POLICIES if platform == "darwin" else LINUX_POLICIES
    return [
        {
            "id": policy_id,
            "name": name,
            "query": query,
            "description": f"Checks that {name[0].lower()}{name[1:]}.",
            "resolution": "Follow the IT handbook's steps for this setting.",
            "platform": "darwin" if platform == "darwin" else "linux",
            "response": "fail" if name in failing else ("" if name in not_run else "pass"),
            "critical": name.startswith(("FileVault", "Full disk")),
        }
        for policy_id, name, query in rows
    ]


def demo_fleet_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange on Fleet: alice's, carol's and dave's MacBooks are enrolled in MDM,
    FileVault on, every policy passing; bob's MacBook Air is enrolled but FileVault is off
    and its "FileVault enabled" policy fails; ivan's and erin's Ubuntu laptops are encrypted
    and pass (Fleet has no MDM for Linux: ivan's status is null as Fleet's Ubuntu example
    shows, erin's "Off"); the build machine ci-runner-01 is nobody's (no device mapping),
    unencrypted, with one policy not run yet. Every host was seen in the last hours."""
    now = now or datetime.now(UTC)
    hosts: list[dict[str, Any]] = []
    mapping: dict[int, list[dict[str, str]] | None] = {}
    for (host_id, person, hostname, computer, serial, platform, os_version, model, enrollment, encrypted, ago, failing, not_run) in HOSTS_DEMO:  # fmt: skip
        policies = _policies(platform, failing, not_run)
        hosts.append(
            fleet_host(host_id, hostname, computer, serial, platform, os_version, model, enrollment, encrypted, now - ago, policies)
        )  # fmt: skip
        if person is None:
            mapping[host_id] = None
            continue
        email = f"{person}@acme.example"
        source = "identity_provider" if enrollment == "On (automatic)" else "custom"
        mapping[host_id] = [
            {"email": email, "source": source},
            {"email": email, "source": "google_chrome_profiles"},
        ]
    return {"hosts": hosts, "device_mapping": mapping}
