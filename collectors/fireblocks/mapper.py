"""Pure mapping of Fireblocks API payloads to records: TAP rules, vault accounts, users.

Values Fireblocks documents are listed below; anything else is kept as the vendor wrote it
and listed in the record's `anomalies`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from vaultward.records import AssetBalance, Identity, TransferPolicy, Wallet

PROVIDER = "fireblocks"

# PolicyRule.transactionType (TRANSFER is the default when absent) and the newer PROGRAM_CALL.
TRANSACTION_TYPES = frozenset(
    {
        "TRANSFER",
        "CONTRACT_CALL",
        "PROGRAM_CALL",
        "APPROVE",
        "MINT",
        "BURN",
        "SUPPLY",
        "REDEEM",
        "STAKE",
        "RAW",
        "TYPED_MESSAGE",
    }
)
ACTIONS = frozenset({"ALLOW", "BLOCK", "2-TIER"})
DST_ADDRESS_TYPES = frozenset({"WHITELISTED", "ONE_TIME", "*"})
AMOUNT_CURRENCIES = frozenset({"USD", "EUR", "NATIVE"})
AMOUNT_SCOPES = frozenset({"SINGLE_TX", "TIMEFRAME"})
GROUP_LOGIC = frozenset({"AND", "OR"})

# UserRole. Owner and admins manage the workspace (users, whitelists, the policy itself).
ADMIN_ROLES = frozenset({"OWNER", "ADMIN", "NON_SIGNING_ADMIN", "SECURITY_ADMIN"})
USER_ROLES = ADMIN_ROLES | frozenset(
    {
        "SIGNER",
        "COLLATERALS_SIGNER",
        "EDITOR",
        "APPROVER",
        "VIEWER",
        "AUDITOR",
        "NCW_ADMIN",
        "NCW_SIGNER",
        "SECURITY_AUDITOR",
    }
)


def _known(value: Any, allowed: frozenset[str], field: str, anomalies: list[str]) -> str:
    text = "" if value is None else str(value)
    if text and text not in allowed:
        anomalies.append(f"unknown {field} {text!r}")
    return text


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _peers(value: Any) -> list[str]:
    """`src` / `dst`: {"ids": [[id, type, subType], ...]} ("*" for any)."""
    ids = value.get("ids") if isinstance(value, dict) else None
    peers = []
    for entry in ids if isinstance(ids, list) else []:
        parts = [str(part) for part in entry] if isinstance(entry, list) else [str(entry)]
        peers.append(":".join(part for part in parts if part))
    return peers


def _approval(
    rule: dict[str, Any], anomalies: list[str]
) -> tuple[int | None, bool | None, list[str], list[str]]:
    """(approvals required, initiator may approve, approver user ids, approver group ids).

    `authorizationGroups` with logic AND needs every group's threshold `th` (default 1): the
    sum; with OR the weakest group suffices: the minimum. The deprecated `authorizers` /
    `authorizersCount` pair is read when no groups are given.
    """
    groups_spec = rule.get("authorizationGroups")
    if (
        isinstance(groups_spec, dict)
        and isinstance(groups_spec.get("groups"), list)
        and groups_spec["groups"]
    ):
        logic = _known(groups_spec.get("logic") or "AND", GROUP_LOGIC, "authorizationGroups.logic", anomalies)
        thresholds, users, user_groups = [], [], []
        for group in groups_spec["groups"]:
            group = group if isinstance(group, dict) else {}
            threshold = _number(group.get("th"))
            thresholds.append(int(threshold) if threshold is not None else 1)
            users += [user for user in _strings(group.get("users")) if user not in users]
            user_groups += [g for g in _strings(group.get("usersGroups")) if g not in user_groups]
        required = min(thresholds) if logic == "OR" else sum(thresholds)
        own = groups_spec.get("allowOperatorAsAuthorizer")
        return required, own if isinstance(own, bool) else None, users, user_groups
    authorizers = _strings(rule.get("authorizers"))
    if authorizers:
        count = _number(rule.get("authorizersCount"))
        return int(count) if count is not None else 1, None, authorizers, []
    return 0, None, [], []


def map_rule(rule: dict[str, Any], index: int) -> TransferPolicy:
    """One TAP rule; `index` is its position (rules apply first-match, in order)."""
    anomalies: list[str] = []
    kind = _known(rule.get("transactionType") or "TRANSFER", TRANSACTION_TYPES, "transactionType", anomalies)
    action = _known(rule.get("action"), ACTIONS, "action", anomalies)
    address_type = _known(rule.get("dstAddressType"), DST_ADDRESS_TYPES, "dstAddressType", anomalies)
    currency = _known(rule.get("amountCurrency"), AMOUNT_CURRENCIES, "amountCurrency", anomalies)
    amount_scope = _known(rule.get("amountScope"), AMOUNT_SCOPES, "amountScope", anomalies)
    required, initiator_can_approve, approvers, approver_groups = _approval(rule, anomalies)
    if action == "BLOCK":
        required, initiator_can_approve = None, None  # nothing to approve: the rule refuses
    sources, destinations = _peers(rule.get("src")), _peers(rule.get("dst"))
    vaults = [peer.split(":")[0] for peer in sources if peer.split(":")[1:2] == ["VAULT"]]
    operators: dict[str, Any] = rule["operators"] if isinstance(rule.get("operators"), dict) else {}
    initiators = _strings(operators.get("users")) + _strings(operators.get("usersGroups"))
    if operators.get("wildcard") == "*" or rule.get("operator") == "*":
        initiators = ["*"]
    elif rule.get("operator"):
        initiators = initiators or [str(rule["operator"])]
    amount = _number(rule.get("amount"))
    details = {
        "action": action,
        "asset": str(rule.get("asset") or ""),
        "amount": "" if rule.get("amount") is None else str(rule.get("amount")),
        "amount_currency": currency,
        "amount_scope": amount_scope,
        "period_sec": "" if rule.get("periodSec") is None else str(rule.get("periodSec")),
        "dst_address_type": address_type,
        "initiators": ",".join(initiators),
        "sources": ",".join(sources),
        "destinations": ",".join(destinations),
        "approver_groups": ",".join(approver_groups),
        "external_descriptor": str(rule.get("externalDescriptor") or ""),
    }
    return TransferPolicy(
        key=f"fireblocks:tap:{index}",
        name=str(rule.get("externalDescriptor") or f"TAP rule {index + 1}"),
        provider=PROVIDER,
        wallet=f"fireblocks:vault:{vaults[0]}" if len(vaults) == 1 and len(sources) == 1 else "",
        rule_kind=kind,
        active=True,
        approvals_required=required,
        initiator_can_approve=initiator_can_approve,
        destinations_allowlisted=(address_type == "WHITELISTED") if address_type else None,
        # `amount` is the rule's lower bound: it matches transfers from that amount up.
        amount_from_usd=amount if currency == "USD" else None,
        approvers=approvers,
        details={key: value for key, value in details.items() if value},
        anomalies=anomalies,
    )


def map_policy(body: dict[str, Any]) -> tuple[list[TransferPolicy], list[str]]:
    """The active policy's rules and the problems found reading it."""
    policy = body.get("policy")
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list):
        return [], ["fireblocks active policy: no rules list in the answer"]
    records, problems = [], []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            problems.append(f"fireblocks TAP rule {index}: not an object, skipped")
            continue
        records.append(map_rule(rule, index))
    return records, problems


def _vault_balance(asset: dict[str, Any]) -> AssetBalance:
    """A VaultAsset: `total` (the balance as the blockchain shows it; the deprecated `balance`
    when an older answer has no `total`), a decimal string in whole units of the asset.
    Priced by the Fireblocks asset id (BTC, ETH, USDC, USDT_ERC20, BTC_TEST ...)."""
    asset_id = str(asset.get("id") or "")
    figure = asset.get("total", asset.get("balance"))
    try:
        amount = (
            Decimal(str(figure)) if isinstance(figure, str | int) and not isinstance(figure, bool) else None
        )
    except InvalidOperation:
        amount = None
    if amount is not None and not amount.is_finite():
        amount = None
    note = "" if amount is not None else f"total {figure!r} is not a number"
    return AssetBalance(asset=asset_id, amount=amount, vendor_id=asset_id, note=note)


def map_vault_account(account: dict[str, Any]) -> Wallet:
    """A vault account: MPC keys held by Fireblocks; its approvals live in the TAP; its
    assets' balances are its holdings (None when the answer carries no `assets` list)."""
    hidden = account.get("hiddenOnUI")
    tags = {"hiddenOnUI": str(bool(hidden)).lower()} if hidden is not None else {}
    if account.get("customerRefId"):
        tags["customerRefId"] = str(account["customerRefId"])
    listed = account.get("assets")
    assets = [a for a in listed if isinstance(a, dict)] if isinstance(listed, list) else []
    if assets:
        tags["assets"] = ",".join(str(a.get("id")) for a in assets if a.get("id"))
    return Wallet(
        key=f"fireblocks:vault:{account.get('id')}",
        name=str(account.get("name") or ""),
        provider=PROVIDER,
        multisig_type="mpc",
        threshold=None,
        signers=[],
        balances=[_vault_balance(a) for a in assets] if isinstance(listed, list) else None,
        tags=tags,
    )


def map_user(user: dict[str, Any], workspace: str) -> Identity:
    anomalies: list[str] = []
    role = _known(user.get("role"), USER_ROLES, "role", anomalies)
    name = " ".join(str(user.get(part) or "") for part in ("firstName", "lastName")).strip()
    enabled = user.get("enabled")
    return Identity(
        key=f"fireblocks:user:{user.get('id')}",
        name=name,
        source=PROVIDER,
        account=workspace,
        email=str(user.get("email") or "").lower(),
        person=True,
        privileged=(role in ADMIN_ROLES) if role in USER_ROLES else None,
        privileged_via=[f"role:{role}"] if role in ADMIN_ROLES else [],
        admin_roles=[role] if role else [],
        mfa_enrolled=None,  # Fireblocks does not expose it (console sign-in pairs a mobile device)
        suspended=enabled is False,
        anomalies=anomalies,
    )
