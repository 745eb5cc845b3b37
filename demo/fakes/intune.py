"""A loopback Microsoft Intune through Microsoft Graph: the identity platform's
client-credentials token endpoint and `deviceManagement/managedDevices`, on v1.0 (the
documented managedDevice properties, https://learn.microsoft.com/graph/api/intune-devices-manageddevice-list)
and on beta (where `managementState` is documented). Built on the entra fake's `GraphFake`:
`value` pages linked by an absolute `@odata.nextLink` that repeats `$select`, Graph's error
bodies, 403 for an application permission not granted, 429 with `Retry-After`
(`entra.throttled`), AADSTS errors from the token endpoint; `$select` of a property the
version does not have is Graph's 400.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from demo.fakes.entra import DEMO_CLIENT_ID, DEMO_TENANT_ID, TOKEN_ROUTE, GraphFake, graph_error
from demo.fakes.server import FakeApi, Reply, Request

DEVICES_PATH = "/v1.0/deviceManagement/managedDevices"
BETA_DEVICES_PATH = "/beta/deviceManagement/managedDevices"
PERMISSION = "DeviceManagementManagedDevices.Read.All"
# The v1.0 managedDevice properties a list returns (the documented example's, abridged to the
# scalar ones); `managementState` is beta's only.
V1_PROPERTIES = (
    "id",
    "userId",
    "deviceName",
    "managedDeviceOwnerType",
    "enrolledDateTime",
    "lastSyncDateTime",
    "operatingSystem",
    "complianceState",
    "jailBroken",
    "managementAgent",
    "osVersion",
    "easActivated",
    "azureADRegistered",
    "deviceEnrollmentType",
    "emailAddress",
    "azureADDeviceId",
    "deviceRegistrationState",
    "isSupervised",
    "isEncrypted",
    "userPrincipalName",
    "model",
    "manufacturer",
    "complianceGracePeriodExpirationDateTime",
    "serialNumber",
    "userDisplayName",
    "managedDeviceName",
    "partnerReportedThreatState",
)
BETA_PROPERTIES = (*V1_PROPERTIES, "managementState")


def _select(request: Request, rows: list[dict[str, Any]], known: tuple[str, ...]) -> list[dict] | Reply:
    """The rows with only the `$select`ed properties (all `known` ones without it), or
    Graph's 400 for a property the resource does not have."""
    wanted = [name for name in request.query.get("$select", "").split(",") if name] or list(known)
    for name in wanted:
        if name not in known:
            return graph_error(
                400,
                "BadRequest",
                f"Could not find a property named '{name}' on type 'microsoft.graph.managedDevice'.",
            )
    return [{name: row.get(name) for name in wanted} for row in rows]


def make_intune_fake(
    data: dict[str, Any],
    client_secret: str,
    client_id: str = DEMO_CLIENT_ID,
    token: str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.fake-intune-token",  # noqa: S107 - the fake's own
    page_size: int = 100,
    permissions: tuple[str, ...] = (PERMISSION,),
) -> FakeApi:
    """`data`: {"tenant_id", "devices": [managedDevice, beta's `managementState` included]}.
    `permissions`: the application permissions the app was granted (without
    DeviceManagementManagedDevices.Read.All both listings answer 403)."""
    graph = GraphFake(data["tenant_id"], client_secret, client_id, token, page_size, permissions)

    def listing(path: str, known: tuple[str, ...]):
        def handler(request: Request) -> Reply:
            if (error := graph.refused(request, PERMISSION)) is not None:
                return error
            rows = _select(request, data["devices"], known)
            if isinstance(rows, Reply):
                return rows
            return graph.paged(request, path, rows, "deviceManagement/managedDevices", PERMISSION, True)

        return handler

    graph.api.route("POST", TOKEN_ROUTE, graph.issue_token)
    graph.api.route("GET", DEVICES_PATH, listing(DEVICES_PATH, V1_PROPERTIES))
    graph.api.route("GET", BETA_DEVICES_PATH, listing(BETA_DEVICES_PATH, BETA_PROPERTIES))
    return graph.api


def _timestamp(moment: datetime) -> str:
    """As Graph writes a DateTimeOffset: seven fractional digits, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _device(
    number: int,
    upn: str,
    name: str,
    device: str,
    system: str,
    version: str,
    model: tuple[str, str],
    serial: str,
    compliance: str,
    encrypted: bool,
    state: str,
    synced: datetime,
    owner: str = "company",
) -> dict[str, Any]:
    windows = system == "Windows"
    return {
        "@odata.type": "#microsoft.graph.managedDevice",
        "id": f"9d3f6b2a-1c4e-4f7a-8b0d-acme0000{number:04d}",
        "userId": f"3c9e1a40-0000-4000-8000-0000000001{number:02d}",
        "deviceName": device,
        "managedDeviceOwnerType": owner,
        "enrolledDateTime": _timestamp(synced - timedelta(days=200 + 30 * number)),
        "lastSyncDateTime": _timestamp(synced),
        "operatingSystem": system,
        "complianceState": compliance,
        "jailBroken": "Unknown" if windows else "False",
        "managementAgent": "mdm",
        "osVersion": version,
        "easActivated": False,
        "azureADRegistered": True,
        "deviceEnrollmentType": "windowsAzureADJoin" if windows else "userEnrollment",
        "emailAddress": upn,
        "azureADDeviceId": f"5e2a9c71-7b3d-4e8f-a1c6-acme0000{number:04d}",
        "deviceRegistrationState": "registered",
        "isSupervised": False,
        "isEncrypted": encrypted,
        "userPrincipalName": upn,
        "model": model[1],
        "manufacturer": model[0],
        "complianceGracePeriodExpirationDateTime": (
            _timestamp(synced + timedelta(days=2))
            if compliance == "inGracePeriod"
            else "9999-12-31T23:59:59Z"
        ),
        "serialNumber": serial,
        "userDisplayName": name,
        "managedDeviceName": f"{upn.split('@')[0]}_{system}_{synced:%m/%d/%Y}",
        "partnerReportedThreatState": "unknown",
        "managementState": state,
    }


def demo_intune_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange's Intune: erin's Windows 11 laptop compliant, encrypted, managed and
    synced today (but no CrowdStrike sensor: the demo's EDR-less signer); frank's Windows 10
    laptop noncompliant and unencrypted; heidi's iPhone compliant; judy's personal Android
    phone in its compliance grace period; dave's old MacBook being retired."""
    now = now or datetime.now(UTC)
    return {
        "tenant_id": DEMO_TENANT_ID,
        "devices": [
            _device(
                1,
                "erin@acme.example",
                "Erin Walsh",
                "ACME-ERIN-LT",
                "Windows",
                "10.0.26100.2454",  # Windows 11 24H2
                ("LENOVO", "ThinkPad X1 Carbon Gen 12"),
                "ERINLAP01",
                "compliant",
                True,
                "managed",
                now - timedelta(hours=2),
            ),
            _device(
                2,
                "frank@acme.example",
                "Frank Osei",
                "ACME-FRANK-LT",
                "Windows",
                "10.0.19045.5131",  # Windows 10 22H2
                ("Dell Inc.", "Latitude 5420"),
                "FRANKLAP7",
                "noncompliant",
                False,
                "managed",
                now - timedelta(days=1, hours=3),
            ),
            _device(
                3,
                "heidi@acme.example",
                "Heidi Novak",
                "Heidi's iPhone",
                "iOS",
                "18.1",
                ("Apple", "iPhone 15"),
                "HEIDIPHN15",
                "compliant",
                True,
                "managed",
                now - timedelta(hours=5),
            ),
            _device(
                4,
                "judy@acme.example",
                "Judy Brennan",
                "Judy's Pixel",
                "Android",
                "15",
                ("Google", "Pixel 8"),
                "JUDYPIX8",
                "inGracePeriod",
                True,
                "managed",
                now - timedelta(hours=9),
                owner="personal",
            ),
            _device(
                5,
                "dave@acme.example",
                "Dave Kim",
                "ACME-DAVE-MBP",
                "macOS",
                "13.6.9",
                ("Apple", "MacBook Pro (14-inch, 2021)"),
                "DAVEMBP21",
                "compliant",
                True,
                "retirePending",
                now - timedelta(days=12),
            ),
        ],
    }
