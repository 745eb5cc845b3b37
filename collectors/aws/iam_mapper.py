"""Pure mapping from IAM API payloads (credential report, account summary, authorization
details, MFA devices) to `Identity`, `AccessKey` and `CloudAccount` records.

Rules:
- IAM does not mark users human or not: `person` stays True. What tells a CI user apart is
  recorded as facts: `console_access` (a login profile, `password_enabled`), `mfa_enrolled`
  and `programmatic_access` (an active access key, `access_key_N_active`); vaultward.derived.people
  derives the identity class from them (no password, no MFA device, only keys: a machine).
- `privileged` means AdministratorAccess or a statement that allows Action `*` / `*:*` on
  Resource `*`, through user-attached, user inline, group-attached or group inline policies.
  `privileged_via` names each route: `attached:<policy>`, `inline:user/<policy>`,
  `group:<group>/<policy>`, `group:<group>/inline:<policy>`. Each such grant covers every
  action on every resource, so `full_admin` is `privileged`.
- Access keys are keyed `<user arn>#access_key_1|2`; the key id itself is never stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from vaultward.contract.records import AccessKey, CloudAccount, Identity

SOURCE = "aws_iam"
ROOT_ROW = "<root_account>"
ADMIN_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"
MISSING = {"", "N/A", "no_information", "not_supported"}


def parse_time(value: str | None) -> datetime | None:
    """A credential-report timestamp, or None for its placeholders."""
    if value is None or value.strip() in MISSING:
        return None
    return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def parse_credential_report(content: bytes | str) -> list[dict[str, str]]:
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def factor_kind(serial: str) -> str:
    """`...:mfa/<name>` is a virtual (TOTP app) device, `...:u2f/...` a security key,
    anything else a hardware TOTP token's serial number."""
    if serial.startswith("arn:") and ":u2f/" in serial:
        return "u2f"
    if serial.startswith("arn:") and ":mfa/" in serial:
        return "virtual"
    return "hardware_totp"


def policy_document(document: Any) -> dict:
    """IAM returns documents URL-encoded on the wire; boto3 usually decodes them."""
    if isinstance(document, str):
        return json.loads(unquote(document))
    return document or {}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def allows_everything(document: Any) -> bool:
    for statement in _as_list(policy_document(document).get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            return True
    return False


def managed_policy_documents(policies: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Default-version documents of managed policies, by ARN."""
    documents = {}
    for policy in policies:
        for version in policy.get("PolicyVersionList", []):
            if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
                documents[policy["Arn"]] = version.get("Document")
    return documents


def _managed_grants_all(attached: Mapping[str, Any], documents: Mapping[str, Any]) -> bool:
    arn = attached["PolicyArn"]
    return arn.endswith(ADMIN_POLICY_SUFFIX) or allows_everything(documents.get(arn))


def privilege_routes(authorization: Mapping[str, Any]) -> dict[str, list[str]]:
    """User ARN -> the routes through which the user is granted everything."""
    documents = managed_policy_documents(authorization.get("Policies", []))
    group_routes: dict[str, list[str]] = {}
    for group in authorization.get("GroupDetailList", []):
        name = group["GroupName"]
        routes = [
            f"group:{name}/{policy['PolicyName']}"
            for policy in group.get("AttachedManagedPolicies", [])
            if _managed_grants_all(policy, documents)
        ]
        routes += [
            f"group:{name}/inline:{policy['PolicyName']}"
            for policy in group.get("GroupPolicyList", [])
            if allows_everything(policy.get("PolicyDocument"))
        ]
        group_routes[name] = routes
    users: dict[str, list[str]] = {}
    for user in authorization.get("UserDetailList", []):
        routes = [
            f"attached:{policy['PolicyName']}"
            for policy in user.get("AttachedManagedPolicies", [])
            if _managed_grants_all(policy, documents)
        ]
        routes += [
            f"inline:user/{policy['PolicyName']}"
            for policy in user.get("UserPolicyList", [])
            if allows_everything(policy.get("PolicyDocument"))
        ]
        for group in user.get("GroupList", []):
            routes += group_routes.get(group, [])
        users[user["Arn"]] = sorted(routes)
    return users


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def map_account(
    account_id: str,
    summary: Mapping[str, Any] | None,
    report_rows: list[dict[str, str]],
    aliases: list[str],
) -> CloudAccount:
    """The account and its root user: from the summary, and the report's root row if any.
    Without the summary (its request failed) only the root row tells; without either,
    root's MFA and keys are unknown (None). Its zone is derived at evaluation from the
    account id (`vaultward.derived.zones`)."""
    root = next((row for row in report_rows if row.get("user") == ROOT_ROW), None)
    root_mfa: bool | None = None
    root_keys: bool | None = None
    if root is not None:
        root_mfa = _true(root["mfa_active"])
        root_keys = _true(root.get("access_key_1_active")) or _true(root.get("access_key_2_active"))
    if summary is not None:
        root_mfa = summary.get("AccountMFAEnabled") == 1 or bool(root_mfa)
        root_keys = summary.get("AccountAccessKeysPresent") == 1 or bool(root_keys)
    alias = aliases[0] if aliases else ""
    return CloudAccount(
        key=f"aws:{account_id}",
        name=alias or account_id,
        provider="aws",
        account_id=account_id,
        alias=alias,
        root_mfa_enabled=root_mfa,
        root_access_keys_present=root_keys,
    )


def map_users(
    account_id: str,
    report_rows: list[dict[str, str]],
    authorization: Mapping[str, Any],
    mfa_serials: Mapping[str, list[str]],
) -> list[Identity | AccessKey]:
    """One Identity per IAM user row and one AccessKey per existing key slot.

    `mfa_serials` maps user name -> MFA device serial numbers (users missing from it have
    no known devices)."""
    routes = privilege_routes(authorization)
    records: list[Identity | AccessKey] = []
    for row in report_rows:
        if row.get("user") == ROOT_ROW:
            continue
        arn, name = row["arn"], row["user"]
        console = _true(row.get("password_enabled"))
        mfa = _true(row.get("mfa_active"))
        used = [parse_time(row.get("password_last_used"))]
        keys_active = _true(row.get("access_key_1_active")) or _true(row.get("access_key_2_active"))
        for slot in (1, 2):
            rotated = parse_time(row.get(f"access_key_{slot}_last_rotated"))
            if rotated is None:
                continue
            last_used = parse_time(row.get(f"access_key_{slot}_last_used_date"))
            used.append(last_used)
            records.append(
                AccessKey(
                    key=f"{arn}#access_key_{slot}",
                    name=f"{name} access key {slot}",
                    source=SOURCE,
                    account=account_id,
                    identity=arn,
                    active=_true(row.get(f"access_key_{slot}_active")),
                    created_at=rotated,
                    last_used_at=last_used,
                )
            )
        user_routes = routes.get(arn, [])
        seen = [moment for moment in used if moment is not None]
        records.append(
            Identity(
                key=arn,
                name=name,
                source=SOURCE,
                account=account_id,
                person=True,
                privileged=bool(user_routes),
                privileged_via=user_routes,
                full_admin=bool(user_routes),
                programmatic_access=keys_active,
                console_access=console,
                mfa_enrolled=mfa,
                factor_kinds=sorted({factor_kind(s) for s in mfa_serials.get(name, [])}),
                created_at=parse_time(row.get("user_creation_time")),
                last_used_at=max(seen) if seen else None,
            )
        )
    return records
