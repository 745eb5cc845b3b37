"""The KnowBe4 Reporting API v1 over HTTP: region base URLs, bearer token, numbered pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.http_api import HttpApi, VendorClient

# One API host per KnowBe4 server: training.knowbe4.com is "us", eu.knowbe4.com is "eu", ...
BASE_URLS = {
    "us": "https://us.api.knowbe4.com",
    "eu": "https://eu.api.knowbe4.com",
    "ca": "https://ca.api.knowbe4.com",
    "uk": "https://uk.api.knowbe4.com",
    "de": "https://de.api.knowbe4.com",
}
MAX_PAGE_SIZE = 500  # the API caps per_page at 500 (default 100)


class KnowBe4Client(VendorClient):
    """Read-only calls the collector needs; every list is paged with `page` / `per_page`
    until a page comes back short."""

    def __init__(self, api: HttpApi, page_size: int = MAX_PAGE_SIZE) -> None:
        self.api = api  # bearer token
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def _all(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        for page in self.api.pages_by_number(path, size=self.page_size, params=params):
            yield from self.objects(page, path)

    def users(self) -> Iterator[dict[str, Any]]:
        return self._all("/v1/users")

    def enrollments(self) -> Iterator[dict[str, Any]]:
        # People who left (archived users) have no say in today's readiness.
        return self._all("/v1/training/enrollments", {"exclude_archived_users": "true"})

    def phishing_campaigns(self) -> Iterator[dict[str, Any]]:
        return self._all("/v1/phishing/campaigns")

    def security_tests(self) -> Iterator[dict[str, Any]]:
        return self._all("/v1/phishing/security_tests")

    def recipients(self, pst_id: int | str) -> Iterator[dict[str, Any]]:
        return self._all(f"/v1/phishing/security_tests/{pst_id}/recipients")
