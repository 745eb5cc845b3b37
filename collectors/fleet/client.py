"""The Fleet REST API (fleetdm.com/docs/rest-api/rest-api) over HTTP: bearer API token,
hosts in numbered pages, one host's details and its human-device mapping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.http_api import ApiError, HttpApi, VendorClient

HOSTS = "/api/v1/fleet/hosts"
# Fleet documents no maximum `per_page`; 100 keeps a page (each host with its MDM block,
# issues and labels) small, and is what its own example asks for.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class FleetClient(VendorClient):
    """Read-only calls the collector needs. `GET /api/v1/fleet/hosts` is paged with `page`
    (counted from 0, as Fleet's example `page=0&per_page=100` shows) and `per_page`, ordered
    by `id` so a host added while the listing is read cannot shift one already read off a
    page; past the last page Fleet answers `{"hosts": []}`, so a short page ends it."""

    def __init__(self, api: HttpApi, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.api = api  # bearer token
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def hosts(self) -> Iterator[dict[str, Any]]:
        listing = self.api.listing(HOSTS, "page number")
        page = 0
        while True:
            with listing.page():
                body = self.api.get_json(
                    HOSTS,
                    {"page": page, "per_page": self.page_size, "order_key": "id", "order_direction": "asc"},
                )
                if not isinstance(body, dict) or "hosts" not in body:
                    raise ApiError(f"fleet: GET {HOSTS}: expected an object with 'hosts', got {_shape(body)}")
                batch = self.api.expect_list(body, HOSTS, "hosts")
            yield from self.objects(batch, HOSTS)
            if len(batch) < self.page_size:
                return
            page += 1
            listing.follow(str(page))

    def host(self, host_id: int | str) -> dict[str, Any]:
        """`GET /api/v1/fleet/hosts/:id` without its software list: the host's `policies`
        (each with `response` "pass", "fail" or "" not yet run) and `disk_encryption_enabled`."""
        path = f"{HOSTS}/{host_id}"
        body = self.api.get_json(path, {"exclude_software": "true"})
        host = body.get("host") if isinstance(body, dict) else None
        if not isinstance(host, dict):
            raise ApiError(f"fleet: GET {path}: expected an object with 'host', got {_shape(body)}")
        return host

    def device_mapping(self, host_id: int | str) -> list[dict[str, Any]]:
        """`GET /api/v1/fleet/hosts/:id/device_mapping`: the e-mails of the host's end user,
        each with its `source` (identity provider, custom, Google Chrome profile)."""
        path = f"{HOSTS}/{host_id}/device_mapping"
        body = self.api.get_json(path)
        if not isinstance(body, dict) or "device_mapping" not in body:
            raise ApiError(f"fleet: GET {path}: expected an object with 'device_mapping', got {_shape(body)}")
        return list(self.objects(self.api.expect_list(body, path, "device_mapping"), path))


def _shape(body: Any) -> str:
    return "an object without it" if isinstance(body, dict) else type(body).__name__
