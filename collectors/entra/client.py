"""Microsoft Graph over HTTP for the entra collector: a client-credentials token from the
Microsoft identity platform, the paged authentication-methods registration report, Conditional
Access policies, security defaults, cross-tenant access settings and group members. The only module of this collector that
talks HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from collectors.bearer_token import BearerToken
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient
from collectors.request_pacing import RequestPacer

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REGISTRATION_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
POLICIES_PATH = "/v1.0/identity/conditionalAccess/policies"
SECURITY_DEFAULTS_PATH = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
GROUP_MEMBERS_PATH = "/v1.0/groups/{id}/transitiveMembers"
CROSS_TENANT_DEFAULT_PATH = "/v1.0/policies/crossTenantAccessPolicy/default"
CROSS_TENANT_PARTNERS_PATH = "/v1.0/policies/crossTenantAccessPolicy/partners"
MEMBERS_PAGE_MAX = 999  # the largest $top Graph allows for directory-object lists


class GraphClient(VendorClient):
    """One tenant's Graph, as an application (no signed-in user)."""

    def __init__(
        self,
        source: str,
        tenant_id: str,
        client_id: Credential,
        client_secret: Credential,
        graph_url: str,
        login_url: str,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        pacer: RequestPacer | None = None,
    ) -> None:
        self.source = source
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self.token_api = HttpApi(
            source, self.token_url, headers=dict, credential=client_secret, sleep=sleep, transport=transport
        )
        self.token = BearerToken(source, self._fetch_token)
        self.api = HttpApi(
            source,
            graph_url,
            headers=self.token.headers,
            credential=client_secret,
            sleep=sleep,
            transport=transport,
            pacer=pacer,
        )

    def close(self) -> None:
        self.token_api.close()
        self.api.close()

    def _fetch_token(self) -> Any:
        form = {
            "client_id": self.client_id.value,
            "client_secret": self.client_secret.value,
            "scope": GRAPH_SCOPE,
            "grant_type": "client_credentials",
        }
        try:
            _, body = self.token_api.request_json("POST", self.token_url, data=form)
        except ApiError as error:
            message = str(error)
            if self.client_secret.variable not in message:
                message += (
                    f" (check the application in {self.client_id.variable}, its secret in "
                    f"{self.client_secret.variable}, and tenant_id)"
                )
            raise ApiError(message) from None
        return body

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
