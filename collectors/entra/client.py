"""Microsoft Graph over HTTP for the entra collector (the token and Graph plumbing shared
with other Graph sources is `collectors.microsoft_graph`): the paged authentication-methods registration report, Conditional
Access policies, security defaults, cross-tenant access settings, group members, and the sign-in
and directory audit logs. The only module of this collector that talks HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from collectors.http_api import ApiError, HttpApi, VendorClient
from collectors.microsoft_graph import GRAPH_SCOPE, ClientCredentialsGrant, token_url

__all__ = ["GRAPH_SCOPE", "ClientCredentialsGrant", "GraphClient", "token_url"]

REGISTRATION_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
POLICIES_PATH = "/v1.0/identity/conditionalAccess/policies"
SECURITY_DEFAULTS_PATH = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
GROUP_MEMBERS_PATH = "/v1.0/groups/{id}/transitiveMembers"
CROSS_TENANT_DEFAULT_PATH = "/v1.0/policies/crossTenantAccessPolicy/default"
CROSS_TENANT_PARTNERS_PATH = "/v1.0/policies/crossTenantAccessPolicy/partners"
SIGN_INS_PATH = "/v1.0/auditLogs/signIns"
# Non-interactive sign-ins are listed only by the beta endpoint, asked for explicitly with a
# filter on `signInEventTypes` (signin-list, beta: "Only interactive sign-ins are returned ...
# unless you set an explicit filter on the signInEventType property"); Microsoft does not
# support beta APIs in production, so the collector reads it only when configured to.
BETA_SIGN_INS_PATH = "/beta/auditLogs/signIns"
NON_INTERACTIVE = "nonInteractiveUser"
DIRECTORY_AUDITS_PATH = "/v1.0/auditLogs/directoryAudits"
MEMBERS_PAGE_MAX = 999  # the largest $top Graph allows for directory-object lists
# "The maximum and default page size is 1,000 objects" (learn.microsoft.com graph/api/signin-list)
SIGN_INS_PAGE_MAX = 1000
# The directory audit log's entries of security-info (authentication method) changes
AUTHENTICATION_METHODS_SERVICE = "Authentication Methods"


class GraphClient(VendorClient):
    """One tenant's Graph, as an application (no signed-in user), through `api` (authorised
    by a `ClientCredentialsGrant` over `token_api`)."""

    def __init__(self, api: HttpApi, token_api: HttpApi, logs: HttpApi | None = None) -> None:
        self.source = api.source
        self.api = api
        self.logs = logs or api  # the audit logs' own client (their own pace), else the API's
        self.others = (token_api,) if logs is None else (token_api, logs)

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

    def sign_ins(self, since: datetime) -> Iterator[list[dict[str, Any]]]:
        """Pages of signIn objects created at or after `since`, newest first, following
        `@odata.nextLink` (`$top`, `$filter` on createdDateTime: signin-list)."""
        params = {"$filter": f"createdDateTime ge {odata_time(since)}", "$top": SIGN_INS_PAGE_MAX}
        for page in self.logs.pages_by_next_url(SIGN_INS_PATH, "value", "@odata.nextLink", params):
            yield list(self.objects(page, SIGN_INS_PATH))

    def non_interactive_sign_ins(self, since: datetime) -> Iterator[list[dict[str, Any]]]:
        """Pages of the beta signIn objects of non-interactive user sign-ins created at or
        after `since` (a client signing in for a user with a refresh or session token),
        following `@odata.nextLink`; the same page size as v1.0."""
        condition = (
            f"createdDateTime ge {odata_time(since)} and signInEventTypes/any(t: t eq '{NON_INTERACTIVE}')"
        )
        params = {"$filter": condition, "$top": SIGN_INS_PAGE_MAX}
        for page in self.logs.pages_by_next_url(BETA_SIGN_INS_PATH, "value", "@odata.nextLink", params):
            yield list(self.objects(page, BETA_SIGN_INS_PATH))

    def authentication_method_audits(self, since: datetime) -> Iterator[list[dict[str, Any]]]:
        """Pages of directoryAudit entries the Authentication Methods service logged at or after
        `since` (security info registered, changed, deleted), following `@odata.nextLink`.
        directoryaudit-list documents `$filter` (eq, ge) and `$top` without a maximum, so the
        server's page size stands."""
        condition = (
            f"activityDateTime ge {odata_time(since)} "
            f"and loggedByService eq '{AUTHENTICATION_METHODS_SERVICE}'"
        )
        pages = self.logs.pages_by_next_url(
            DIRECTORY_AUDITS_PATH, "value", "@odata.nextLink", {"$filter": condition}
        )
        for page in pages:
            yield list(self.objects(page, DIRECTORY_AUDITS_PATH))


def error_status(error: Exception) -> int | None:
    """The HTTP status of a failed Graph request, None for a failure without one."""
    return error.status if isinstance(error, ApiError) else None


def graph_error_code(error: Exception) -> str:
    """The `error.code` of a Graph refusal's body (`ApiError.detail`), "" when none."""
    try:
        body = json.loads(getattr(error, "detail", "") or "null")
    except ValueError:
        return ""
    inner = body.get("error") if isinstance(body, dict) else None
    code = inner.get("code") if isinstance(inner, dict) else None
    return code if isinstance(code, str) else ""


def odata_time(moment: datetime) -> str:
    """An OData DateTimeOffset literal in UTC, as Graph's `$filter` examples write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
