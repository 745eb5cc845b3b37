"""Microsoft Graph over HTTP for the entra collector: a client-credentials token from the
Microsoft identity platform (as `httpx.Auth`), the paged authentication-methods registration report, Conditional
Access policies, security defaults, cross-tenant access settings and group members. The only module of this collector that
talks HTTP."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from collectors.bearer_token import BearerToken
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REGISTRATION_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
POLICIES_PATH = "/v1.0/identity/conditionalAccess/policies"
SECURITY_DEFAULTS_PATH = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
GROUP_MEMBERS_PATH = "/v1.0/groups/{id}/transitiveMembers"
CROSS_TENANT_DEFAULT_PATH = "/v1.0/policies/crossTenantAccessPolicy/default"
CROSS_TENANT_PARTNERS_PATH = "/v1.0/policies/crossTenantAccessPolicy/partners"
MEMBERS_PAGE_MAX = 999  # the largest $top Graph allows for directory-object lists


def token_url(login_url: str, tenant_id: str) -> str:
    return f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"


class ClientCredentialsGrant(BearerToken):
    """The Microsoft identity platform's client-credentials grant as `httpx.Auth`: the
    application's id and secret exchanged at `token_api` for a Graph token."""

    def __init__(self, token_api: HttpApi, client_id: Credential, client_secret: Credential) -> None:
        super().__init__(token_api.source)
        self.token_api = token_api
        self.client_id = client_id
        self.client_secret = client_secret

    def fetch(self) -> Any:
        form = {
            "client_id": self.client_id.value,
            "client_secret": self.client_secret.value,
            "scope": GRAPH_SCOPE,
            "grant_type": "client_credentials",
        }
        try:
            _, body = self.token_api.request_json("POST", self.token_api.base_url.rstrip("/"), data=form)
        except ApiError as error:
            message = str(error)
            if self.client_secret.variable not in message:
                message += (
                    f" (check the application in {self.client_id.variable}, its secret in "
                    f"{self.client_secret.variable}, and tenant_id)"
                )
            raise ApiError(message) from None
        return body


class GraphClient(VendorClient):
    """One tenant's Graph, as an application (no signed-in user), through `api` (authorised
    by a `ClientCredentialsGrant` over `token_api`)."""

    def __init__(self, api: HttpApi, token_api: HttpApi) -> None:
        self.source = api.source
        self.api = api
        self.others = (token_api,)

    def registration_details(self) -> Iterator[list[Mapping[str, Any]]]:
        """Pages of userRegistrationDetails, following `@odata.nextLink`. The report pages
        server-side; Microsoft documents only `$filter` and `$orderby` for it, so no `$top`."""
        yield from self.api.pages_by_next_url(REGISTRATION_PATH, "value", "@odata.nextLink")

    def conditional_access_policies(self) -> list[dict[str, Any]]:
        """Every conditionalAccessPolicy, following `@odata.nextLink`."""
        return [
            policy
            for page in self.api.pages_by_next_url(POLICIES_PATH, "value", "@odata.nextLink")
            for policy in self.objects(page, POLICIES_PATH)
        ]

    def security_defaults(self) -> dict[str, Any]:
        body = self.api.get_json(SECURITY_DEFAULTS_PATH)
        if not isinstance(body, dict):
            raise ApiError(f"{self.source}: GET {SECURITY_DEFAULTS_PATH}: expected an object")
        return body

    def cross_tenant_default(self) -> dict[str, Any]:
        """The default cross-tenant access configuration (its `inboundTrust` among others)."""
        body = self.api.get_json(CROSS_TENANT_DEFAULT_PATH)
        if not isinstance(body, dict):
            raise ApiError(f"{self.source}: GET {CROSS_TENANT_DEFAULT_PATH}: expected an object")
        return body

    def cross_tenant_partners(self) -> list[dict[str, Any]]:
        """Every partner-specific cross-tenant access configuration, following `@odata.nextLink`."""
        return [
            partner
            for page in self.api.pages_by_next_url(CROSS_TENANT_PARTNERS_PATH, "value", "@odata.nextLink")
            for partner in self.objects(page, CROSS_TENANT_PARTNERS_PATH)
        ]

    def group_members(self, group_id: str) -> frozenset[str]:
        """Ids of the group's members, nested groups' members included (`transitiveMembers`)."""
        path = GROUP_MEMBERS_PATH.format(id=quote(group_id, safe=""))
        params = {"$select": "id", "$top": MEMBERS_PAGE_MAX}
        pages = self.api.pages_by_next_url(path, "value", "@odata.nextLink", params)
        return frozenset(
            str(member["id"]) for page in pages for member in self.objects(page, path) if member.get("id")
        )
