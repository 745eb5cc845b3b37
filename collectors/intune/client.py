"""Microsoft Graph over HTTP for the intune collector: Intune's managed devices, each page
linked by `@odata.nextLink`; the token and Graph plumbing is `collectors.microsoft_graph`.
The only module of this collector that talks HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.http_api import HttpApi, VendorClient
from collectors.microsoft_graph import NEXT_LINK

# https://learn.microsoft.com/graph/api/intune-devices-manageddevice-list
DEVICES_PATH = "/v1.0/deviceManagement/managedDevices"
# managementState is documented on the beta managedDevice only (the v1.0 resource has no
# such property, and selecting it there is a 400): read from beta, ids and states alone.
# https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice?view=graph-rest-beta
STATES_PATH = "/beta/deviceManagement/managedDevices"
# The v1.0 properties the mapper reads (https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice).
DEVICE_FIELDS = (
    "id",
    "deviceName",
    "operatingSystem",
    "osVersion",
    "complianceState",
    "isEncrypted",
    "lastSyncDateTime",
    "userPrincipalName",
    "userDisplayName",
    "emailAddress",
    "serialNumber",
    "managedDeviceOwnerType",
)
STATE_FIELDS = ("id", "managementState")


class IntuneClient(VendorClient):
    """One tenant's Intune, as an application, through `api` (authorised by a
    `ClientCredentialsGrant` over `token_api`)."""

    def __init__(self, api: HttpApi, token_api: HttpApi) -> None:
        self.source = api.source
        self.api = api
        self.others = (token_api,)

    def devices(self) -> Iterator[list[dict[str, Any]]]:
        """Pages of managedDevice (v1.0), only the properties mapped. Intune pages
        server-side; the next page is `@odata.nextLink`."""
        params = {"$select": ",".join(DEVICE_FIELDS)}
        for page in self.api.pages_by_next_url(DEVICES_PATH, "value", NEXT_LINK, params):
            yield list(self.objects(page, DEVICES_PATH))

    def management_states(self) -> dict[str, str]:
        """Every managed device's `managementState` (beta), by device id ("" when it has
        none: the mapper reports it missing)."""
        params = {"$select": ",".join(STATE_FIELDS)}
        states: dict[str, str] = {}
        for page in self.api.pages_by_next_url(STATES_PATH, "value", NEXT_LINK, params):
            for row in self.objects(page, STATES_PATH):
                if row.get("id"):
                    state = row.get("managementState")
                    states[str(row["id"])] = state if isinstance(state, str) else ""
        return states
