"""google_workspace: Google Workspace users, their admin roles and 2-Step Verification."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict

from collectors.google_workspace import mapper
from collectors.google_workspace.client import (
    DIRECTORY_SCOPE,
    DirectoryClient,
    ServiceAccountGrant,
    google_rate_limited,
)
from collectors.http_api import credential
from collectors.saas import SaasCollector, http_url
from vaultward.config.bounded import ACTOR_LENGTH, Bounded, scope_part
from vaultward.contract.records import Identity, Record
from vaultward.contract.sdk import Problem, Scope

DEFAULT_KEY_FILE_VARIABLE = "GOOGLE_SERVICE_ACCOUNT_FILE"


class GoogleWorkspaceOptions(BaseModel):
    """`[sources.google_workspace]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # customer id, or my_customer
    customer: Annotated[str, scope_part("google_workspace:")] = "my_customer"
    # list one domain's users instead of the whole customer's
    domain: Annotated[str, scope_part("google_workspace:")] | None = None
    # the administrator the service account acts as
    admin_subject: Annotated[str, Bounded(max_length=ACTOR_LENGTH, min_length=3)]
    directory_url: Annotated[str, http_url()] = "https://admin.googleapis.com"
    token_url: Annotated[str, http_url()] = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL


class GoogleWorkspaceCollector(SaasCollector):
    """One scope per configured customer: every user with `isAdmin` / `isDelegatedAdmin`,
    `isEnrolledIn2Sv` / `isEnforcedIn2Sv`, suspension and last login.

    Access: a service account with domain-wide delegation for the read-only scope
    `https://www.googleapis.com/auth/admin.directory.user.readonly`, acting as
    `admin_subject` (an administrator allowed to read users). Its JSON key file's path is in
    the variable `credentials_env.service_account_file` names (default
    `GOOGLE_SERVICE_ACCOUNT_FILE`). The Directory API tells neither the 2SV method nor the
    2SV policy: see `mapper` for what that means for checks.
    """

    name = "google_workspace"
    title = "Google Workspace users and 2-Step Verification"
    produces = (Identity,)
    permissions = (DIRECTORY_SCOPE,)  # OAuth scope granted by domain-wide delegation
    options_model: ClassVar[type[BaseModel]] = GoogleWorkspaceOptions
    enabled_by_default = False  # needs a tenant: runs once configured
    credentials = {"service_account_file": DEFAULT_KEY_FILE_VARIABLE}
    # Directory API: 2,400 queries a minute per user per Google Cloud project by default
    # (over it: 403 userRateLimitExceeded).
    rate_limit_per_minute = 2400

    @property
    def account(self) -> str:
        return self.options.domain or self.options.customer

    def scopes(self) -> list[Scope]:
        return [Scope(collector=self.name, id=f"{self.name}:{self.account}")]

    def client(self) -> DirectoryClient:
        key_file = credential(
            self.name, self.source.credentials_env, "service_account_file", DEFAULT_KEY_FILE_VARIABLE
        )
        token_api = self.http(self.name, self.options.token_url, credential=key_file, paced=False)
        grant = ServiceAccountGrant(token_api, key_file, self.options.admin_subject)
        api = self.http(
            self.name, self.options.directory_url, grant, key_file, rate_limited=google_rate_limited
        )
        return DirectoryClient(api, token_api)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client() as client:
            for page in client.users(self.options.customer, self.options.domain):
                for user in page:
                    if not isinstance(user, dict) or not user.get("id"):
                        yield Problem("a user without an id was skipped", (Identity.kind,))
                        continue
                    yield mapper.map_user(user, self.account).model_copy(update={"scope": scope.id})
