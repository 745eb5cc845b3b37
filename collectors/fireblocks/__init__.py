"""fireblocks: the transaction policy (Policy Engine v2), vault accounts and console users of
a Fireblocks workspace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors.degrade import side_listing, side_request
from collectors.fireblocks import mapper
from collectors.fireblocks.client import BASE_URL, VAULT_PAGE_SIZE, FireblocksAuth, FireblocksClient
from collectors.http_api import credential
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Identity, Record, TransferPolicy, Wallet
from vaultward.contract.sdk import Problem, Scope

DEFAULT_API_KEY_VARIABLE = "FIREBLOCKS_API_KEY"
DEFAULT_SECRET_KEY_FILE_VARIABLE = "FIREBLOCKS_SECRET_KEY_FILE"  # noqa: S105 - a variable name


class FireblocksOptions(BaseModel):
    """`[sources.fireblocks]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # EU workspaces: https://eu-api.fireblocks.io, sandbox: sandbox-api
    base_url: Annotated[str, http_url()] = BASE_URL
    page_size: int = Field(default=VAULT_PAGE_SIZE, ge=1, le=VAULT_PAGE_SIZE)

    @field_validator("base_url")
    @classmethod
    def _host(cls, value: str) -> str:
        return value.removesuffix("/v1")


class FireblocksCollector(SaasCollector):
    """One scope per workspace, `fireblocks:<API host>`.

    Configuration (`[sources.fireblocks]`):

    - `base_url`: the workspace's API host (default `https://api.fireblocks.io`; EU
      `https://eu-api.fireblocks.io`, EU2 `https://eu2-api.fireblocks.io`, sandbox
      `https://sandbox-api.fireblocks.io`).
    - `page_size`: vault accounts per page, 1-500 (default 500).
    - `credentials_env.api_key`: the variable holding the API user's key (default
      `FIREBLOCKS_API_KEY`); `credentials_env.secret_key_file`: the variable holding the
      path of that API user's RSA private key in PEM (default `FIREBLOCKS_SECRET_KEY_FILE`).

    Access: an API user with the Non-Signing Admin role (reading the active policy and the
    console users needs Owner, Admin or Non-Signing Admin). The calls are read-only:
    `GET /v1/policy/active_policy` (Policy Engine v2, the transaction policy types),
    `GET /v1/vault/accounts_paged` and `GET /v1/management/users`. Each request carries a JWT signed RS256 with that key (claims uri, nonce,
    iat, exp < iat + 30 s, sub, bodyHash).

    Produces one transfer policy per policy rule (`fireblocks:tap:<position>`, rules apply
    first-match in order), one wallet per vault account (`fireblocks:vault:<id>`, MPC; its
    approvals live in the policy; its assets' `total` balances, in whole units, are its
    holdings) and one identity per console user (`fireblocks:user:<id>`, with `signing_role`
    when its role holds an MPC key share: it signs for every vault of the workspace;
    Fireblocks requires TOTP 2FA for every console sign-in, see `mapper`).
    """

    name = "fireblocks"
    title = "Fireblocks transaction policy, vault accounts and users"
    produces = (TransferPolicy, Wallet, Identity)
    permissions = ("GET /v1/policy/active_policy", "GET /v1/vault/accounts_paged", "GET /v1/management/users")
    options_model: ClassVar[type[BaseModel]] = FireblocksOptions
    enabled_by_default = False  # needs an API user: runs once [sources.fireblocks] is configured
    credentials = {"api_key": DEFAULT_API_KEY_VARIABLE, "secret_key_file": DEFAULT_SECRET_KEY_FILE_VARIABLE}
    # Fireblocks sets limits per API user without publishing a number and asks clients to
    # spread requests over the minute: a moderate pace by default.
    rate_limit_per_minute = 600

    def scopes(self) -> list[Scope]:
        options: FireblocksOptions = self.options
        host = urlsplit(options.base_url).netloc
        return [Scope(self.name, f"fireblocks:{host}", {"base_url": options.base_url})]

    def client(self, base_url: str) -> FireblocksClient:
        env = self.source.credentials_env
        api_key = credential(self.name, env, "api_key", DEFAULT_API_KEY_VARIABLE)
        secret_key_file = credential(self.name, env, "secret_key_file", DEFAULT_SECRET_KEY_FILE_VARIABLE)
        # Signing needs the final URL and body, so it runs as httpx auth on each request.
        auth = FireblocksAuth(api_key, secret_key_file)
        return FireblocksClient(self.http(self.name, base_url, auth, api_key), self.options.page_size)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        workspace = scope.id.removeprefix("fireblocks:")
        with self.client(scope.params["base_url"]) as client:
            # Side requests (the policy, the users): refused or absent, they leave only their
            # own kind incomplete. The vault accounts are the main listing.
            policy = yield from side_request(client.active_policy, kinds=(TransferPolicy.kind,))
            if policy is not None:
                rules, problems = mapper.map_policy(policy)
                for reason in problems:
                    yield Problem(reason, (TransferPolicy.kind,))
                yield from rules
            for account in client.vault_accounts():
                if account.get("id") in (None, ""):
                    yield Problem("fireblocks vault account without an id, skipped", (Wallet.kind,))
                    continue
                yield mapper.map_vault_account(account)
            yield from side_listing(lambda: self._users(client, workspace), (Identity.kind,))

    @staticmethod
    def _users(client: FireblocksClient, workspace: str) -> Iterator[Record | Problem]:
        for user in client.users():
            if user.get("id") in (None, ""):
                yield Problem("fireblocks user without an id, skipped", (Identity.kind,))
                continue
            yield mapper.map_user(user, workspace)
