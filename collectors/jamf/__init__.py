"""jamf: Macs from the Jamf Pro API computers inventory: FileVault, macOS version, last
check-in, managed or not, and their user."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from collectors.bearer_token import client_credentials_apis
from collectors.degrade import mapped
from collectors.jamf import mapper
from collectors.jamf.client import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, JamfClient, client_credentials
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Device, Record
from vaultward.contract.sdk import Problem, Scope

DEFAULT_CLIENT_ID_VARIABLE = "JAMF_CLIENT_ID"
DEFAULT_CLIENT_SECRET_VARIABLE = "JAMF_CLIENT_SECRET"  # noqa: S105 - a variable name


class JamfOptions(BaseModel):
    """`[sources.jamf]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the instance URL, e.g. "https://acme.jamfcloud.com"
    base_url: Annotated[str | None, http_url("the Jamf Pro URL", "https://acme.jamfcloud.com")] = None
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)  # computers per page


class JamfCollector(SaasCollector):
    """One scope per Jamf Pro instance (`jamf:<host>`). Reads, never writes:

    - `POST /api/oauth/token` (client credentials: an API client's id and secret for a
      short-lived access token, fetched again before it expires);
    - `GET /api/v1/computers-inventory` with the GENERAL, HARDWARE, OPERATING_SYSTEM,
      DISK_ENCRYPTION and USER_AND_LOCATION sections, 0-based pages in id order, checked
      against the `totalCount` each page reports (a short listing makes the Run partial).

    Produces a `Device` per computer (`jamf:device:<computer id>`): FileVault 2 from the
    boot partition's state (only ENCRYPTED counts; encrypting, paused or waiting for a
    restart does not; UNKNOWN and INELIGIBLE say nothing), the macOS version, the last
    check-in (`lastContactTime`, else the last inventory report), `remoteManagement.managed`,
    and the user's e-mail (else username) from User and Location.

    Access (least privilege): in Jamf Pro, Settings > System > API roles and clients, an API
    role with the single privilege "Read Computers", and an API client with only that role;
    enable the client and generate its secret. The client's id and secret come from the
    variables `credentials_env.client_id` / `credentials_env.client_secret` name (defaults
    `JAMF_CLIENT_ID` / `JAMF_CLIENT_SECRET`).
    """

    name = "jamf"
    title = "Jamf Pro computers: FileVault, macOS version, check-in, managed, user"
    produces = (Device,)
    # The API role's privilege, and the calls it allows that the collector makes.
    permissions = ("Read Computers", "GET /api/v1/computers-inventory")
    options_model = JamfOptions
    enabled_by_default = False  # needs the instance URL and an API client: runs once configured
    credentials = {"client_id": DEFAULT_CLIENT_ID_VARIABLE, "client_secret": DEFAULT_CLIENT_SECRET_VARIABLE}
    # Jamf Pro sets no request-rate limit ("Jamf Pro does not have a built-in solution to
    # restrict or limit the number of API requests", Jamf Pro API Scalability Best Practices);
    # it asks for at most 5 concurrent connections and for pacing by response times. One
    # connection at 300 a minute keeps well inside that; a 429 or 503 from Jamf Cloud's edge
    # is still waited out as its Retry-After says.
    rate_limit_per_minute = 300

    def scopes(self) -> list[Scope]:
        base_url = self.options.base_url
        if base_url is None:
            if self.name in self.settings.sources:
                raise ValueError(
                    'sources.jamf.base_url is not set (the Jamf Pro URL, like "https://acme.jamfcloud.com")'
                )
            return []  # not configured: nothing to collect
        host = base_url.split("://", 1)[-1].split("/", 1)[0].lower()
        return [Scope(self.name, f"jamf:{host}", {"base_url": base_url})]

    def client(self, base_url: str) -> JamfClient:
        grant = partial(client_credentials, clock=self.clock)
        api, token_api = client_credentials_apis(self, base_url, base_url, grant)
        return JamfClient(api, token_api, self.options.page_size)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client(scope.params["base_url"]) as client:
            for raw in client.computers():  # the main listing: failing, it fails the Run
                yield from mapped(mapper.map_computer(raw), Device.kind)
