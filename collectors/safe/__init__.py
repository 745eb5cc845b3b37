"""safe: Safe (formerly Gnosis Safe) multisig wallets, their owners, threshold, modules and
guard, from the Safe Transaction Service."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from collectors.degrade import side_request
from collectors.http_api import ApiError, bearer, credential
from collectors.saas import SaasCollector, http_url
from collectors.safe import mapper
from collectors.safe.client import (
    CHAIN_ALIASES,
    GATEWAY,
    GATEWAY_CHAINS,
    SafeAddressRefused,
    SafeClient,
    SafeNotFound,
    gateway_url,
)
from vaultward.config.bounded import Bounded, Label, Name, scope_part
from vaultward.contract.records import Record, Unreadable, Wallet
from vaultward.contract.sdk import Problem, Scope

DEFAULT_API_KEY_VARIABLE = "SAFE_API_KEY"


def _chain(value: str) -> str:
    value = value.strip().lower()
    return CHAIN_ALIASES.get(value, value)


ServiceUrl = Annotated[str, http_url()]
Chain = Annotated[str, scope_part("safe:")]  # a scope id is safe:<chain>


class SafeWalletOption(BaseModel):
    """One `[[sources.safe.wallets]]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    address: Annotated[str, Bounded(max_length=100)]
    chain: Chain
    label: Label = ""
    tags: dict[Name, Label] = Field(default_factory=dict, max_length=50)  # e.g. { ValueTier = "high" }

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip()
        if not mapper.ADDRESS.match(value):
            raise ValueError(f"{value!r} is not an address (0x and 40 hex digits)")
        digits = value[2:]
        if digits != digits.lower() and digits != digits.upper() and mapper.checksummed(value) != value:
            # EIP-55: mixed case is a checksum; one that does not hold is a mistyped address.
            raise ValueError(
                f"{value!r} fails its EIP-55 checksum (a typo?); write it as Safe{{Wallet}} shows "
                "it, or all lower-case"
            )
        return mapper.checksummed(value)  # every request sends the checksummed form

    @field_validator("chain")
    @classmethod
    def _canonical_chain(cls, value: str) -> str:
        return _chain(value)


class SafeOptions(BaseModel):
    """`[sources.safe]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wallets: list[SafeWalletOption] = Field(default_factory=list, max_length=10_000)
    # the gateway root; a chain's service is <base_url>/tx-service/<chain>
    base_url: ServiceUrl = GATEWAY
    service_urls: dict[Chain, ServiceUrl] = Field(default_factory=dict)  # chain -> a service's own URL
    anonymous: bool = False  # no API key (self-hosted services, exploration)

    @field_validator("service_urls")
    @classmethod
    def _service_urls(cls, value: dict[str, str]) -> dict[str, str]:
        return {_chain(chain): url for chain, url in value.items()}

    @model_validator(mode="after")
    def _wallets_resolve(self) -> SafeOptions:
        seen: set[tuple[str, str]] = set()
        for wallet in self.wallets:
            if wallet.chain not in GATEWAY_CHAINS and wallet.chain not in self.service_urls:
                raise ValueError(
                    f"wallet {wallet.address}: chain {wallet.chain!r} is not served by Safe's "
                    "gateway; name its service in service_urls"
                )
            pair = (wallet.chain, wallet.address.lower())
            if pair in seen:
                raise ValueError(f"wallet {wallet.address} on {wallet.chain} is listed twice")
            seen.add(pair)
        return self

    def service_url(self, chain: str) -> str:
        return self.service_urls.get(chain) or gateway_url(self.base_url, chain)


class SafeCollector(SaasCollector):
    """One scope per chain, `safe:<chain>` (EIP-3770 short name: `eth`, `arb1`, `base`, ...).

    Configuration (`[sources.safe]`):

    - `wallets`: the Safes to watch, each `{ address = "0x...", chain = "eth", label = "...",
      tags = { ValueTier = "high" } }`; `chain` takes a short name or a common name
      (`mainnet`, `polygon`, `arbitrum`, ...). Write addresses as Safe{Wallet} shows them
      (EIP-55 checksummed) or all lower-case; requests send the checksummed form, which the
      service requires (it answers 422 to any other spelling).
    - `base_url`: the gateway root (default `https://api.safe.global`); a chain's service is
      `<base_url>/tx-service/<chain>`.
    - `service_urls`: `{ chain = "https://..." }` for a self-hosted or other service of a
      chain (used as is, instead of the gateway).
    - `anonymous`: `true` to send no API key (self-hosted services; Safe's gateway allows
      2 requests a second and 5,000 a month without one).
    - `credentials_env.api_key`: the variable holding a Safe API key (default `SAFE_API_KEY`),
      from Safe's developer dashboard, sent as `Authorization: Bearer <key>`.

    Reads `GET /api/v1/safes/{address}/` and `GET /api/v2/safes/{address}/balances/` (all
    pages, spam tokens excluded) per wallet (read-only; no permissions beyond the key).
    Produces a wallet record per Safe, key `safe:<chain>:<lower-case address>` (stable across
    versions), with its checksummed address and owners and its balances per asset. A Safe the
    service does not know (404) or whose address it refuses (422, with the service's message)
    is recorded as unreadable (the Run is partial; every check on wallets reports it
    `unknown`, never absent); a balance request that fails leaves only the balances unknown
    (a field gap: the value tier turns `unknown`); refused keys, rate limits and outages of the
    Safe itself fail the Run.
    """

    name = "safe"
    title = "Safe multisig wallets (Safe Transaction Service)"
    produces = (Wallet,)
    permissions = ("GET /api/v1/safes/{address}/", "GET /api/v2/safes/{address}/balances/")
    options_model = SafeOptions
    enabled_by_default = False  # needs wallets: runs once [sources.safe] is configured
    credentials = {"api_key": DEFAULT_API_KEY_VARIABLE}
    # Safe's Transaction Service: 5 requests a second per API key by default.
    rate_limit_per_minute = 300

    def scopes(self) -> list[Scope]:
        options: SafeOptions = self.options
        chains: dict[str, list[SafeWalletOption]] = {}
        for wallet in options.wallets:
            chains.setdefault(wallet.chain, []).append(wallet)
        return [
            Scope(
                self.name,
                f"safe:{chain}",
                {"chain": chain, "base_url": options.service_url(chain), "wallets": wallets},
            )
            for chain, wallets in chains.items()
        ]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: SafeOptions = self.options
        api_key = (
            None
            if options.anonymous
            else credential(self.name, self.source.credentials_env, "api_key", DEFAULT_API_KEY_VARIABLE)
        )
        chain = scope.params["chain"]
        auth = bearer(api_key) if api_key is not None else None
        with SafeClient(self.http(self.name, scope.params["base_url"], auth, api_key)) as client:
            for wallet in scope.params["wallets"]:
                try:
                    raw = client.safe(wallet.address)
                except (SafeNotFound, SafeAddressRefused) as error:
                    # Configured, so never just absent: every check on wallets says unknown.
                    what = (
                        f"not found ({error})"
                        if isinstance(error, SafeNotFound)
                        else f"the service refused the address (HTTP 422: {error})"
                    )
                    yield Unreadable(
                        key=mapper.wallet_key(chain, wallet.address),
                        name=wallet.label or wallet.address,
                        of_kind=Wallet.kind,
                        reason=f"safe wallet {wallet.address} on {chain}: {what}",
                    )
                    continue
                # A side request: refused or broken, the Safe still counts, its value unknown.
                balances = yield from side_request(
                    partial(self._balances, client, wallet.address), fields=(f"{Wallet.kind}.balances",)
                )
                items = None if balances is None else mapper.map_balances(balances, chain)
                yield mapper.map_safe(raw, chain, wallet.address, wallet.label, wallet.tags, items)

    @staticmethod
    def _balances(client: SafeClient, address: str) -> list[dict]:
        try:
            return client.balances(address)
        except (SafeNotFound, SafeAddressRefused) as error:
            # The Safe was just read: a refusal here is this one request's, a gap not a failure.
            raise ApiError(f"safe: GET balances of {address}: {error}") from None
