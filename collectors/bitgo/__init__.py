"""bitgo: BitGo wallets (m-of-n keys, wallet users who can spend or approve, wallet type)
and their policy rules (whitelists, velocity limits, approvals) from the BitGo API v2."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors.bitgo import mapper
from collectors.bitgo.client import BASE_URL, MAX_PAGE_SIZE, BitGoClient
from collectors.degrade import side_request
from collectors.http_api import bearer, credential
from collectors.saas import SaasCollector, http_url
from vaultward.config.bounded import Bounded, scope_part
from vaultward.contract.records import Record, TransferPolicy, Wallet
from vaultward.contract.sdk import Problem, Scope

DEFAULT_TOKEN_VARIABLE = "BITGO_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a secret


class BitGoOptions(BaseModel):
    """`[sources.bitgo]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # https://app.bitgo-test.com for the test environment
    base_url: Annotated[str, http_url("a URL", BASE_URL)] = BASE_URL
    coins: list[Annotated[str, Bounded(max_length=50)]] = Field(
        default_factory=lambda: ["btc", "eth"], max_length=500
    )
    enterprise: Annotated[str, scope_part("bitgo:")] | None = None
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("coins")
    @classmethod
    def _coins(cls, value: list[str]) -> list[str]:
        coins = [coin.strip().lower() for coin in value]
        bad = [coin for coin in coins if not coin or not coin.replace(":", "").replace("-", "").isalnum()]
        if bad or not coins:
            raise ValueError(f"expected coin tickers like btc, eth, hteth; got {value!r}")
        return list(dict.fromkeys(coins))


class BitGoCollector(SaasCollector):
    """One scope per BitGo enterprise, `bitgo:<enterprise id>` (or `bitgo:<API host>` when no
    enterprise is configured).

    Configuration (`[sources.bitgo]`):

    - `base_url`: the BitGo API (default `https://app.bitgo.com`; the test environment is
      `https://app.bitgo-test.com`).
    - `coins`: the coins whose wallets to read (default `["btc", "eth"]`).
    - `enterprise`: an enterprise id: only its wallets are read.
    - `page_size`: wallets per page, 1-500 (default 500).
    - `credentials_env.token`: the variable holding a long-lived access token (default
      `BITGO_ACCESS_TOKEN`), sent as `Authorization: Bearer <token>`; create it with the
      `wallet_view_all` (and `enterprise_view` for an enterprise) scope only, no spending
      limit, and lock it to the collector's IP addresses.

    Reads `GET /api/v2/pendingapprovals` for the configured coins (all pages) and, per coin,
    `GET /api/v2/{coin}/wallet` (all pages). Produces a wallet record per wallet (key
    `bitgo:<coin>:<wallet id>`, `m`-of-`n` keys, `approvalsRequired`, signers = users with
    `spend` or `admin`, each with its permissions; the pending-approval count in tags) and a
    transfer policy per wallet-policy rule (`bitgo:<coin>:<wallet id>:rule:<rule id>`); see
    `mapper`.
    """

    name = "bitgo"
    title = "BitGo wallets and wallet policies"
    produces = (Wallet, TransferPolicy)
    permissions = ("wallet_view_all", "enterprise_view")
    options_model = BitGoOptions
    enabled_by_default = False  # needs a token: runs once [sources.bitgo] is configured
    credentials = {"token": DEFAULT_TOKEN_VARIABLE}
    # BitGo: 360 requests per 60 s window per authenticated user (its default rate limits).
    rate_limit_per_minute = 360

    def scopes(self) -> list[Scope]:
        options: BitGoOptions = self.options
        where = options.enterprise or urlsplit(options.base_url).netloc
        return [Scope(self.name, f"bitgo:{where}", {"base_url": options.base_url})]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: BitGoOptions = self.options
        token = credential(self.name, self.source.credentials_env, "token", DEFAULT_TOKEN_VARIABLE)
        api = self.http(self.name, scope.params["base_url"], bearer(token), token)
        with BitGoClient(api, options.page_size) as client:
            # A side request: refused or absent, the wallets still count, without the tally.
            approvals = yield from side_request(
                partial(_listed, client.pending_approvals, options.coins, options.enterprise),
                fields=(f"{Wallet.kind}.tags",),
            )
            pending = (
                None
                if approvals is None
                else Counter(str(approval.get("wallet") or "") for approval in approvals)
            )
            for coin in options.coins:
                for raw in client.wallets(coin, options.enterprise):
                    if options.enterprise and raw.get("enterprise") not in (None, options.enterprise):
                        continue  # the filter is the API's; this only guards against a lax one
                    if not raw.get("id"):
                        yield Problem(
                            f"bitgo {coin} wallet {raw.get('label')!r}: no id, skipped", (Wallet.kind,)
                        )
                        continue
                    count = None if pending is None else pending.get(str(raw["id"]), 0)
                    yield mapper.map_wallet(raw, coin, count)
                    yield from mapper.map_rules(raw, coin)


def _listed(listing: Callable[..., Iterable[dict]], *args: object) -> list[dict]:
    return list(listing(*args))
