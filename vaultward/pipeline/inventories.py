"""The people and custody inventories of one evaluation: resolved by the derived views over
the very context its checks judged (same policy, same people, signer and training indexes),
and stored with its findings in the same transaction, so the dashboard and the report read
what the checks saw instead of resolving the facts again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from vaultward.contract.sdk import CheckContext
from vaultward.derived.inventory import (
    OPEN,
    CustodyView,
    Issue,
    PersonView,
    custody_inventory,
    people_inventory,
)
from vaultward.store.finding_rows import FINDING_FIELDS
from vaultward.store.models import InventoryCustody, InventoryIssue, InventoryPerson

BATCH = 10_000  # rows per INSERT statement
_CHECK, _SEVERITY, _RESOURCE, _STATUS, _MESSAGE = (
    FINDING_FIELDS.index(name) for name in ("check_id", "severity", "resource", "status", "message")
)


@dataclass(frozen=True)
class Inventories:
    people: list[PersonView]
    custody: list[CustodyView]


def take_inventories(context: CheckContext, findings: Iterable[Sequence[Any]]) -> Inventories:
    """Every person and custody object of the evaluation with its open findings; `findings`
    are the evaluation's rows in FINDING_FIELDS order (waived ones are not open)."""
    issues: dict[str, list[Issue]] = defaultdict(list)
    for row in findings:
        if row[_STATUS] in OPEN:
            issues[row[_RESOURCE]].append(Issue(row[_CHECK], row[_STATUS], row[_SEVERITY], row[_MESSAGE]))
    return Inventories(people_inventory(context, issues), custody_inventory(context, issues))


def _issue_rows(evaluation_id: int, inventory: str, subject_id: str, issues: tuple[Issue, ...]) -> list[dict]:
    return [
        {"evaluation_id": evaluation_id, "inventory": inventory, "subject_id": subject_id,
         "check_id": i.check_id, "status": i.status, "severity": i.severity, "message": i.message}
        for i in issues
    ]  # fmt: skip


def _person_row(evaluation_id: int, view: PersonView) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation_id,
        "person_id": view.id,
        "name": view.name,
        "identity_class": view.identity_class,
        "why": view.why,
        "active": view.active,
        "identities": list(view.identities),
        "sources": list(view.sources),
        "mfa": view.mfa,
        "factor_kinds": list(view.factor_kinds),
        "phishing_resistant": view.phishing_resistant,
        "awareness_at": view.awareness_at,
        "lure_at": view.lure_at,
        "training_measured": view.training_measured,
        "privileged": view.privileged,
        "roles": list(view.roles),
        "signer_for": list(view.signer_for),
    }


def _custody_row(evaluation_id: int, view: CustodyView) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation_id,
        "kind": view.kind,
        "key": view.key,
        "name": view.name,
        "provider": view.provider,
        "scope": view.scope,
        "threshold": view.threshold,
        "hsm_backing": view.hsm_backing,
        "signers": [
            {"id": s.id, "person": s.person, "roles": list(s.roles), "why_not": s.why_not}
            for s in view.signed_by
        ],
        "policy": list(view.policy),
        "value_tier": view.value_tier,
        "value_usd": view.value_usd,
    }


def store_inventories(connection: Connection, evaluation_id: int, inventories: Inventories) -> None:
    """Insert the inventories as the evaluation's, their open findings one row each
    (InventoryIssue), in the caller's transaction."""
    people = inventories.people
    for start in range(0, len(people), BATCH):
        rows = [_person_row(evaluation_id, view) for view in people[start : start + BATCH]]
        connection.execute(insert(InventoryPerson), rows)  # Core executemany, no ORM bookkeeping
    custody = inventories.custody
    for start in range(0, len(custody), BATCH):
        rows = [_custody_row(evaluation_id, view) for view in custody[start : start + BATCH]]
        connection.execute(insert(InventoryCustody), rows)
    issues = [
        *(row for view in people for row in _issue_rows(evaluation_id, "person", view.id, view.issues)),
        *(row for view in custody for row in _issue_rows(evaluation_id, "custody", view.key, view.issues)),
    ]
    for start in range(0, len(issues), BATCH):
        connection.execute(insert(InventoryIssue), issues[start : start + BATCH])
