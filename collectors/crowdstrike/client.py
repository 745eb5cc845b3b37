"""The CrowdStrike Falcon Hosts API over HTTP: the cloud's base URL, an OAuth2 client-credentials
token (as `httpx.Auth`), host ids by the scrolling query and their details in batches. The only
module of this collector that talks HTTP.

Shapes from CrowdStrike's published specification (falconpy `_endpoint/_hosts.py` and
`_oauth2.py`, gofalcon `falcon/models/deviceapi_*`): https://developer.crowdstrike.com/api-reference/collections/hosts/
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.bearer_token import ClientCredentialsGrant
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient

# One API host per Falcon cloud (falconpy `_enum/_base_url.py`).
BASE_URLS = {
    "us-1": "https://api.crowdstrike.com",
    "us-2": "https://api.us-2.crowdstrike.com",
    "eu-1": "https://api.eu-1.crowdstrike.com",
    "us-gov-1": "https://api.laggar.gcw.crowdstrike.com",
}
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
SCROLL_PATH = "/devices/queries/devices-scroll/v1"
DETAILS_PATH = "/devices/entities/devices/v2"
# The scroll query takes `limit` up to 10,000 ids; PostDeviceDetailsV2 takes at most 5,000
# ids a call: pages of 5,000 make one details call per page.
MAX_PAGE_SIZE = 5000


def client_credentials(
    token_api: HttpApi, client_id: Credential, client_secret: Credential
) -> ClientCredentialsGrant:
    """`POST /oauth2/token` with the API client's id and secret as form fields (falconpy's
    docs/service-collections/oauth2.md, oauth2AccessToken: `client_id`, `client_secret`, no
    `grant_type`); the answer (201) carries `access_token` and `expires_in` (30 minutes)."""
    return ClientCredentialsGrant(
        token_api,
        client_id,
        client_secret,
        path=TOKEN_PATH,
        hint="check the API client in {client_id}, its secret in {client_secret}, and the cloud",
    )


class FalconHostsClient(VendorClient):
    """Hosts: Read calls through `api` (authorised by `client_credentials` over
    `token_api`)."""

    def __init__(self, api: HttpApi, token_api: HttpApi, page_size: int = MAX_PAGE_SIZE) -> None:
        self.source = api.source
        self.api = api
        self.others = (token_api,)
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))

    def hosts(self) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
        """Each page of host ids (the scroll query, its `offset` token from the previous
        page's `meta.pagination.offset`) with the details of those hosts. A page that fails
        (its ids or its details) after the first leaves the listing incomplete."""
        listing = self.api.listing(SCROLL_PATH, "offset token")
        offset: str | None = None
        read = 0
        while True:
            with listing.page():
                params: dict[str, Any] = {"limit": self.page_size}
                if offset:
                    params["offset"] = offset
                body = self.api.get_json(SCROLL_PATH, params)
                ids = self._ids(body)
                pagination = self._pagination(body)
                details = self.details(ids) if ids else []
            yield ids, details
            read += len(ids)
            following = pagination.get("offset")
            if not ids or not isinstance(following, str) or not following or read >= pagination["total"]:
                return
            listing.follow(following)
            offset = following

    def details(self, ids: list[str]) -> list[dict[str, Any]]:
        """`POST /devices/entities/devices/v2` with `{"ids": [...]}` (at most 5,000)."""
        _, body = self.api.request_json("POST", DETAILS_PATH, json={"ids": ids})
        resources = body.get("resources") if isinstance(body, dict) else None
        if resources is None and isinstance(body, dict):
            resources = []
        if not isinstance(resources, list):
            raise ApiError(f"{self.source}: POST {DETAILS_PATH}: expected a list field 'resources'")
        return list(self.objects(resources, DETAILS_PATH))

    def _ids(self, body: Any) -> list[str]:
        ids = self.api.expect_list(body, SCROLL_PATH, "resources")
        if not all(isinstance(item, str) and item for item in ids):
            raise ApiError(f"{self.source}: GET {SCROLL_PATH}: expected host ids (strings) in 'resources'")
        return ids

    def _pagination(self, body: Any) -> dict[str, Any]:
        meta = body.get("meta") if isinstance(body, dict) else None
        pagination = meta.get("pagination") if isinstance(meta, dict) else None
        total = pagination.get("total") if isinstance(pagination, dict) else None
        if not isinstance(pagination, dict) or isinstance(total, bool) or not isinstance(total, int):
            raise ApiError(f"{self.source}: GET {SCROLL_PATH}: no meta.pagination with a total in the answer")
        return pagination
