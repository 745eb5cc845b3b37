"""Organizations payloads (roots, OUs per parent, accounts per parent) -> OrgAccount records (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vaultward.contract.records import OrgAccount

Payload = Mapping[str, Any]


def map_accounts(
    roots: Sequence[Payload],
    units: Mapping[str, Sequence[Payload]],
    accounts: Mapping[str, Sequence[Payload]],
    tags: Mapping[str, Sequence[Payload]] | None = None,
) -> list[OrgAccount]:
    """Walk the tree from each root (`list_roots`): `units` maps a parent id to its OUs
        (`list_organizational_units_for_parent`), `accounts` to the accounts it holds directly
        (`list_accounts_for_parent`), `tags` an account id to its tags (`list_tags_for_resource`;
    an account absent from it has tags unknown). Zones are derived at evaluation from the account ids (`vaultward.derived.zones`)."""
    records: list[OrgAccount] = []

    def walk(parent_id: str, ids: list[str], names: list[str]) -> None:
        for account in accounts.get(parent_id, []):
            records.append(
                OrgAccount(
                    key=f"aws:{account['Id']}",
                    name=account.get("Name", ""),
                    account_id=account["Id"],
                    # `State` replaces the deprecated `Status`; older responses carry only `Status`.
                    status=account.get("State") or account.get("Status", ""),
                    parent_id=parent_id,
                    ou_ids=ids,
                    ou_path="/".join(names),
                    tags=_tags(tags, account["Id"]),
                )
            )
        for unit in units.get(parent_id, []):
            walk(unit["Id"], [*ids, unit["Id"]], [*names, unit.get("Name") or unit["Id"]])

    for root in roots:
        walk(root["Id"], [root["Id"]], [root.get("Name") or "Root"])
    return records


def _tags(tags: Mapping[str, Sequence[Payload]] | None, account_id: str) -> dict[str, str] | None:
    if tags is None or account_id not in tags:
        return None
    return {tag["Key"]: tag.get("Value", "") for tag in tags[account_id]}
