"""Microsoft Graph plumbing the Graph-based collectors share (entra, intune): the Microsoft
identity platform's client-credentials grant as `httpx.Auth`, and the two `HttpApi`s a Graph
client composes, one for the token endpoint and one for Graph itself.

Paging is Graph's `@odata.nextLink` (`HttpApi.pages_by_next_url(path, "value", NEXT_LINK)`);
throttling is a 429 with `Retry-After`, which `HttpApi` obeys. One app registration can
serve every Graph source: they read the same credential variables by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collectors.bearer_token import ClientCredentialsGrant, client_credentials_apis
from collectors.http_api import Credential, HttpApi

if TYPE_CHECKING:
    from collectors.saas import SaasCollector

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
NEXT_LINK = "@odata.nextLink"
GRAPH_URL = "https://graph.microsoft.com"
LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_CLIENT_ID_VARIABLE = "ENTRA_CLIENT_ID"
DEFAULT_CLIENT_SECRET_VARIABLE = "ENTRA_CLIENT_SECRET"  # noqa: S105 - a variable name
CREDENTIALS = {"client_id": DEFAULT_CLIENT_ID_VARIABLE, "client_secret": DEFAULT_CLIENT_SECRET_VARIABLE}


def token_url(login_url: str, tenant_id: str) -> str:
    return f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"


def client_credentials(
    token_api: HttpApi, client_id: Credential, client_secret: Credential
) -> ClientCredentialsGrant:
    """The Microsoft identity platform's client-credentials grant: the application's id and
    secret exchanged at `token_api` (the tenant's token URL itself) for a Graph token."""
    return ClientCredentialsGrant(
        token_api,
        client_id,
        client_secret,
        path=token_api.base_url.rstrip("/"),
        fields={"scope": GRAPH_SCOPE, "grant_type": "client_credentials"},
        hint="check the application in {client_id}, its secret in {client_secret}, and tenant_id",
    )


def graph_apis(
    collector: SaasCollector, tenant_id: str, graph_url: str, login_url: str
) -> tuple[HttpApi, HttpApi]:
    """Graph (paced, authorised by the client-credentials grant) and the tenant's token
    endpoint (not paced), for `collector`, with the client id and secret the source's
    `credentials_env` names (defaults `CREDENTIALS`: `ENTRA_CLIENT_ID` / `ENTRA_CLIENT_SECRET`)."""
    return client_credentials_apis(collector, graph_url, token_url(login_url, tenant_id), client_credentials)
