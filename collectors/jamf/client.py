"""The Jamf Pro API over HTTP for the jamf collector: an API client's OAuth client-credentials
token (as `httpx.Auth`, fetched again before it expires) and the paged computers inventory.
The only module of this collector that talks HTTP.

Jamf documents (developer.jamf.com/jamf-pro/docs/client-credentials,
.../reference/get_v1-computers-inventory): `POST /api/oauth/token` with the form fields
`client_id`, `client_secret`, `grant_type=client_credentials` answers `access_token`,
`token_type`, `scope` and `expires_in` (the API client's "Access Token Lifetime", short:
Jamf's example says 599 seconds); `GET /api/v1/computers-inventory` answers
`{"totalCount": N, "results": [...]}` for 0-based `page` and `page-size` (default 100), the
sections asked for with repeated `section=` parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from collectors.bearer_token import ClientCredentialsGrant
from collectors.http_api import ApiError, Credential, HttpApi, VendorClient
from vaultward.contract.sdk import IncompleteListing

TOKEN_PATH = "/api/oauth/token"  # noqa: S105 - a path, not a secret
INVENTORY_PATH = "/api/v1/computers-inventory"
SECTIONS = ("GENERAL", "HARDWARE", "OPERATING_SYSTEM", "DISK_ENCRYPTION", "USER_AND_LOCATION")
DEFAULT_PAGE_SIZE = 100  # Jamf's documented default for page-size
MAX_PAGE_SIZE = 2000  # Jamf documents no maximum; five sections a computer keep pages far under it


def client_credentials(
    token_api: HttpApi, client_id: Credential, client_secret: Credential, clock: Callable[[], float]
) -> ClientCredentialsGrant:
    """A Jamf Pro API client's id and secret exchanged at `TOKEN_PATH` for an access token,
    fetched again before it expires (an API client's lifetime can be as short as a minute)."""
    return ClientCredentialsGrant(
        token_api, client_id, client_secret, path=TOKEN_PATH, fields={"grant_type": "client_credentials"},
        clock=clock,
    )  # fmt: skip


class JamfClient(VendorClient):
    """One Jamf Pro instance, as an API client, through `api` (authorised by a
    `client_credentials` over `token_api`)."""

    def __init__(self, api: HttpApi, token_api: HttpApi, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.source = api.source
        self.api = api
        self.others = (token_api,)
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def computers(self) -> Iterator[dict[str, Any]]:
        """Every computer's inventory, in id order, page 0 onwards until `totalCount` are read.
        A page that comes back empty before then, or a `totalCount` that changes while the
        pages are read (a Mac enrolled or deleted: the pages shift, one may be skipped),
        leaves the listing incomplete: what was read stands, the Run is partial."""
        path = INVENTORY_PATH
        listing = self.api.listing(path, "page number")
        params: dict[str, Any] = {"section": list(SECTIONS), "page-size": self.page_size, "sort": "id:asc"}
        page, read, total = 0, 0, None
        while True:
            with listing.page():
                body = self.api.get_json(path, {**params, "page": page})
                count = body.get("totalCount") if isinstance(body, dict) else None
                if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                    raise ApiError(
                        f"{self.source}: GET {path}: expected a number in 'totalCount', got {count!r}"
                    )
                batch = self.api.expect_list(body, path, "results")
            if total is None:
                total = count
            elif count != total:
                raise IncompleteListing(
                    f"{self.source}: GET {path}: totalCount changed from {total} to {count} while the "
                    f"pages were read (page {page}); the listing is incomplete"
                )
            yield from self.objects(batch, path)
            read += len(batch)
            if read >= total:
                return
            if not batch:
                raise IncompleteListing(
                    f"{self.source}: GET {path}: page {page} is empty after {read} of the {total} "
                    "computers totalCount reports; the listing is incomplete"
                )
            page += 1
            listing.follow(str(page))
