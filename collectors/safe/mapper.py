"""Pure mapping from Safe Transaction Service payloads (`GET /api/v1/safes/{address}/`) to
wallet records. Nothing here does I/O.

Addresses are stored lower-case: EIP-55 checksumming needs Keccak-256, which the standard
library does not have (`hashlib.sha3_256` is the NIST variant, not Keccak), so keys and
signers compare case-insensitively instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vaultward.records import Wallet

PROVIDER = "safe"
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
ZERO_ADDRESS = "0x" + "0" * 40
# Safe singleton (master copy) versions the service reports; L2 deployments add "+L2".
KNOWN_VERSIONS = frozenset({"1.0.0", "1.1.1", "1.2.0", "1.3.0", "1.4.1", "1.5.0"})


def wallet_key(chain: str, address: str) -> str:
    return f"safe:{chain}:{address.lower()}"


def _address(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and ADDRESS.match(value) else None


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
    raw: Mapping[str, Any], chain: str, address: str, label: str = "", tags: Mapping[str, str] | None = None
) -> Wallet:
    """One Safe as a wallet record. Whatever looks wrong (an owner that is not an address, a
    threshold above the owner count, an unknown version) is kept and listed in `anomalies`."""
    anomalies: list[str] = []
    configured = address.lower()
    reported = raw.get("address")
    if _address(reported) != configured:
        anomalies.append(f"the service answered for address {reported!r}, not {configured}")

    signers: list[str] = []
    for owner in _items(raw, "owners", anomalies):
        normalised = _address(owner)
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
        address=configured,
        threshold=threshold,
        key_count=len(signers),  # a Safe's threshold counts its owners
        signers=signers,
        signer_roles={owner: ["owner"] for owner in signers},
        multisig_type="safe",
        version=version,
        nonce=nonce,
        modules=modules,
        guard=guard,
        value_usd=None,  # balances are not collected yet
        tags={**observed, **dict(tags or {})},
        anomalies=anomalies,
    )
