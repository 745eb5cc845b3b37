"""A loopback Jamf Pro API over an in-memory inventory, and Acme Exchange's Macs.

Answers as Jamf documents (developer.jamf.com/jamf-pro/docs/client-credentials,
.../reference/get_v1-computers-inventory): `POST /api/oauth/token` takes an API client's
`client_id`, `client_secret` and `grant_type=client_credentials` as a form and answers
`access_token`, `scope`, `token_type`, `expires_in`; tokens expire (an expired or unknown
one is answered 401); `GET /api/v1/computers-inventory` answers `{"totalCount", "results"}`
for 0-based `page` and `page-size` (default 100), a page past the end empty, with only the
`section`s asked for (GENERAL when none), sorted by `sort` (`id:asc`, `general.name:asc`).
Errors use the Jamf Pro API's body, `{"httpStatus", "errors": [{"code", "description"}]}`.
Jamf Pro itself sets no request-rate limit; `rate_limit` stands for a Jamf Cloud edge that
answers 429 with Retry-After. Faults are queued with `FakeApi.inject`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from demo.fakes.server import FakeApi, RateLimit, Reply, Request

TOKEN_PATH = "/api/oauth/token"  # noqa: S105 - a path
INVENTORY_PATH = "/api/v1/computers-inventory"
DEMO_CLIENT_ID = "6cabf059-21c9-44d6-bbde-0acme0000001"
DEMO_CLIENT_SECRET = "demo-jamf-client-secret"  # noqa: S105 - the fake's own dummy credential
TOKEN_PREFIX = "eyJhbGciOiJIUzI1NiJ9.fake-jamf-token-"  # noqa: S105 - the fake's own
# The inventory sections' names in the query, and their keys in a computer record.
SECTIONS = {
    "GENERAL": "general",
    "DISK_ENCRYPTION": "diskEncryption",
    "PURCHASING": "purchasing",
    "APPLICATIONS": "applications",
    "STORAGE": "storage",
    "USER_AND_LOCATION": "userAndLocation",
    "CONFIGURATION_PROFILES": "configurationProfiles",
    "PRINTERS": "printers",
    "SERVICES": "services",
    "HARDWARE": "hardware",
    "LOCAL_USER_ACCOUNTS": "localUserAccounts",
    "CERTIFICATES": "certificates",
    "ATTACHMENTS": "attachments",
    "PLUGINS": "plugins",
    "PACKAGE_RECEIPTS": "packageReceipts",
    "FONTS": "fonts",
    "SECURITY": "security",
    "OPERATING_SYSTEM": "operatingSystem",
    "LICENSED_SOFTWARE": "licensedSoftware",
    "IBEACONS": "ibeacons",
    "SOFTWARE_UPDATES": "softwareUpdates",
    "EXTENSION_ATTRIBUTES": "extensionAttributes",
    "CONTENT_CACHING": "contentCaching",
    "GROUP_MEMBERSHIPS": "groupMemberships",
}


def jamf_error(status: int, code: str, description: str) -> Reply:
    return Reply(
        status,
        {
            "httpStatus": status,
            "errors": [{"code": code, "field": None, "description": description, "id": "0"}],
        },
    )


def _sort_key(sort: str) -> tuple[Callable[[dict[str, Any]], Any], bool] | None:
    field, _, order = sort.partition(":")
    if order not in ("asc", "desc"):
        return None
    if field == "id":
        return (lambda computer: int(computer["id"])), order == "desc"
    if field == "general.name":
        return (lambda computer: str(computer.get("general", {}).get("name") or "")), order == "desc"
    return None


def make_jamf_fake(
    data: dict[str, Any],
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
    token_lifetime: int = 599,
    rate_limit: RateLimit | None = None,
    clock: Callable[[], float] = time.time,
) -> FakeApi:
    """`data`: {"computers": [...]} in the API's shape with every section (see
    `demo_jamf_data`), read at every request (change it in place). Tokens live
    `token_lifetime` seconds by `clock` (Jamf's documented example: 599)."""
    issued: dict[str, float] = {}  # token -> when it expires
    serial = itertools.count(1)

    def authorised(request: Request) -> bool:
        if request.path == TOKEN_PATH:
            return True  # the token endpoint checks the client's own credentials
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        return token in issued and clock() < issued[token]

    fake = FakeApi(authorised, rate_limit=rate_limit, clock=clock)

    def token(request: Request) -> Reply:
        form = {key: values[-1] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != client_id or form.get("client_secret") != client_secret:
            return Reply(401, {"error": "invalid_client"})
        value = f"{TOKEN_PREFIX}{next(serial)}"
        issued[value] = clock() + token_lifetime
        return Reply(
            200,
            {
                "access_token": value,
                "scope": "api-role:1",
                "token_type": "Bearer",
                "expires_in": token_lifetime,
            },
        )

    def inventory(request: Request) -> Reply:
        try:
            page = int(request.query.get("page") or 0)
            size = int(request.query.get("page-size") or 100)
        except ValueError:
            return jamf_error(400, "INVALID_FIELD", "page and page-size must be integers")
        if page < 0 or size < 1:
            return jamf_error(400, "INVALID_FIELD", "page must be 0 or more and page-size 1 or more")
        sections = request.query_lists.get("section") or ["GENERAL"]
        unknown = [name for name in sections if name not in SECTIONS]
        if unknown:
            return jamf_error(400, "INVALID_FIELD", f"unknown section {unknown[0]}")
        keys = {SECTIONS[name] for name in sections}
        computers = list(data.get("computers", []))
        for sort in reversed((request.query.get("sort") or "general.name:asc").split(",")):
            order = _sort_key(sort)
            if order is None:
                return jamf_error(400, "INVALID_SORT", f"cannot sort by {sort}")
            computers.sort(key=order[0], reverse=order[1])
        results = [
            {key: value for key, value in computer.items() if key in ("id", "udid") or key in keys}
            for computer in computers[page * size : (page + 1) * size]
        ]
        return Reply(200, {"totalCount": len(computers), "results": results})

    fake.route("POST", TOKEN_PATH, token)
    fake.route("GET", INVENTORY_PATH, inventory)
    return fake


# --- Acme Exchange demo data ------------------------------------------------------------------

# (id, user, full name, computer name, serial, FileVault state, managed, macOS, hours since contact)
MACS: list[tuple[int, str, str, str, str, str, bool, str, float]] = [
    (1, "alice", "Alice Acme", "Alice's MacBook Pro", "C02ALICE01", "ENCRYPTED", True, "15.1", 2),
    (2, "bob", "Bob Acme", "Bob's MacBook Pro", "C02BOB0001", "UNENCRYPTED", True, "14.7", 20),
    (3, "grace", "Grace Acme", "Grace's MacBook Air", "C02GRACE01", "ENCRYPTED", True, "15.1", 12 * 24),
    (4, "heidi", "Heidi Acme", "Heidi's MacBook Air", "C02HEIDI01", "ENCRYPTED", True, "15.1", 5),
    (5, "", "", "Lab iMac", "C02LAB0001", "ENCRYPTED", True, "14.7", 30),
]
FILEVAULT_STATUS = {"ENCRYPTED": "BOOT_ENCRYPTED", "UNENCRYPTED": "NOT_ENCRYPTED"}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def jamf_computer(
    computer_id: int,
    user: str,
    realname: str,
    name: str,
    serial: str,
    filevault: str,
    managed: bool,
    macos: str,
    contact: datetime,
) -> dict[str, Any]:
    """One computer's inventory record with the sections the collector reads, shaped as the
    Jamf Pro API's ComputerInventory schema."""
    return {
        "id": str(computer_id),
        "udid": f"{computer_id:08d}-ACME-4E5D-8C9A-0B1C2D3E4F50",
        "general": {
            "name": name,
            "lastIpAddress": f"10.20.0.{computer_id}",
            "lastReportedIp": f"192.168.1.{computer_id}",
            "jamfBinaryVersion": "11.11.2-t1730730046",
            "platform": "Mac",
            "barcode1": None,
            "barcode2": None,
            "assetTag": f"ACME-{computer_id:04d}",
            "remoteManagement": {"managed": managed, "managementUsername": "jamfadmin"},
            "supervised": True,
            "mdmCapable": {"capable": managed, "capableUsers": [user] if user else []},
            "reportDate": _stamp(contact - timedelta(hours=1)),
            "lastContactTime": _stamp(contact),
            "lastCloudBackupDate": None,
            "lastEnrolledDate": _stamp(contact - timedelta(days=400)),
            "mdmProfileExpiration": _stamp(contact + timedelta(days=700)),
            "initialEntryDate": (contact - timedelta(days=400)).strftime("%Y-%m-%d"),
            "distributionPoint": None,
            "enrollmentMethod": {
                "id": "1",
                "objectName": "Acme ADE",
                "objectType": "Automated Device Enrollment",
            },
            "site": {"id": "-1", "name": "None"},
            "itunesStoreAccountActive": False,
            "enrolledViaAutomatedDeviceEnrollment": True,
            "userApprovedMdm": True,
            "declarativeDeviceManagementEnabled": True,
            "extensionAttributes": [],
            "managementId": f"{computer_id:08d}-7f3a-4c8e-9b1f-acme00000000",
        },
        "diskEncryption": {
            "bootPartitionEncryptionDetails": {
                "partitionName": "Macintosh HD (Boot Partition)",
                "partitionFileVault2State": filevault,
                "partitionFileVault2Percent": 100 if filevault == "ENCRYPTED" else 0,
            },
            "individualRecoveryKeyValidityStatus": "VALID" if filevault == "ENCRYPTED" else "NOT_APPLICABLE",
            "institutionalRecoveryKeyPresent": False,
            "diskEncryptionConfigurationName": "Acme FileVault" if filevault == "ENCRYPTED" else "",
            "fileVault2EnabledUserNames": [user] if user and filevault == "ENCRYPTED" else [],
            "fileVault2EligibilityMessage": "Eligible",
        },
        "userAndLocation": {
            "username": user,
            "realname": realname,
            "email": f"{user}@acme.example" if user else "",
            "position": "",
            "phone": "",
            "departmentId": "-1",
            "buildingId": "-1",
            "room": "Lab" if not user else "",
            "extensionAttributes": [],
        },
        "hardware": {
            "make": "Apple",
            "model": name.split("'s ")[-1],
            "modelIdentifier": "Mac15,6",
            "serialNumber": serial,
            "processorType": "Apple M3 Pro",
            "processorArchitecture": "arm64",
            "totalRamMegabytes": 36864,
            "appleSilicon": True,
            "macAddress": f"F0:18:98:00:00:0{computer_id}",
            "extensionAttributes": [],
        },
        "operatingSystem": {
            "name": "macOS",
            "version": macos,
            "build": "24B83" if macos.startswith("15") else "23H124",
            "activeDirectoryStatus": "Not Bound",
            "fileVault2Status": FILEVAULT_STATUS.get(filevault, "NOT_APPLICABLE"),
            "softwareUpdateDeviceId": "J516sAP",
            "extensionAttributes": [],
        },
    }


def demo_jamf_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme's Macs: alice's encrypted and seen today; bob's managed but FileVault off; grace's
    encrypted but silent for 12 days (stale); heidi's encrypted; a lab iMac with no user."""
    moment = now or datetime.now(UTC)
    return {
        "computers": [
            jamf_computer(
                i, user, realname, name, serial, state, managed, macos, moment - timedelta(hours=hours)
            )
            for i, user, realname, name, serial, state, managed, macos, hours in MACS
        ]
    }
