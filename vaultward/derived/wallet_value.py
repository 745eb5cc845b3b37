"""A wallet's USD value and value tier, derived at evaluation time from what its vendor
reports (balances per asset, or a USD value), the configured price table and value-tier tags.

Never better than the evidence:

- a wallet is high-value when a value-tier tag says so, or when what its priced holdings are
  worth reaches the bound (`policy.custody.high_value_usd`), even if some are unpriced;
- holdings without a configured price (or of unknown size) make the USD value a lower bound:
  below the bound that is `unknown`, never "standard";
- a balance request that failed (a field gap on `custody.wallet.balances`) leaves the value
  `unknown` with the reason, even where a tag says the wallet is not high-value (the balances
  could have said it is);
- a wallet is "standard" only when its whole value is known and below the bound, or, where the
  vendor reports no value at all, when a value-tier tag says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from vaultward.config.policy import CustodyPolicy
from vaultward.config.prices import asset_symbol
from vaultward.contract.records import AssetBalance, Wallet

Tier = Literal["high", "standard", "unknown"]
BALANCES_FIELD = "balances"  # the field gap a failed balance request leaves: custody.wallet.balances


@dataclass(frozen=True)
class Holdings:
    """What priced holdings are worth, and what could not be priced."""

    usd: Decimal
    unpriced: tuple[str, ...]  # "NWT", "ETH (amount unknown)": each makes `usd` a lower bound

    @property
    def complete(self) -> bool:
        return not self.unpriced


@dataclass(frozen=True)
class WalletValue:
    tier: Tier
    reason: str  # why this tier, in a sentence a reader can check
    usd: Decimal | None = None  # what the evidence shows it is worth; None: nothing to price
    lower_bound: bool = False  # `usd` is at least the value (unpriced or unknown holdings)
    unpriced: tuple[str, ...] = ()

    @property
    def high(self) -> bool | None:
        """True, False, or None when the evidence cannot tell."""
        return {"high": True, "standard": False}.get(self.tier)

    @property
    def usd_text(self) -> str:
        """The value as a reader sees it: "$1,250,000", "at least $60,000 (lower bound: ...)"."""
        return usd_text(self.usd, self.lower_bound, self.unpriced)

    def evidence(self) -> dict[str, object]:
        """For a finding's evidence: the tier, the USD value and whether it is a lower bound."""
        return {
            "value_tier": self.tier,
            "value_usd": None if self.usd is None else str(self.usd),
            "value_lower_bound": self.lower_bound,
            "unpriced_assets": list(self.unpriced),
        }


def usd_text(usd: Decimal | str | None, lower_bound: bool = False, unpriced: Iterable[str] = ()) -> str:
    """A USD value as a reader sees it; a lower bound says so and names what has no price."""
    if usd is None or usd == "":
        return ""
    amount = f"${Decimal(usd):,.0f}"
    if not lower_bound:
        return amount
    return f"at least {amount} (lower bound: no price for {', '.join(unpriced) or 'some holdings'})"


def holdings_usd(balances: Iterable[AssetBalance], prices: Mapping[str, Decimal]) -> Holdings:
    """The USD the priced holdings are worth. A holding of unknown size, or a non-zero one
    without a price, is listed as unpriced; a negative figure counts as nothing (a vendor's
    overdraft must not lower what the rest is worth)."""
    total = Decimal(0)
    unpriced: list[str] = []
    for balance in balances:
        if balance.amount is None:
            unpriced.append(f"{balance.asset or balance.vendor_id or 'an asset'} (amount unknown)")
            continue
        amount = max(balance.amount, Decimal(0))
        price = prices.get(asset_symbol(balance.asset))
        if price is None:
            if amount:
                unpriced.append(balance.asset or balance.vendor_id or "an unnamed asset")
            continue
        total += amount * price
    return Holdings(total, tuple(dict.fromkeys(unpriced)))


def _tag_tier(wallet: Wallet, policy: CustodyPolicy) -> tuple[bool | None, str]:
    """What the value-tier tags say: (True, why) / (False, why) / (None, "")."""
    tiered = ""
    for tag, values in policy.high_value_tags.items():
        if tag in wallet.tags:
            if wallet.tags[tag].lower() in {value.lower() for value in values}:
                return True, f"tag {tag}={wallet.tags[tag]}"
            tiered = tiered or f"tag {tag}={wallet.tags[tag]}"
    return (False, tiered) if tiered else (None, "")


def wallet_value(wallet: Wallet, policy: CustodyPolicy, balances_gap: str | None = None) -> WalletValue:
    """The wallet's value and tier (see the module docstring); `balances_gap` is why a failed
    request left its balances unknown (`CheckContext.field_gap(wallet, "balances")`). Checks
    read it as `CheckContext.value_of(wallet)`."""
    bound = Decimal(str(policy.high_value_usd))
    tagged, tag_reason = _tag_tier(wallet, policy)
    usd: Decimal | None = None
    lower = False
    unpriced: tuple[str, ...] = ()
    if wallet.balances is not None:
        holdings = holdings_usd(wallet.balances, policy.prices)
        usd, lower, unpriced = holdings.usd, not holdings.complete, holdings.unpriced
    elif wallet.value_usd is not None:
        usd = Decimal(str(wallet.value_usd))  # the vendor's own USD figure

    def valued(tier: Tier, reason: str) -> WalletValue:
        return WalletValue(tier, reason, usd, lower, unpriced)

    worth = "" if usd is None else f"worth {'at least ' if lower else ''}${usd:,.0f}"
    if usd is not None and usd >= bound:
        return valued("high", f"{worth}, at or above the ${bound:,.0f} bound")
    if tagged:
        return valued("high", f"high-value by its {tag_reason}")
    if wallet.balances is None and balances_gap:
        return valued("unknown", f"its balances could not be read ({balances_gap})")
    if usd is not None and lower:
        return valued(
            "unknown",
            f"{worth}, below the ${bound:,.0f} bound, but {', '.join(unpriced)} "
            "has no configured price (policy.custody.prices): the whole could reach it",
        )
    if usd is not None:
        return valued("standard", f"{worth}, below the ${bound:,.0f} bound")
    if tagged is False:
        return valued("standard", f"not high-value by its {tag_reason}")
    return valued("unknown", "neither a value nor a value tier tells whether this wallet is high-value")
