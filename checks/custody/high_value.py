"""Shared by the custody checks: which wallets count as high-value."""

from vaultward.config import CustodyPolicy
from vaultward.records import Wallet


def is_high_value(wallet: Wallet, policy: CustodyPolicy) -> bool | None:
    """True by a configured value-tier tag or a USD value at or above the bound; False when a
    value-tier tag says otherwise or the value is below the bound; None when nothing tells."""
    tiered = False
    for tag, values in policy.high_value_tags.items():
        if tag in wallet.tags:
            tiered = True
            if wallet.tags[tag].lower() in {value.lower() for value in values}:
                return True
    if wallet.value_usd is not None:
        return wallet.value_usd >= policy.high_value_usd
    return False if tiered else None
