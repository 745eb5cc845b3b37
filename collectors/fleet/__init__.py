"""fleet: hosts (computers and phones) from the Fleet (fleetdm.com, osquery) REST API, with
their MDM enrolment, disk encryption, policies' pass/fail, OS version, last seen and user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import mapped, side_request
from collectors.fleet import mapper
from collectors.fleet.client import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, FleetClient
from collectors.http_api import bearer, credential
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Device, Record
from vaultward.contract.sdk import Problem, Scope

DEFAULT_TOKEN_VARIABLE = "FLEET_API_TOKEN"  # noqa: S105 - a variable name, not a secret


class FleetOptions(BaseModel):
    """`[sources.fleet]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the Fleet server's URL, e.g. "https://fleet.acme.example" or "https://acme.cloud.fleetdm.com"
    base_url: Annotated[str | None, http_url("the Fleet server URL", "https://fleet.acme.example")] = None
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class FleetCollector(SaasCollector):
    """One scope per Fleet server, `fleet:<server host>`.

    Configuration (`[sources.fleet]`):

    - `base_url`: the Fleet server (required), e.g. `https://fleet.acme.example`.
    - `page_size`: hosts per page, 1-500 (default 100).
    - `credentials_env.token`: the variable holding an API token (default `FLEET_API_TOKEN`).
      Least privilege: an API-only user with the global **Observer** role (`fleetctl user
      create --api-only --global-role observer --name vaultward --email ...`; its token is
      the one `fleetctl` prints), which reads hosts, their policies and device mapping and
      can change nothing. Observer cannot run live queries; the collector runs none.

    Produces a Device per host (`fleet:device:<host id>`): serial, hostname, platform
    (`darwin` as macos, Fleet's Linux distributions as linux, `chrome` as chromeos), the OS
    version as Fleet reports it, last seen (`seen_time`), managed from the MDM enrolment
    status ("On (automatic)", "On (manual)", "On (personal)", "On (company-owned)" are
    managed; "Pending" and "Off" are not; null says nothing), encrypted from
    `disk_encryption_enabled` (null says nothing), compliant when every policy of the host
    passes (one failing: not compliant, named in `failing_policies`; one not yet run: unknown),
    the user from the device mapping (the identity provider's e-mail first, then the custom
    one, then Chrome profiles), and retired when Fleet wiped it or a wipe is pending. Fleet
    does not say whether an EDR runs: `edr_running` stays unknown.

    Requests: the host listing (numbered pages), then per host its details (policies) and
    device mapping. A host whose details cannot be read keeps its listing fields with its
    policies (and, when the listing does not carry it, its encryption) unknown; one whose device mapping cannot be read has its user unknown; each
    such failure is a Problem naming the field, and the other hosts are still read.
    """

    name = "fleet"
    title = "Fleet hosts: MDM enrolment, disk encryption, policies and users"
    produces = (Device,)
    permissions = (
        "GET /api/v1/fleet/hosts",
        "GET /api/v1/fleet/hosts/{id}",
        "GET /api/v1/fleet/hosts/{id}/device_mapping",
    )
    options_model = FleetOptions
    enabled_by_default = False  # needs the server URL and a token: runs once configured
    credentials = {"token": DEFAULT_TOKEN_VARIABLE}
    # Fleet documents no rate limit for its REST API (a self-hosted server's capacity is its
    # own); 600 a minute keeps two requests per host gentle on a small server.
    rate_limit_per_minute = 600

    def scopes(self) -> list[Scope]:
        options: FleetOptions = self.options
        if options.base_url is None:
            if self.name in self.settings.sources:
                raise ValueError(
                    'sources.fleet.base_url is not set (the Fleet server URL, like "https://fleet.acme.example")'
                )
            return []  # not configured: nothing to collect
        host = options.base_url.split("://", 1)[-1].split("/", 1)[0].lower()
        return [Scope(self.name, f"fleet:{host}", {"base_url": options.base_url})]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: FleetOptions = self.options
        token = credential(self.name, self.source.credentials_env, "token", DEFAULT_TOKEN_VARIABLE)
        api = self.http(self.name, scope.params["base_url"], bearer(token), token)
        with FleetClient(api, options.page_size) as client:
            for host in client.hosts():  # the main listing: failing, it fails the Run
                yield from _host(client, host)


def _host(client: FleetClient, host: dict[str, Any]) -> Iterator[Record | Problem]:
    """One host with its side requests; each that fails leaves only its fields unknown."""
    host_id = host.get("id")
    details: dict[str, Any] | None = None
    mapping: list[dict[str, Any]] | None = None
    if host_id is not None:
        fields: tuple[str, ...] = (f"{Device.kind}.compliant", f"{Device.kind}.failing_policies")
        if "disk_encryption_enabled" not in host:  # only the host's details say it
            fields += (f"{Device.kind}.encrypted",)
        details = yield from side_request(lambda: client.host(host_id), fields=fields)
        mapping = yield from side_request(
            lambda: client.device_mapping(host_id), fields=(f"{Device.kind}.user",)
        )
    yield from mapped(mapper.map_host(host, details, mapping), Device.kind)
