"""A loopback Microsoft Entra ID: the identity platform's client-credentials token endpoint
(`/{tenant}/oauth2/v2.0/token`, `scope=https://graph.microsoft.com/.default`) and Microsoft
Graph's `userRegistrationDetails` report, Conditional Access policies, the security defaults
policy, cross-tenant access settings (default and partners), groups' `transitiveMembers`,
and the sign-in log (`auditLogs/signIns`) and directory audit log (`auditLogs/directoryAudits`)
with the `$filter`s the collector sends, newest first, with Microsoft's documented shapes: `value` pages
linked by an absolute `@odata.nextLink` (`$skiptoken`), `{"error": {"code", "message",
"innerError"}}` error bodies, 403 `Authorization_RequestDenied` for an application permission
the app was not granted, 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant` for the
sign-in log of a tenant without Entra ID P1 or P2, 404 for an unknown group, 429 with
`Retry-After`, AADSTS errors from the token endpoint.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from demo.fakes.entra_logs import BETA_SIGN_INS_PATH as BETA_SIGN_INS_PATH
from demo.fakes.entra_logs import DIRECTORY_AUDITS_PATH as DIRECTORY_AUDITS_PATH
from demo.fakes.entra_logs import SIGN_INS_PATH as SIGN_INS_PATH
from demo.fakes.entra_logs import graph_error, route_logs
from demo.fakes.entra_policies import demo_conditional_access, user_id
from demo.fakes.entra_signins import FRANK_LAPTOP as FRANK_LAPTOP
from demo.fakes.entra_signins import LISBON as LISBON
from demo.fakes.entra_signins import _audit as _audit
from demo.fakes.entra_signins import _graph_time as _graph_time
from demo.fakes.entra_signins import _sign_in as _sign_in
from demo.fakes.entra_signins import demo_sign_in_logs
from demo.fakes.server import FakeApi, Reply, Request

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REPORT_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
POLICIES_PATH = "/v1.0/identity/conditionalAccess/policies"
SECURITY_DEFAULTS_PATH = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
GROUP_MEMBERS_PATH = r"/v1.0/groups/(?P<group>[^/]+)/transitiveMembers"
CROSS_TENANT_DEFAULT_PATH = "/v1.0/policies/crossTenantAccessPolicy/default"
CROSS_TENANT_PARTNERS_PATH = "/v1.0/policies/crossTenantAccessPolicy/partners"
# What a tenant that never changed its cross-tenant access settings answers: the service
# default, trusting no external organisation's MFA or device claims.
SERVICE_DEFAULT = {
    "isServiceDefault": True,
    "inboundTrust": {
        "isMfaAccepted": False,
        "isCompliantDeviceAccepted": False,
        "isHybridAzureADJoinedDeviceAccepted": False,
    },
}
GRAPH_PERMISSIONS = ("AuditLog.Read.All", "Policy.Read.All", "GroupMember.Read.All")
DEMO_TENANT_ID = "5f1c2b7e-3d4a-4c8e-9b1f-acme00000001"
DEMO_CLIENT_ID = "a7d3e0c4-2f1b-4e5d-8c9a-0b1c2d3e4f50"


def throttled(retry_after: int = 2) -> tuple[int, dict[str, str], dict[str, Any]]:
    """A Graph 429, for `FakeApi.inject(path, *throttled())`."""
    body = {"error": {"code": "TooManyRequests", "message": "Too many requests.", "innerError": {}}}
    return 429, {"Retry-After": str(retry_after)}, body


def token_error(status: int, error: str, description: str) -> Reply:
    return Reply(
        status,
        {
            "error": error,
            "error_description": description,
            "error_codes": [int(description.split(":")[0].removeprefix("AADSTS"))],
        },
    )


def _skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"skip": offset}).encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    return int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["skip"])


class GraphFake:
    """What every loopback Graph shares: the tenant's client-credentials token endpoint
    (`issue_token`, routed by the caller at `TOKEN_ROUTE`), the Graph error for a missing
    token or an application permission not granted (`refused`), and `value` pages linked by
    an absolute `@odata.nextLink` (`paged`). The entra and intune fakes build on it."""

    def __init__(
        self,
        tenant_id: str,
        client_secret: str,
        client_id: str,
        token: str,
        page_size: int,
        permissions: tuple[str, ...],
    ) -> None:
        self.tenant_id, self.client_id, self.client_secret = tenant_id, client_id, client_secret
        self.token, self.page_size, self.permissions = token, page_size, permissions
        self.api = FakeApi(authorised=lambda request: True)  # handlers answer in Microsoft's shapes

    def issue_token(self, request: Request) -> Reply:
        if request.match["tenant"] != self.tenant_id:
            return token_error(
                400,
                "invalid_request",
                f"AADSTS900023: Specified tenant identifier '{request.match['tenant']}' is neither a valid DNS name, nor a valid external domain.",
            )
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return token_error(
                400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type."
            )
        if form.get("client_id") != self.client_id:
            return token_error(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not found in the directory.",
            )
        if form.get("client_secret") != self.client_secret:
            return token_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if form.get("scope") != GRAPH_SCOPE:
            return token_error(
                400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid."
            )
        return Reply(
            200,
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": self.token},
        )

    def refused(self, request: Request, permission: str) -> Reply | None:
        """The Graph error for a missing token or a permission the app lacks, else None."""
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if permission not in self.permissions:
            return graph_error(
                403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
            )
        return None

    def paged(
        self,
        request: Request,
        path: str,
        items: list[dict[str, Any]],
        context: str,
        permission: str,
        keep_query: bool = False,
    ) -> Reply:
        """One page of `items` from the `$skiptoken` offset; `keep_query`: the next link
        repeats the request's other parameters (`$select`), as Intune's do."""
        if (error := self.refused(request, permission)) is not None:
            return error
        size = min(int(request.query.get("$top") or self.page_size), self.page_size)
        try:
            start = _offset(request.query["$skiptoken"]) if request.query.get("$skiptoken") else 0
        except (ValueError, KeyError):
            return graph_error(400, "BadRequest", "Invalid $skiptoken.")
        end = start + size
        body: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/{path.split('/')[1]}/$metadata#{context}",
            "value": items[start:end],
        }
        if end < len(items):
            query = {k: v for k, v in request.query.items() if k != "$skiptoken"} if keep_query else {}
            following = "".join(f"{k}={v}&" for k, v in query.items())
            body["@odata.nextLink"] = f"{self.api.base_url}{path}?{following}$skiptoken={_skiptoken(end)}"
        return Reply(200, body)


TOKEN_ROUTE = r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token"  # noqa: S105 - a path pattern


def make_entra_fake(
    data: dict[str, Any],
    client_secret: str,
    client_id: str = DEMO_CLIENT_ID,
    token: str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.fake-graph-token",  # noqa: S107 - the fake's own
    page_size: int = 100,
    permissions: tuple[str, ...] = GRAPH_PERMISSIONS,
    premium: bool = True,
) -> FakeApi:
    """`data`: {"tenant_id", "users": [userRegistrationDetails rows], "policies":
    [conditionalAccessPolicy], "security_defaults": identitySecurityDefaultsEnforcementPolicy,
    "groups": {group id: [directoryObject members, nested ones included]},
    "cross_tenant_default": crossTenantAccessPolicyConfigurationDefault (the service default
    when absent), "cross_tenant_partners": [crossTenantAccessPolicyConfigurationPartner],
    "sign_ins": [signIn], "directory_audits": [directoryAudit]}.
    `permissions`: the application permissions the app was granted; an endpoint needing another
    answers 403. `premium`: the tenant has Entra ID P1 or P2 (without, the sign-in log is 403)."""
    graph = GraphFake(data["tenant_id"], client_secret, client_id, token, page_size, permissions)
    api, issue_token, refused, paged = graph.api, graph.issue_token, graph.refused, graph.paged

    def report(request: Request) -> Reply:
        context = "reports/authenticationMethods/userRegistrationDetails"
        return paged(request, REPORT_PATH, data["users"], context, "AuditLog.Read.All")

    def policies(request: Request) -> Reply:
        return paged(
            request,
            POLICIES_PATH,
            data.get("policies", []),
            "identity/conditionalAccess/policies",
            "Policy.Read.All",
        )

    def security_defaults(request: Request) -> Reply:
        if (error := refused(request, "Policy.Read.All")) is not None:
            return error
        context = "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity"
        return Reply(200, {"@odata.context": context, **data.get("security_defaults", {})})

    def group_members(request: Request) -> Reply:
        group = request.match["group"]
        members = data.get("groups", {}).get(group)
        if members is None and refused(request, "GroupMember.Read.All") is None:
            return graph_error(
                404,
                "Request_ResourceNotFound",
                f"Resource '{group}' does not exist or one of its queried reference-property objects are not present.",
            )
        selected = [{"@odata.type": m["@odata.type"], "id": m["id"]} for m in members or []]
        return paged(request, request.path, selected, "directoryObjects(id)", "GroupMember.Read.All")

    def cross_tenant_default(request: Request) -> Reply:
        if (error := refused(request, "Policy.Read.All")) is not None:
            return error
        context = (
            "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity"
        )
        return Reply(200, {"@odata.context": context, **data.get("cross_tenant_default", SERVICE_DEFAULT)})

    def cross_tenant_partners(request: Request) -> Reply:
        return paged(
            request,
            CROSS_TENANT_PARTNERS_PATH,
            data.get("cross_tenant_partners", []),
            "policies/crossTenantAccessPolicy/partners",
            "Policy.Read.All",
        )

    api.route("POST", TOKEN_ROUTE, issue_token)
    api.route("GET", REPORT_PATH, report)
    api.route("GET", POLICIES_PATH, policies)
    api.route("GET", SECURITY_DEFAULTS_PATH, security_defaults)
    api.route("GET", GROUP_MEMBERS_PATH, group_members)
    api.route("GET", CROSS_TENANT_DEFAULT_PATH, cross_tenant_default)
    api.route("GET", CROSS_TENANT_PARTNERS_PATH, cross_tenant_partners)
    route_logs(graph, data, premium)
    return api


def _row(
    number: int,
    upn: str,
    name: str,
    methods: list[str],
    *,
    admin: bool = False,
    guest: bool = False,
    mfa: bool | None = None,
) -> dict[str, Any]:
    strong = [m for m in methods if m not in ("email", "securityQuestion", "none")]
    registered = bool(strong) if mfa is None else mfa
    passwordless = any(
        m in ("fido2SecurityKey", "windowsHelloForBusiness", "microsoftAuthenticatorPasswordless")
        or m.startswith("passKey")
        for m in methods
    )
    preferred = (
        "push" if "microsoftAuthenticatorPush" in methods else ("sms" if "mobilePhone" in methods else "none")
    )
    return {
        "id": user_id(number),
        "userPrincipalName": upn,
        "userDisplayName": name,
        "userType": "guest" if guest else "member",
        "isAdmin": admin,
        "isSsprRegistered": len(methods) >= 2,
        "isSsprEnabled": not guest,
        "isSsprCapable": len(methods) >= 2 and not guest,
        "isMfaRegistered": registered,
        "isMfaCapable": registered,
        "isPasswordlessCapable": passwordless,
        "isSystemPreferredAuthenticationMethodEnabled": True,
        "systemPreferredAuthenticationMethods": [preferred] if registered and preferred != "none" else [],
        "userPreferredMethodForSecondaryAuthentication": preferred,
        "lastUpdatedDateTime": "2026-11-23T06:00:00Z",
        "methodsRegistered": methods,
    }


def demo_entra_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange's Entra tenant: Alice (UPN `Alice@Acme.example`) an admin with a FIDO2
    key and Windows Hello, Henry an admin with only phishable methods, Bob on SMS, Ivan with
    nothing, a partner's guest account, Kim with a passkey and a method value Microsoft has
    not documented yet, Leo with a hardware token and a Temporary Access Pass. Conditional
    Access (`entra_policies`) enforces MFA for all but Bob and Ivan (the trading desk's office
    exception) and Judy (the guests' policy only reports). Its logs: `demo_sign_in_logs`
    (demo/fakes/entra_signins.py)."""
    return {
        **demo_conditional_access(),
        **demo_sign_in_logs(now),
        "tenant_id": DEMO_TENANT_ID,
        "users": [
            _row(
                1,
                "Alice@Acme.example",
                "Alice Moreau",
                ["fido2SecurityKey", "microsoftAuthenticatorPush", "windowsHelloForBusiness"],
                admin=True,
            ),
            _row(2, "bob@acme.example", "Bob Okafor", ["mobilePhone", "email"]),
            _row(
                3,
                "henry@acme.example",
                "Henry Adeyemi",
                ["microsoftAuthenticatorPasswordless", "softwareOneTimePasscode"],
                admin=True,
            ),
            _row(4, "ivan@acme.example", "Ivan Petrov", []),
            _row(
                5,
                "judy_partner.example#EXT#@acmeexchange.onmicrosoft.com",
                "Judy (Partner Audit)",
                ["email"],
                guest=True,
            ),
            _row(6, "kim@acme.example", "Kim Tanaka", ["passKeyDeviceBoundAuthenticator", "futureMethod"]),
            _row(7, "leo@acme.example", "Leo Martins", ["hardwareOneTimePasscode", "temporaryAccessPass"]),
        ],
    }
