"""`[sources.internal_http]` options: endpoint tables, validated against the record kinds on load.

Paths into a JSON body (`items`, `fields`, `cursor_field`) are JMESPath expressions
(https://jmespath.org): a dotted path `profile.email` is one, a list index is `owners[0]`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from collectors.saas import http_url
from vaultward.config.bounded import NAME_LENGTH, Bounded, EnvName, Text, scope_part
from vaultward.contract.records import RECORD_KINDS, CollectionScope

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HEADER = re.compile(r"^[A-Za-z0-9-]+$")
Param = Annotated[str, Bounded(max_length=NAME_LENGTH, min_length=1)]  # a query parameter's name
RESERVED = frozenset({"scope", "kind"})  # set by the runner / the record class


def _compile(expression: str) -> None:
    try:
        jmespath.compile(expression)
    except JMESPathError as error:
        raise ValueError(f"{expression!r} is not a JMESPath expression ({error})") from None


def record_fields(kind: str) -> tuple[set[str], set[str]]:
    """(every data field, the required ones) of a registered record kind."""
    model = RECORD_KINDS[kind]
    every = {name for name in model.model_fields if name not in RESERVED}
    return every, {name for name, info in model.model_fields.items() if info.is_required()}


class Endpoint(BaseModel):
    """One internal JSON API whose items become records of one kind. Declaration order
    matters: validators of later keys read the earlier ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, scope_part("internal_http:")]  # the scope id is internal_http:<name>
    url: Annotated[str, http_url(trim=False)]  # the first page's URL, query and all
    kind: Annotated[str, Bounded(max_length=100)]
    auth_header: Annotated[str, Bounded(max_length=100)] = "Authorization"
    auth_env: EnvName | None = None  # the variable holding the header's whole value ("Bearer ...")
    items: Text = ""  # JMESPath to the list in the body; "" when the body is the list
    cursor_field: Text | None = None  # cursor paging: JMESPath to the next cursor in the body
    cursor_param: Param | None = None  # ... and the query parameter that sends it back
    page_param: Param | None = None  # page paging: page number parameter
    size_param: Param | None = None  # ... page size parameter
    page_size: int | None = Field(default=None, ge=1, le=100_000)
    first_page: int = Field(default=1, ge=0, le=1_000_000)
    paging: Literal["none", "link", "cursor", "page"] = "none"
    constants: dict[Annotated[str, Bounded(max_length=100)], Any] = Field(default_factory=dict)
    fields: dict[Annotated[str, Bounded(max_length=100)], Text]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.fullmatch(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits, '_' and '-'")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in RECORD_KINDS or RECORD_KINDS[value] is CollectionScope:
            known = ", ".join(sorted(k for k, c in RECORD_KINDS.items() if c is not CollectionScope))
            raise ValueError(f"unknown record kind {value!r} (expected one of {known})")
        return value

    @field_validator("auth_header")
    @classmethod
    def _header(cls, value: str) -> str:
        if not HEADER.fullmatch(value):
            raise ValueError(f"{value!r} is not an HTTP header name")
        return value

    @field_validator("items", "cursor_field")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value:
            _compile(value)
        return value

    @field_validator("paging")
    @classmethod
    def _paging(cls, value: str, info: ValidationInfo) -> str:
        needs = {
            "cursor": ("cursor_field", "cursor_param"),
            "page": ("page_param", "size_param", "page_size"),
        }
        missing = [key for key in needs.get(value, ()) if info.data.get(key) in (None, "")]
        if missing:
            raise ValueError(f"paging {value!r} needs {', '.join(missing)}")
        return value

    @field_validator("constants")
    @classmethod
    def _constants(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if kind is None:
            return value  # the kind is already reported
        every, _ = record_fields(kind)
        unknown = sorted(set(value) - every)
        if unknown:
            raise ValueError(f"record kind {kind!r} has no field {unknown[0]!r}")
        if "key" in value:
            raise ValueError("'key' must come from each item (map it under fields), not be a constant")
        return value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        kind = info.data.get("kind")
        if kind is None:
            return value
        every, required = record_fields(kind)
        unknown = sorted(set(value) - every)
        if unknown:
            raise ValueError(f"record kind {kind!r} has no field {unknown[0]!r}")
        for field, expression in value.items():
            try:
                _compile(expression)
            except ValueError as error:
                raise ValueError(f"{field}: {error}") from None
        constants = info.data.get("constants") or {}
        both = sorted(set(value) & set(constants))
        if both:
            raise ValueError(f"{both[0]!r} is both mapped and a constant")
        missing = sorted(required - set(value) - set(constants))
        if missing:
            raise ValueError(f"record kind {kind!r} needs {', '.join(repr(m) for m in missing)}")
        return value


class InternalHttpOptions(BaseModel):
    """`[sources.internal_http]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: list[Endpoint] = Field(default_factory=list, max_length=1000)

    @field_validator("endpoints")
    @classmethod
    def _unique(cls, value: list[Endpoint]) -> list[Endpoint]:
        names = [endpoint.name for endpoint in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"endpoint name {duplicates[0]!r} is used twice")
        return value
