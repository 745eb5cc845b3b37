"""internal_http: records from the platform's own JSON APIs (an HR roster, an LMS export, a
custody inventory), each endpoint described in the configuration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel

from collectors.internal_http import mapper
from collectors.internal_http.client import EndpointClient, endpoint_auth, endpoint_secret, source_of
from collectors.internal_http.options import Endpoint, InternalHttpOptions
from collectors.saas import SaasCollector
from vaultward.contract.records import RECORD_KINDS, CollectionScope, Record
from vaultward.contract.sdk import Problem, Scope


class InternalHttpCollector(SaasCollector):
    """One scope per configured endpoint, `internal_http:<name>`.

    Configuration (`[sources.internal_http]`), a list of `[[sources.internal_http.endpoints]]`:

    - `name`: the endpoint's name (lower case; part of the scope id and of record keys).
    - `url`: the first page's URL. Only GET is sent.
    - `kind`: the record kind its items become (`identity`, `training.record`,
      `custody.wallet`, ... any registered kind).
    - `auth_header` (default `Authorization`) and `auth_env`: the variable holding that
      header's whole value (e.g. `Bearer ...`); the secret never goes in the file. Without
      `auth_env` no auth header is sent.
    - `items`: JMESPath to the list of items in the body; `""` when the body is the list.
    - `paging`: `none`; `link` (a `Link: <url>; rel="next"` header); `cursor` (the next
      cursor at JMESPath `cursor_field` in the body, sent back as query parameter
      `cursor_param`, until absent or empty); `page` (`page_param` from `first_page`,
      default 1, with `size_param` = `page_size`, until a page comes back short).
    - `fields`: record field -> JMESPath into the item (`profile.email`, `owners[0]`);
      `constants`: record fields with a fixed value (`source = "hr"`). Every required field
      of the kind must be mapped or constant, and `key` must be mapped; the stored key is
      `internal_http:<name>:<value>`.

    An item that does not make a valid record is reported (endpoint, item index, field)
    and the others still land, so the Run is `partial`. The variables named by `auth_env`
    are credentials: `InternalHttpCollector.credential_variables(options)` lists them for
    redaction.
    """

    name = "internal_http"
    title = "Internal JSON APIs (configured endpoints)"
    # Any registered kind may be configured; the instance narrows this to its endpoints' kinds.
    produces: ClassVar[tuple[type[Record], ...]] = tuple(
        cls for cls in RECORD_KINDS.values() if cls is not CollectionScope
    )
    permissions = ("GET https://<each configured endpoint url>",)
    options_model: ClassVar[type[BaseModel]] = InternalHttpOptions
    enabled_by_default = False  # nothing to read until endpoints are configured
    credentials: ClassVar[dict[str, str]] = {}  # the variables come from each endpoint's auth_env

    def __init__(self, settings) -> None:
        super().__init__(settings)
        options: InternalHttpOptions = self.options
        self.produces = tuple(RECORD_KINDS[endpoint.kind] for endpoint in options.endpoints)  # type: ignore[misc]

    @classmethod
    def credential_variables(cls, options: Any) -> list[str]:
        """The variables that hold secrets (each endpoint's `auth_env`), for redaction."""
        if not isinstance(options, InternalHttpOptions):
            return []
        return sorted({endpoint.auth_env for endpoint in options.endpoints if endpoint.auth_env})

    def scopes(self) -> list[Scope]:
        options: InternalHttpOptions = self.options
        return [
            Scope(self.name, f"internal_http:{endpoint.name}", {"endpoint": endpoint.name})
            for endpoint in options.endpoints
        ]

    def _endpoint(self, scope: Scope) -> Endpoint:
        options: InternalHttpOptions = self.options
        for endpoint in options.endpoints:
            if endpoint.name == scope.params.get("endpoint"):
                return endpoint
        raise LookupError(f"internal_http: no endpoint for scope {scope.id}")

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        endpoint = self._endpoint(scope)
        index = 0
        secret = endpoint_secret(endpoint)
        api = self.http(source_of(endpoint), endpoint.url, endpoint_auth(secret, endpoint), secret)
        with EndpointClient(endpoint, api) as client:
            for page in client.pages():
                for item in page:
                    record, problems = mapper.map_item(endpoint, item, index)
                    index += 1
                    for reason in problems:
                        yield Problem(reason, (endpoint.kind,))
                    if record is not None:
                        yield record
