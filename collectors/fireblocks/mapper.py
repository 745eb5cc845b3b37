"""Pure mapping of Fireblocks API payloads to records: Policy Engine v2 rules, vault accounts
and console users.

Values Fireblocks documents are listed below; anything else is kept as the vendor wrote it
and listed in the record's `anomalies`.

Who signs (Fireblocks support, "User roles" and "Best practices for choosing user roles"):
"The Owner, Admin, and Signer roles have an MPC key share and can sign transactions"; the
Non-Signing Admin, Editor, Approver and Viewer roles "do not require MPC shares and cannot
sign". A signing user signs for any vault of the workspace the policy lets them: their
identity carries the role as `signing_role`, and the custody checks count them, with the
policy's approvers, among every vault's signers.

Console sign-in (support article "Configuring Two-Factor Authentication"): "Two-factor
authentication (2FA) is required for all users to sign in to the Fireblocks Console", with a
Time-based One-Time Password (TOTP) authenticator app: enforced for every console user, and
phishable.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from vaultward.contract.records import AssetBalance, Identity, TransferPolicy, Wallet

PROVIDER = "fireblocks"

# PolicyType values whose rules govern transactions out of vaults (the collector asks for these).
TRANSACTION_TYPES = (  # in the order the collector asks for them
    "TRANSFER",
    "CONTRACT_CALL",
    "PROGRAM_CALL",
    "APPROVE",
    "MINT",
    "BURN",
    "STAKE",
    "RAW",
    "TYPED_MESSAGE",
)
# VerdictConfig.action: the transaction policy uses ALLOW, BLOCK and 2-TIER; the others belong
# to screening and order policies.
ACTIONS = frozenset(
    {"ALLOW", "BLOCK", "2-TIER", "ACCEPT", "REJECT", "ALERT", "SCREEN", "PASS", "WAIT", "FREEZE", "CANCEL"}
)
REFUSING = frozenset({"BLOCK", "REJECT", "CANCEL", "FREEZE"})  # nothing to approve: refused
ADDRESS_TYPES = frozenset({"WHITELISTED", "ONE_TIME", "*"})  # DestinationConfig.addressType
CURRENCIES = frozenset({"USD", "EUR", "NATIVE"})  # PolicyCurrency
GROUP_OPERATORS = frozenset({"AND", "OR"})  # ApproversConfig.operator
MATCH_OPERATORS = frozenset({"INCLUDES"})  # PolicyOperator

# UserRole. Owner and admins manage the workspace (users, whitelists, the policy itself).
ADMIN_ROLES = frozenset({"OWNER", "ADMIN", "NON_SIGNING_ADMIN", "SECURITY_ADMIN"})
# Roles with an MPC key share that sign vault transactions. COLLATERALS_SIGNER is the API user
# that signs Off Exchange settlements from collateral vaults; NCW_SIGNER signs only end users'
# non-custodial wallets, not vaults.
SIGNING_ROLES = frozenset({"OWNER", "ADMIN", "SIGNER", "COLLATERALS_SIGNER"})
USER_ROLES = (
    ADMIN_ROLES
    | SIGNING_ROLES
    | frozenset({"EDITOR", "APPROVER", "VIEWER", "AUDITOR", "NCW_ADMIN", "NCW_SIGNER", "SECURITY_AUDITOR"})
)
# UserStatus: set up in order (sign up with 2FA, pair the mobile device, MPC key approved).
USER_STATUSES = frozenset({"PENDING_ACTIVATION", "PENDING_DEVICE_PAIRING", "PENDING_DEVICE_SETUP", "READY"})
USER_TYPES = frozenset({"CONSOLE", "API"})


def _known(value: Any, allowed: Collection[str], field: str, anomalies: list[str]) -> str:
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


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _accounts(config: dict[str, Any], field: str, anomalies: list[str]) -> tuple[list[str], bool]:
    """SourceConfig / DestinationConfig: ("<type>:<id>" of each account identifier, or the
    account types when no ids are named; "*" for any) and whether it narrows to those ids."""
    if not config:
        return ["*"], False
    operator = _known(config.get("operator"), MATCH_OPERATORS, f"{field}.operator", anomalies)
    ids = []
    for entry in config.get("ids") or []:
        entry = _object(entry)
        parts = [str(entry.get(part) or "") for part in ("type", "id", "subType")]
        ids.append(":".join(part for part in parts if part) or "*")
    if ids:
        return ids, operator in ("", "INCLUDES")
    types = _strings(config.get("type"))
    return (types or ["*"]), False


def _approval(verdict: dict[str, Any], anomalies: list[str]) -> tuple[int, bool | None, list[str], list[str]]:
    """(approvals required, initiator may approve, approver user ids, approver group ids).

    ApproversConfig: `approvalGroups`, each a `threshold` of its `users` and policy `groups`;
    with operator AND every group's threshold is needed (the sum), with OR the weakest group
    suffices (the minimum). No approvers: none required."""
    approvers = _object(verdict.get("approvers"))
    groups = [_object(group) for group in approvers.get("approvalGroups") or []]
    thresholds, users, user_groups = [], [], []
    for group in groups:
        threshold = _number(group.get("threshold"))
        thresholds.append(int(threshold) if threshold is not None else 1)
        users += [user for user in _strings(group.get("users")) if user not in users]
        user_groups += [g for g in _strings(group.get("groups")) if g not in user_groups]
    operator = _known(approvers.get("operator") or "AND", GROUP_OPERATORS, "approvers.operator", anomalies)
    required = (min(thresholds) if operator == "OR" else sum(thresholds)) if thresholds else 0
    own = approvers.get("canInitiatorApprove")
    if not isinstance(own, bool):
        own = approvers.get("allowOperatorAsAuthorizer")
    return required, own if isinstance(own, bool) else None, users, user_groups


def _amount(config: dict[str, Any]) -> tuple[str, str, str]:
    """AmountConfig / AmountOverTimeConfig: (min, max, currency) as Fireblocks wrote them."""
    span = _object(config.get("range"))
    return (
        "" if span.get("min") is None else str(span["min"]),
        "" if span.get("max") is None else str(span["max"]),
        str(config.get("currency") or ""),
    )


def map_rule(rule: dict[str, Any], index: int) -> TransferPolicy:
    """One Policy Engine v2 rule (PolicyRule); `index` is its place in the answer, which
    names it (`fireblocks:tap:<index>`, as the earlier TAP rules were)."""
    anomalies: list[str] = []
    kind = _known(rule.get("type"), TRANSACTION_TYPES, "type", anomalies)
    verdict = _object(rule.get("verdict"))
    action = _known(verdict.get("action"), ACTIONS, "verdict.action", anomalies)
    required: int | None
    required, initiator_can_approve, approvers, approver_groups = _approval(verdict, anomalies)
    if action in REFUSING:
        required, initiator_can_approve = None, None  # nothing to approve: the rule refuses
    sources, narrowed = _accounts(_object(rule.get("source")), "source", anomalies)
    destination = _object(rule.get("destination"))
    destinations, _ = _accounts(destination, "destination", anomalies)
    address_type = _known(destination.get("addressType"), ADDRESS_TYPES, "destination.addressType", anomalies)
    vaults = [peer.split(":")[1] for peer in sources if peer.split(":")[0] == "VAULT" and ":" in peer]
    initiator = rule.get("initiator")
    if isinstance(initiator, dict):
        initiators = [
            item for part in ("users", "groups", "services") for item in _strings(initiator.get(part))
        ]
    else:
        initiators = [str(initiator)] if initiator not in (None, "") else []
    low, high, currency = _amount(_object(rule.get("amount")))
    currency = _known(currency, CURRENCIES, "amount.currency", anomalies)
    over_low, over_high, over_currency = _amount(_object(rule.get("amountOverTime")))
    period = _object(_object(rule.get("amountOverTime")).get("timePeriod")).get("seconds")
    signers = _object(verdict.get("designatedSigners"))
    asset = _object(rule.get("asset"))
    details = {
        "action": action,
        "rule_id": str(rule.get("id") or ""),
        "policy_engine_version": str(rule.get("policyEngineVersion") or ""),
        "asset_types": ",".join(_strings(asset.get("assetTypes"))),
        "amount_min": low,
        "amount_max": high,
        "amount_currency": currency,
        "amount_over_time": (
            f"{over_low}{'-' + over_high if over_high else '+'} {over_currency} per {period} s"
            if over_low
            else ""
        ),
        "dst_address_type": address_type,
        "initiators": ",".join(initiators),
        "sources": ",".join(sources),
        "destinations": ",".join(destinations),
        "approver_groups": ",".join(approver_groups),
        "designated_signers": ",".join(_strings(signers.get("users")) + _strings(signers.get("groups"))),
        "external_descriptor": str(rule.get("externalDescriptor") or ""),
    }
    usd = currency == "USD"
    return TransferPolicy(
        key=f"fireblocks:tap:{index}",
        name=str(rule.get("name") or rule.get("externalDescriptor") or f"Policy rule {index + 1}"),
        provider=PROVIDER,
        wallet=f"fireblocks:vault:{vaults[0]}" if narrowed and len(vaults) == 1 and len(sources) == 1 else "",
        rule_kind=kind,
        active=True,
        approvals_required=required,
        initiator_can_approve=initiator_can_approve,
        destinations_allowlisted=(address_type == "WHITELISTED") if address_type else None,
        # the range's bounds: the rule matches transfers from `min` up to `max`
        amount_from_usd=_number(low) if usd else None,
        amount_to_usd=_number(high) if usd else None,
        approvers=approvers,
        details={key: value for key, value in details.items() if value},
        anomalies=anomalies,
    )


def map_policy(body: dict[str, Any]) -> tuple[list[TransferPolicy], list[str]]:
    """The active policy's rules (PolicyAndValidationResponse) and the problems reading it."""
    policy = body.get("policy")
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list):
        return [], ["fireblocks active policy: no rules list in the answer"]
    records, problems = [], []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            problems.append(f"fireblocks policy rule {index}: not an object, skipped")
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
    """A vault account: MPC keys held by Fireblocks. Who signs for it is the workspace's users
    with a signing role (their identities' `signing_role`) and its policy rules' approvers;
    its assets' balances are its holdings (None when the answer carries no `assets` list)."""
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
    """A console user (ConsoleUser). Fireblocks requires TOTP 2FA for every console sign-in;
    a user still PENDING_ACTIVATION has not signed up and cannot sign in yet, and an API user
    signs its requests with a key, not the console."""
    anomalies: list[str] = []
    role = _known(user.get("role"), USER_ROLES, "role", anomalies)
    status = _known(user.get("status"), USER_STATUSES, "status", anomalies)
    user_type = _known(user.get("userType"), USER_TYPES, "userType", anomalies)
    name = " ".join(str(user.get(part) or "") for part in ("firstName", "lastName")).strip()
    enabled = user.get("enabled")
    console = user_type != "API"
    signs_in = console and status != "PENDING_ACTIVATION"
    return Identity(
        key=f"fireblocks:user:{user.get('id')}",
        name=name,
        source=PROVIDER,
        account=workspace,
        email=str(user.get("email") or "").lower(),
        person=console,
        privileged=(role in ADMIN_ROLES) if role in USER_ROLES else None,
        privileged_via=[f"role:{role}"] if role in ADMIN_ROLES else [],
        admin_roles=[role] if role else [],
        signing_role=role if role in SIGNING_ROLES else "",
        console_access=signs_in,
        # "Two-factor authentication (2FA) is required for all users to sign in to the
        # Fireblocks Console", with a TOTP authenticator app.
        mfa_enrolled=True if signs_in else None,
        factor_kinds=["totp"] if signs_in else [],
        mfa_enforced=True if console else None,
        suspended=enabled is False,
        anomalies=anomalies,
    )
