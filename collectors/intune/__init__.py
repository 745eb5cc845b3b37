"""intune: Microsoft Intune's managed devices (Microsoft Graph): compliance, encryption, OS
version, last sync, management state and user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict

from collectors.degrade import side_request
from collectors.intune import mapper
from collectors.intune.client import IntuneClient
from collectors.microsoft_graph import CREDENTIALS, GRAPH_URL, LOGIN_URL, graph_apis
from collectors.saas import SaasCollector, http_url
from vaultward.config.bounded import scope_part
from vaultward.contract.records import Device, Record
from vaultward.contract.sdk import Problem, Scope

STATE_FIELDS = (f"{Device.kind}.managed", f"{Device.kind}.retired")


class IntuneOptions(BaseModel):
    """`[sources.intune]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: Annotated[str, scope_part("intune:")]  # directory (tenant) id or a verified domain
    graph_url: Annotated[str, http_url()] = GRAPH_URL
    login_url: Annotated[str, http_url()] = LOGIN_URL


class IntuneCollector(SaasCollector):
    """One scope per tenant (`intune:<tenant_id>`). Reads, never writes:

    - `GET /v1.0/deviceManagement/managedDevices` with `$select` of the mapped properties:
      every Intune device, its compliance state, encryption, OS, last sync and user (the main
      listing: if it cannot be read the Run fails);
    - `GET /beta/deviceManagement/managedDevices?$select=id,managementState`: whether each
      device is managed, being retired or wiped, or only discovered (`managementState` is not
      on the v1.0 resource). A side request: if it fails the devices are still stored, with
      `managed` unknown (the Run is partial, naming it).

    `mapper` says how each property is read. Access: an app registration with the read-only
    application permission `DeviceManagementManagedDevices.Read.All` (admin consent; the
    tenant needs an Intune licence), signing in with the client-credentials grant. The client
    id and secret come from the variables `credentials_env.client_id` /
    `credentials_env.client_secret` name, by default the entra source's own
    (`ENTRA_CLIENT_ID` / `ENTRA_CLIENT_SECRET`): one app registration, granted both sources'
    permissions, can serve both.
    """

    name = "intune"
    title = "Microsoft Intune managed devices"
    produces = (Device,)
    permissions = ("DeviceManagementManagedDevices.Read.All",)  # Microsoft Graph application permission
    options_model: ClassVar[type[BaseModel]] = IntuneOptions
    enabled_by_default = False  # needs a tenant: runs once configured
    credentials = dict(CREDENTIALS)
    # Graph's Intune device service limit is 2,000 requests per 20 seconds per app per tenant
    # (https://learn.microsoft.com/graph/throttling-limits); 1,200 a minute keeps well inside.
    rate_limit_per_minute = 1200

    def scopes(self) -> list[Scope]:
        return [Scope(collector=self.name, id=f"{self.name}:{self.options.tenant_id}")]

    def client(self) -> IntuneClient:
        options = self.options
        return IntuneClient(*graph_apis(self, options.tenant_id, options.graph_url, options.login_url))

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client() as client:
            states = yield from side_request(client.management_states, fields=STATE_FIELDS)
            for page in client.devices():
                for row in page:
                    if not row.get("id"):
                        yield Problem("intune: a managed device without an id was skipped", (Device.kind,))
                        continue
                    yield mapper.map_device(row, states).model_copy(update={"scope": scope.id})
