"""Pure mapping from BitGo API v2 wallet payloads to wallet and transfer-policy records.
Nothing here does I/O.

How BitGo's numbers land in the records (checks decide what is safe):

- `Wallet.threshold` / `key_count` are the wallet's `m` of `n` keys (2 of BitGo's user,
  backup and BitGo keys): what the chain requires, not the people. `approvalsRequired`
  ("number of admins that must approve a wallet operation") is `approvals_required`; `n` and
  `approvalsRequired` stay in `tags` too (`n`, `approvals_required`).
- `Wallet.signers` are the wallet users who can move funds or approve it (BitGo user ids),
  `signer_roles` says which, in BitGo's permission names (the Wallet model's `users[]`):
  `spend` ("withdraw assets from wallet") and `admin` (also "approve/reject wallet pending
  approvals, withdraw assets"). Viewers, traders and the rest are not signers.
- Each wallet-policy rule (`admin.policy.rules[]`) is one transfer policy. A `getApproval`
  action needs the wallet's `approvalsRequired` approvals, from the users the action names
  (`userIds`) or else the wallet's admins (users with the `admin` permission, whom BitGo
  asks): they are the rule's `approvers`, so custody checks judge them as people; a whitelist rule
  (`advancedWhitelist`, `coinAddressWhitelist`) means destinations are allow-listed. Velocity
  amounts are in the coin's base units, not USD: they are kept as raw strings in `details`.
- `Wallet.balances`: the coin's `balanceString` (base units, e.g. satoshis) divided by the
  coin's decimals (`COIN_DECIMALS`, BitGo's coin definitions), and each token the wallet
  lists under `tokens` (asked for with `allTokens`). A coin or token whose decimals are not
  known here keeps its place with the amount unknown: its value is then a lower bound.
- Pending approvals (counted per wallet by the collector) go to `tags["pending_approvals"]`.
- `tags["policy_rules"]` counts the wallet's policy rules; it is empty when the payload
  carries no `admin.policy.rules` list (the token's user may not see the policy), so "no
  rules" and "rules not read" stay apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from vaultward.contract.records import AssetBalance, TransferPolicy, Wallet

PROVIDER = "bitgo"
MULTISIG_TYPES = frozenset({"onchain", "tss", "blsdkg"})
WALLET_TYPES = frozenset({"backing", "cold", "custodial", "custodialPaired", "hot", "advanced", "trading"})
PERMISSIONS = frozenset({"admin", "spend", "view", "freeze", "trade", "dapp"})
SIGNING_PERMISSIONS = ("spend", "admin")  # withdraw, or approve (admins do both)
RULE_TYPES = frozenset(
    {"advancedWhitelist", "allTx", "coinAddressBlacklist", "coinAddressWhitelist", "velocityLimit", "webhook"}
)
WHITELIST_RULES = frozenset({"advancedWhitelist", "coinAddressWhitelist"})
ACTION_TYPES = frozenset({"getApproval", "deny"})


# Decimal places of BitGo coins and common tokens, as @bitgo/statics defines them: a balance
# string is in base units of 10^-decimals. Testnet coins keep their own tickers (TBTC, HTETH),
# so a price for BTC never values test coins.
COIN_DECIMALS = {
    "btc": 8, "tbtc": 8, "tbtc4": 8, "bch": 8, "tbch": 8, "bsv": 8, "btg": 8, "ltc": 8, "tltc": 8,
    "dash": 8, "tdash": 8, "zec": 8, "tzec": 8, "doge": 8, "tdoge": 8, "eth": 18, "teth": 18,
    "hteth": 18, "polygon": 18, "tpolygon": 18, "bsc": 18, "tbsc": 18, "avaxc": 18, "tavaxc": 18,
    "arbeth": 18, "tarbeth": 18, "opeth": 18, "topeth": 18, "celo": 18, "tcelo": 18, "xrp": 6,
    "txrp": 6, "xlm": 7, "txlm": 7, "algo": 6, "talgo": 6, "sol": 9, "tsol": 9, "trx": 6,
    "ttrx": 6, "ada": 6, "tada": 6, "dot": 10, "tdot": 12, "atom": 6, "tatom": 6, "hbar": 8,
    "thbar": 8, "near": 24, "tnear": 24, "eos": 4, "teos": 4, "usdc": 6, "usdt": 6, "dai": 18,
    "link": 18, "weth": 18, "wbtc": 8, "eth:usdc": 6, "eth:usdt": 6, "sol:usdc": 6, "sol:usdt": 6,
}  # fmt: skip


def wallet_key(coin: str, wallet_id: str) -> str:
    return f"bitgo:{coin}:{wallet_id}"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rules(raw: Mapping[str, Any]) -> list[Any] | None:
    """The wallet policy's rules; None when the payload does not show them."""
    rules = _mapping(_mapping(raw.get("admin")).get("policy")).get("rules")
    return rules if isinstance(rules, list) else None


def _balance(name: str, raw: Any) -> AssetBalance:
    """One coin or token balance string (base units) in whole units."""
    decimals = COIN_DECIMALS.get(name.lower())
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    amount, note = None, ""
    if decimals is None:
        note = f"decimals of {name} not known"
    elif not text.lstrip("-").isdigit():
        note = f"balanceString {raw!r} is not a whole number of base units"
    else:
        amount = Decimal(text).scaleb(-decimals)
    return AssetBalance(asset=name.split(":")[-1].upper(), amount=amount, vendor_id=name, note=note)


def map_balances(raw: Mapping[str, Any], coin: str) -> list[AssetBalance] | None:
    """The wallet's coin balance and its token balances; None when the payload carries no
    `balanceString` (the listing did not say what the wallet holds)."""
    if raw.get("balanceString") in (None, ""):
        return None
    balances = [_balance(coin, raw["balanceString"])]
    tokens = raw.get("tokens")
    entries: list[tuple[str, Any]] = []
    if isinstance(tokens, Mapping):  # {"<token>": {"balanceString": ...}}
        entries = [(str(name), value) for name, value in tokens.items()]
    elif isinstance(tokens, list):  # [{"coin" | "type" | "name": "<token>", "balanceString": ...}]
        entries = [
            (str(item.get("coin") or item.get("type") or item.get("name") or ""), item)
            for item in tokens
            if isinstance(item, Mapping)
        ]
    for name, value in entries:
        figure = value.get("balanceString") if isinstance(value, Mapping) else None
        if name and figure not in (None, "", "0"):
            balances.append(_balance(name, figure))
    return balances


def map_wallet(raw: Mapping[str, Any], coin: str, pending_approvals: int | None = None) -> Wallet:
    """One BitGo wallet. Unknown multisig types, wallet types and permissions are kept as the
    vendor wrote them and listed in `anomalies`."""
    anomalies: list[str] = []
    wallet_id = str(raw.get("id") or "")
    m, n = _int(raw.get("m")), _int(raw.get("n"))
    if m is None:
        anomalies.append(f"m {raw.get('m')!r} is not a number")
    elif n is not None and not 1 <= m <= n:
        anomalies.append(f"m {m} of n {n}")

    multisig_type = str(raw.get("multisigType") or "")
    if multisig_type and multisig_type not in MULTISIG_TYPES:
        anomalies.append(f"unknown multisigType {multisig_type!r}")
    wallet_type = str(raw.get("type") or "")
    if wallet_type and wallet_type not in WALLET_TYPES:
        anomalies.append(f"unknown wallet type {wallet_type!r}")

    rules = _rules(raw)
    roles: dict[str, list[str]] = {}
    for entry in raw.get("users") or []:
        user = entry.get("user") if isinstance(entry, Mapping) else None
        permissions = entry.get("permissions") if isinstance(entry, Mapping) else None
        if not isinstance(user, str) or not isinstance(permissions, list):
            anomalies.append(f"wallet user entry {entry!r} has no user id or permissions")
            continue
        for permission in permissions:
            if not (isinstance(permission, str) and permission in PERMISSIONS):
                anomalies.append(f"user {user}: unknown permission {permission!r}")
        held = [permission for permission in SIGNING_PERMISSIONS if permission in permissions]
        if held:
            roles[user] = list(dict.fromkeys([*roles.get(user, []), *held]))

    tags = {
        "wallet_type": wallet_type,
        "n": "" if n is None else str(n),
        "approvals_required": _text(raw.get("approvalsRequired")),
        "balance": _text(raw.get("balanceString")),
        "spendable_balance": _text(raw.get("spendableBalanceString")),
        "policy_rules": "" if rules is None else str(len(rules)),
    }
    if raw.get("enterprise"):
        tags["enterprise"] = str(raw["enterprise"])
    if pending_approvals is not None:
        tags["pending_approvals"] = str(pending_approvals)
    receive = raw.get("receiveAddress")
    address = receive.get("address") if isinstance(receive, Mapping) else None
    specific = raw.get("coinSpecific")
    base_address = specific.get("baseAddress") if isinstance(specific, Mapping) else None
    return Wallet(
        key=wallet_key(coin, wallet_id),
        name=str(raw.get("label") or ""),
        provider=PROVIDER,
        chain=coin,
        address=str(base_address or address or ""),
        threshold=m,
        key_count=n,
        signers=list(roles),
        signer_roles=roles,
        approvals_required=_int(raw.get("approvalsRequired")),
        multisig_type=multisig_type,
        balances=map_balances(raw, coin),
        tags=tags,
        anomalies=anomalies,
    )


def map_rules(raw: Mapping[str, Any], coin: str) -> list[TransferPolicy]:
    """Every wallet-policy rule of one wallet, in the order BitGo lists them."""
    wallet = wallet_key(coin, str(raw.get("id") or ""))
    approvals = _int(raw.get("approvalsRequired"))
    admins = [
        str(entry["user"])
        for entry in raw.get("users") or []
        if isinstance(entry, Mapping)
        and isinstance(entry.get("user"), str)
        and "admin" in (entry.get("permissions") or [])
    ]
    records = []
    for index, rule in enumerate(_rules(raw) or []):
        if not isinstance(rule, Mapping):
            records.append(
                TransferPolicy(
                    key=f"{wallet}:rule:#{index}",
                    provider=PROVIDER,
                    wallet=wallet,
                    rule_kind="other:malformed",
                    details={"raw": _text(rule)},
                    anomalies=[f"policy rule {index} is not an object"],
                )
            )
            continue
        records.append(_map_rule(rule, wallet, index, approvals, admins))
    return records


def _map_rule(
    rule: Mapping[str, Any], wallet: str, index: int, approvals: int | None, admins: list[str]
) -> TransferPolicy:
    anomalies: list[str] = []
    rule_id = str(rule.get("id") or f"#{index}")
    rule_type = str(rule.get("type") or "")
    if rule_type not in RULE_TYPES:
        anomalies.append(f"unknown policy rule type {rule_type!r}")
    action = _mapping(rule.get("action"))
    action_type = str(action.get("type") or "")
    if action_type not in ACTION_TYPES:
        anomalies.append(f"unknown policy action {action_type!r}")
    condition = _mapping(rule.get("condition"))

    approvals_required = None
    if action_type == "getApproval":
        approvals_required = _int(action.get("approvalsRequired")) or approvals
    approvers = [str(user) for user in action.get("userIds") or [] if isinstance(user, str)]
    if action_type == "getApproval" and not approvers:
        approvers = list(admins)
    details = {"action": action_type, "coin": str(rule.get("coin") or "")}
    if rule_type == "velocityLimit":
        amount = condition.get("amountString", condition.get("amount"))
        details.update(
            {
                "amount_base_units": _text(amount),
                "time_window_seconds": _text(condition.get("timeWindow")),
            }
        )
    if condition:
        details["condition"] = json.dumps(condition, sort_keys=True)
    if rule.get("lockDate"):
        details["lock_date"] = _text(rule.get("lockDate"))
    return TransferPolicy(
        key=f"{wallet}:rule:{rule_id}",
        name=rule_id,
        provider=PROVIDER,
        wallet=wallet,
        rule_kind=rule_type,
        active=True,  # BitGo lists only rules in force; pending changes are pending approvals
        approvals_required=approvals_required,
        initiator_can_approve=None,  # not part of the wallet payload
        destinations_allowlisted=True if rule_type in WHITELIST_RULES else None,
        approvers=approvers,
        details=details,
        anomalies=anomalies,
    )
