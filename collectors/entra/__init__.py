"""entra: Microsoft Entra ID users, admin flag and registered authentication methods."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.entra import mapper
from collectors.entra.client import GraphClient
from collectors.http_api import credential
from vaultward.records import Identity, Record
from vaultward.sdk import Collector, Problem, Scope

DEFAULT_CLIENT_ID_VARIABLE = "ENTRA_CLIENT_ID"
DEFAULT_CLIENT_SECRET_VARIABLE = "ENTRA_CLIENT_SECRET"  # noqa: S105 - a variable name


class EntraOptions(BaseModel):
    """`[sources.entra]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str = Field(min_length=1)  # directory (tenant) id or a verified domain
    graph_url: str = "https://graph.microsoft.com"
    login_url: str = "https://login.microsoftonline.com"


class EntraCollector(Collector):
    """One scope per tenant: every user's registration of authentication methods
    (`userRegistrationDetails`): admin flag, MFA registration, methods registered.

    Access: an app registration with the read-only application permission
    `AuditLog.Read.All`, signing in with the client-credentials grant. Client id and secret come from the variables
    `credentials_env.client_id` / `credentials_env.client_secret` name (defaults
    `ENTRA_CLIENT_ID` / `ENTRA_CLIENT_SECRET`). MFA enforcement (Conditional Access) is not
    read yet: `mfa_enforced` stays unknown.
    """

    name = "entra"
    title = "Microsoft Entra ID users and authentication methods"
    produces = (Identity,)
    permissions = ("AuditLog.Read.All",)  # Microsoft Graph application permission
    options_model: ClassVar[type[BaseModel]] = EntraOptions
    enabled_by_default = False  # needs a tenant: runs once configured
    credentials = {"client_id": DEFAULT_CLIENT_ID_VARIABLE, "client_secret": DEFAULT_CLIENT_SECRET_VARIABLE}
    sleep: Callable[[float], None] | None = None  # tests shorten retry waits

    def scopes(self) -> list[Scope]:
        return [Scope(collector=self.name, id=f"{self.name}:{self.options.tenant_id}")]

    def client(self) -> GraphClient:
        env = self.source.credentials_env
        return GraphClient(
            self.name,
            self.options.tenant_id,
            credential(self.name, env, "client_id", DEFAULT_CLIENT_ID_VARIABLE),
            credential(self.name, env, "client_secret", DEFAULT_CLIENT_SECRET_VARIABLE),
            self.options.graph_url,
            self.options.login_url,
            sleep=self.sleep or time.sleep,
        )

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client() as client:
            for page in client.registration_details():
                for row in page:
                    if not isinstance(row, dict) or not row.get("id"):
                        yield Problem("a registration row without an id was skipped", (Identity.kind,))
                        continue
                    record = mapper.map_registration(row, self.options.tenant_id)
                    yield record.model_copy(update={"scope": scope.id})
