"""Credentials read from the environment at request time, and the static-header schemes
(`Authorization: Bearer`, Okta's `SSWS`, a configured header) as `httpx.Auth`. The token
grants (`collectors.bearer_token`) and Fireblocks' signed requests are `httpx.Auth` too."""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from collectors.errors import ApiError


@dataclass(frozen=True)
class Credential:
    """A secret read from the environment variable the configuration names."""

    source: str
    field: str  # e.g. "token"
    variable: str

    @property
    def value(self) -> str:
        value = os.environ.get(self.variable)
        if not value:
            raise ApiError(
                f"{self.source}: environment variable {self.variable} "
                f"(credentials_env.{self.field}) is not set"
            )
        return value


def credential(source: str, credentials_env: Mapping[str, str], field: str, default: str) -> Credential:
    return Credential(source, field, credentials_env.get(field, default))


class HeaderAuth(httpx.Auth):
    """One header carrying a credential, read as each request leaves (never stored on the
    client): `HeaderAuth(token, "Bearer {}")`, `HeaderAuth(token, "SSWS {}")`, or a whole
    configured header value (`HeaderAuth(secret, header="X-Api-Key")`)."""

    def __init__(self, secret: Credential, template: str = "{}", header: str = "Authorization") -> None:
        self.secret = secret
        self.template = template
        self.header = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self.template.format(self.secret.value)
        yield request


def bearer(token: Credential) -> HeaderAuth:
    """`Authorization: Bearer <token>`."""
    return HeaderAuth(token, "Bearer {}")
