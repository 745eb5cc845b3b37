"""crowdstrike: the hosts CrowdStrike Falcon's sensors report (sensor health, containment,
prevention policy, last seen, last signed-in user) from the Falcon Hosts API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from collectors.bearer_token import client_credentials_apis
from collectors.crowdstrike import mapper
from collectors.crowdstrike.client import (
    BASE_URLS,
    MAX_PAGE_SIZE,
    FalconHostsClient,
    client_credentials,
)
from collectors.degrade import mapping_problems
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Device, Record
from vaultward.contract.sdk import Problem, Scope

DEFAULT_CLIENT_ID_VARIABLE = "CROWDSTRIKE_CLIENT_ID"
DEFAULT_CLIENT_SECRET_VARIABLE = "CROWDSTRIKE_CLIENT_SECRET"  # noqa: S105 - a variable name


class CrowdStrikeOptions(BaseModel):
    """`[sources.crowdstrike]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cloud: Literal["us-1", "us-2", "eu-1", "us-gov-1"] = "us-1"
    base_url: Annotated[str | None, http_url()] = None  # overrides the cloud's URL (tests, the demo)
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class CrowdStrikeCollector(SaasCollector):
    """One scope per Falcon cloud, `crowdstrike:<cloud>`. Reads, never writes:

    - `POST /oauth2/token`: the API client's id and secret for a 30-minute token;
    - `GET /devices/queries/devices-scroll/v1`: every host id, paged by the `offset` token;
    - `POST /devices/entities/devices/v2`: the details of each page's hosts.

    Configuration (`[sources.crowdstrike]`):

    - `cloud`: the Falcon cloud of the customer (CID): `us-1` (api.crowdstrike.com, default),
      `us-2`, `eu-1`, `us-gov-1`.
    - `base_url`: another API URL (tests, the demo); overrides `cloud`.
    - `page_size`: host ids per page and per details call, 1-5000 (default 5000, the most
      one details call takes).
    - `credentials_env.client_id` / `credentials_env.client_secret`: the variables holding the
      API client's id and secret (defaults `CROWDSTRIKE_CLIENT_ID` / `CROWDSTRIKE_CLIENT_SECRET`).

    Access: an API client (Support and resources > API clients and keys) with the single
    scope **Hosts: Read** and nothing else; it can list hosts but not contain, hide or
    change them. The prevention policy is recorded by id (its name needs "Prevention
    policies: Read", left out on purpose).

    Produces a device per host (`crowdstrike:device:<AID>`), with `edr_running` true only for
    a sensor whose status is `normal` and not in reduced functionality mode, `contained` from
    the containment status, and `user` as the sensor saw the last sign-in (an e-mail, or a
    `DOMAIN\\user` the alias table maps to a person). A status, mode or platform the
    collector does not know is kept as it is said, leaves what it decides unknown, and makes
    the Run partial. A host listed but whose details did not come back leaves the device
    listing incomplete.
    """

    name = "crowdstrike"
    title = "CrowdStrike Falcon hosts: sensor health, containment, prevention policy"
    produces = (Device,)
    permissions = (
        "Hosts: Read",
        "POST /oauth2/token",
        "GET /devices/queries/devices-scroll/v1",
        "POST /devices/entities/devices/v2",
    )
    options_model: ClassVar[type[BaseModel]] = CrowdStrikeOptions
    enabled_by_default = False  # needs an API client: runs once [sources.crowdstrike] is configured
    credentials = {"client_id": DEFAULT_CLIENT_ID_VARIABLE, "client_secret": DEFAULT_CLIENT_SECRET_VARIABLE}
    # Falcon limits requests per customer (CID) across all its API clients and says its
    # limit in X-RateLimit-Limit (6,000 a minute is common); 600 a minute leaves most of it
    # to the customer's other integrations. A 429's X-RateLimit-RetryAfter is obeyed.
    rate_limit_per_minute = 600

    def scopes(self) -> list[Scope]:
        options: CrowdStrikeOptions = self.options
        base_url = options.base_url or BASE_URLS[options.cloud]
        return [Scope(self.name, f"{self.name}:{options.cloud}", {"base_url": base_url})]

    def client(self, base_url: str) -> FalconHostsClient:
        api, token_api = client_credentials_apis(self, base_url, base_url, client_credentials)
        return FalconHostsClient(api, token_api, self.options.page_size)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        seen: set[str] = set()  # a host the scroll returns twice (re-indexed meanwhile) is kept once
        with self.client(scope.params["base_url"]) as client:
            for ids, details in client.hosts():  # the main listing: failing, it fails the Run
                returned = set()
                for raw in details:
                    record, problems = mapper.map_device(raw)
                    yield from mapping_problems(record, problems, Device.kind)
                    if record is not None:
                        returned.add(record.device_id)
                        if record.device_id not in seen:
                            seen.add(record.device_id)
                            yield record
                missing = [host for host in ids if host not in returned]
                if missing:
                    # Removed between the query and the details call, or refused: not known.
                    yield Problem(
                        f"crowdstrike: {len(missing)} host(s) listed without details "
                        f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})",
                        (Device.kind,),
                    )
