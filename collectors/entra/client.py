"""Microsoft Graph over HTTP for the entra collector: a client-credentials token from the
Microsoft identity platform and the paged authentication-methods registration report. The
only module of this collector that talks HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from collectors.bearer_token import BearerToken
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REGISTRATION_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"


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
            response = self.token_api.request("POST", self.token_url, data=form)
        except ApiError as error:
            message = str(error)
            if self.client_secret.variable not in message:
                message += (
                    f" (check the application in {self.client_id.variable}, its secret in "
                    f"{self.client_secret.variable}, and tenant_id)"
                )
            raise ApiError(message) from None
        return self.token_api.json(response)

    def registration_details(self) -> Iterator[list[Mapping[str, Any]]]:
        """Pages of userRegistrationDetails, following `@odata.nextLink`. The report pages
        server-side; Microsoft documents only `$filter` and `$orderby` for it, so no `$top`."""
        yield from self.api.pages_by_next_url(REGISTRATION_PATH, "value", "@odata.nextLink")
