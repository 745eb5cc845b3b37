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
from vaultward.contract.records import RECORD_KINDS, CollectionScope

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADER = re.compile(r"^[A-Za-z0-9-]+$")
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

    name: str
    url: Annotated[str, http_url(trim=False)]  # the first page's URL, query and all
    kind: str
    auth_header: str = "Authorization"
    auth_env: str | None = None  # the variable holding the header's whole value ("Bearer ...")
    items: str = ""  # JMESPath to the list in the body; "" when the body is the list
    cursor_field: str | None = None  # cursor paging: JMESPath to the next cursor in the body
    cursor_param: str | None = None  # ... and the query parameter that sends it back
    page_param: str | None = None  # page paging: page number parameter
    size_param: str | None = None  # ... page size parameter
    page_size: int | None = Field(default=None, ge=1)
    first_page: int = Field(default=1, ge=0)
    paging: Literal["none", "link", "cursor", "page"] = "none"
    constants: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, str]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
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
        if not HEADER.match(value):
            raise ValueError(f"{value!r} is not an HTTP header name")
        return value

    @field_validator("auth_env")
    @classmethod
    def _variable(cls, value: str | None) -> str | None:
        if value is not None and not VARIABLE.match(value):
            raise ValueError(
                f"{value!r} is not an environment variable name (the secret itself never goes here)"
            )
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

    endpoints: list[Endpoint] = Field(default_factory=list)

    @field_validator("endpoints")
    @classmethod
    def _unique(cls, value: list[Endpoint]) -> list[Endpoint]:
        names = [endpoint.name for endpoint in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"endpoint name {duplicates[0]!r} is used twice")
        return value
