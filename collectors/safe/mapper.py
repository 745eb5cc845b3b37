"""Pure mapping from Safe Transaction Service payloads (`GET /api/v1/safes/{address}/` and
`GET /api/v2/safes/{address}/balances/`) to wallet records. Nothing here does I/O.

The wallet's `address` and its owners are stored EIP-55 checksummed (eth-utils), as the
service and Safe{Wallet} write them; the record key keeps the lower-case address
(`safe:<chain>:<lower-case address>`), the resource identity history, waivers and reports
already use. Modules and the guard stay lower-case, as `policy.custody.allowed_safe_*` lists
them. Signers resolve to people case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from eth_utils import to_checksum_address

from vaultward.contract.records import AssetBalance, Wallet

PROVIDER = "safe"
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
ZERO_ADDRESS = "0x" + "0" * 40
# Safe singleton (master copy) versions the service reports; L2 deployments add "+L2".
KNOWN_VERSIONS = frozenset({"1.0.0", "1.1.1", "1.2.0", "1.3.0", "1.4.1", "1.5.0"})


# Each chain's native coin, which the balances endpoint lists with `tokenAddress` null (by
# EIP-3770 short name; a chain not listed names it `NATIVE:<chain>`, priced under that name).
NATIVE_COINS = {
    "eth": "ETH", "oeth": "ETH", "arb1": "ETH", "base": "ETH", "linea": "ETH", "zksync": "ETH",
    "scr": "ETH", "unichain": "ETH", "ink": "ETH", "gno": "XDAI", "pol": "POL", "bnb": "BNB",
    "opbnb": "BNB", "avax": "AVAX", "celo": "CELO", "mantle": "MNT", "xdc": "XDC",
}  # fmt: skip


def wallet_key(chain: str, address: str) -> str:
    return f"safe:{chain}:{address.lower()}"


def checksummed(address: str) -> str:
    return to_checksum_address(address)


def _address(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and ADDRESS.match(value) else None


def _checksummed(value: Any) -> str | None:
    return checksummed(value) if isinstance(value, str) and ADDRESS.match(value) else None


def _int(value: Any) -> int | None:
    """The service sends `nonce` as a string in newer versions and a number in older ones."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _items(raw: Mapping[str, Any], field: str, anomalies: list[str]) -> list[Any]:
    """A list field; anything else is an anomaly and counts as empty (no owners: no signers)."""
    value = raw.get(field)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        anomalies.append(f"{field} {value!r} is not a list")
        return []
    return value


def map_safe(
    raw: Mapping[str, Any],
    chain: str,
    address: str,
    label: str = "",
    tags: Mapping[str, str] | None = None,
    balances: list[AssetBalance] | None = None,
) -> Wallet:
    """One Safe as a wallet record; `balances` from `map_balances` (None: not read). Whatever
    looks wrong (an owner that is not an address, a threshold above the owner count, an
    unknown version) is kept and listed in `anomalies`."""
    anomalies: list[str] = []
    configured = address.lower()
    reported = raw.get("address")
    if _address(reported) != configured:
        anomalies.append(f"the service answered for address {reported!r}, not {configured}")

    signers: list[str] = []
    for owner in _items(raw, "owners", anomalies):
        normalised = _checksummed(owner)
        if normalised is None:
            anomalies.append(f"owner {owner!r} is not an address")
        elif normalised in signers:
            anomalies.append(f"owner {normalised} is listed twice")
        else:
            signers.append(normalised)

    threshold = _int(raw.get("threshold"))
    if threshold is None:
        anomalies.append(f"threshold {raw.get('threshold')!r} is not a number")
    elif threshold < 1 or threshold > len(signers):
        anomalies.append(f"threshold {threshold} of {len(signers)} owners")

    nonce = _int(raw.get("nonce"))
    if nonce is None and raw.get("nonce") is not None:
        anomalies.append(f"nonce {raw.get('nonce')!r} is not a number")

    modules: list[str] = []
    for module in _items(raw, "modules", anomalies):
        normalised = _address(module)
        if normalised is None:
            anomalies.append(f"module {module!r} is not an address")
        else:
            modules.append(normalised)

    guard = _address(raw.get("guard")) or ""
    if raw.get("guard") not in (None, "") and not guard:
        anomalies.append(f"guard {raw.get('guard')!r} is not an address")
    if guard == ZERO_ADDRESS:
        guard = ""

    version = str(raw.get("version") or "")
    if version.split("+", 1)[0] not in KNOWN_VERSIONS:
        anomalies.append(f"unknown Safe version {version!r}")

    observed: dict[str, str] = {}
    for field, tag in (("masterCopy", "master_copy"), ("fallbackHandler", "fallback_handler")):
        value = _address(raw.get(field))
        if value and value != ZERO_ADDRESS:
            observed[tag] = value
    return Wallet(
        key=wallet_key(chain, configured),
        name=label,
        provider=PROVIDER,
        chain=chain,
        address=checksummed(configured),
        threshold=threshold,
        key_count=len(signers),  # a Safe's threshold counts its owners
        signers=signers,
        signer_roles={owner: ["owner"] for owner in signers},
        multisig_type="safe",
        version=version,
        nonce=nonce,
        modules=modules,
        guard=guard,
        balances=balances,
        tags={**observed, **dict(tags or {})},
        anomalies=anomalies,
    )


def map_balances(items: Sequence[Mapping[str, Any]], chain: str) -> list[AssetBalance]:
    """The balances endpoint's items: the native coin (`tokenAddress` null) and ERC-20 tokens,
    each `balance` in base units, divided by the token's `decimals` (18 for the native coin).
    A token without decimals or with a balance that is not an integer keeps its place with
    `amount` None (so the wallet's value is a lower bound, never silently smaller)."""
    balances = []
    for item in items:
        token_address = item.get("tokenAddress")
        found = item.get("token")
        token: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        decimals: Any
        if token_address in (None, ""):
            asset, vendor_id, decimals = NATIVE_COINS.get(chain, f"NATIVE:{chain}"), "native", 18
        else:
            vendor_id = _checksummed(token_address) or str(token_address)
            asset = str(token.get("symbol") or "").strip() or vendor_id
            decimals = token.get("decimals")
        raw = item.get("balance")
        amount, note = None, ""
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 255:
            note = f"decimals {decimals!r} not reported"
        elif not (isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw).strip().isdigit()):
            note = f"balance {raw!r} is not a whole number of base units"
        else:
            amount = Decimal(str(raw).strip()).scaleb(-decimals)
        balances.append(AssetBalance(asset=asset, amount=amount, vendor_id=vendor_id, note=note))
    return balances
