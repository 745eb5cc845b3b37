"""The people and custody inventories an evaluation stored with its findings
(vaultward.pipeline.inventories): what the People and Wallets pages show, read as the
evaluation resolved them under its policy, without resolving a single fact again.

At 100,000 identities these are 60,000 rows with several JSON lists each: the JSON columns are
read as text and decoded in one call per column, not one per value."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, cast
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from vaultward.derived.inventory import CustodyView, Issue, PersonView, WalletSigner
from vaultward.store.models import InventoryCustody, InventoryPerson


def _json_columns(rows: Sequence[Sequence[Any]], first: int, count: int) -> list[list[Any]]:
    """Columns first..first+count of `rows` (JSON text) decoded, one json.loads per column."""
    return [json.loads("[" + ",".join(row[i] for row in rows) + "]") for i in range(first, first + count)]


def _when(text: str | None) -> datetime | None:
    """A timestamp read as text (SQLite's stored form, or PostgreSQL's with its offset), in UTC."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _issues(stored: list[dict[str, str]]) -> tuple[Issue, ...]:
    return tuple(Issue(i["check_id"], i["status"], i["severity"], i["message"]) for i in stored)


def people_of(session: Session, evaluation_id: int) -> list[PersonView]:
    """Every person and machine identity the evaluation saw, in its order (by person id)."""
    plain = (
        InventoryPerson.person_id, InventoryPerson.name, InventoryPerson.identity_class,
        InventoryPerson.why, InventoryPerson.active, InventoryPerson.mfa,
        InventoryPerson.phishing_resistant, InventoryPerson.training_measured, InventoryPerson.privileged,
    )  # fmt: skip
    listed = (
        InventoryPerson.identities, InventoryPerson.sources, InventoryPerson.factor_kinds,
        InventoryPerson.roles, InventoryPerson.signer_for, InventoryPerson.issues,
        InventoryPerson.awareness_at, InventoryPerson.lure_at,
    )  # fmt: skip
    query = (
        select_columns(*map(col, plain), *(cast(col(column), Text) for column in listed))
        .where(col(InventoryPerson.evaluation_id) == evaluation_id)
        .order_by(col(InventoryPerson.id))
    )
    rows: Sequence[Any] = session.connection().execute(query).all()
    if not rows:
        return []
    n = len(plain)
    identities, sources, factors, roles, signer_for, issues = _json_columns(rows, n, 6)
    return [
        PersonView(
            id=row[0], name=row[1], machine=row[2] == "machine", identity_class=row[2], why=row[3],
            active=row[4], identities=tuple(identities[i]), sources=tuple(sources[i]), mfa=row[5],
            factor_kinds=tuple(factors[i]), phishing_resistant=row[6], awareness_at=_when(row[n + 6]),
            lure_at=_when(row[n + 7]), training_measured=row[7], privileged=row[8],
            roles=tuple(roles[i]), signer_for=tuple(signer_for[i]), issues=_issues(issues[i]),
        )
        for i, row in enumerate(rows)
    ]  # fmt: skip


def custody_of(session: Session, evaluation_id: int) -> list[CustodyView]:
    """Every wallet, signing key and HSM cluster the evaluation judged, in its order (wallets,
    signing keys, HSM clusters, each by provider and name)."""
    plain = (
        InventoryCustody.kind, InventoryCustody.key, InventoryCustody.name, InventoryCustody.provider,
        InventoryCustody.scope, InventoryCustody.threshold, InventoryCustody.hsm_backing,
        InventoryCustody.value_tier, InventoryCustody.value_usd,
    )  # fmt: skip
    listed = (InventoryCustody.signers, InventoryCustody.policy, InventoryCustody.issues)
    query = (
        select_columns(*map(col, plain), *(cast(col(column), Text) for column in listed))
        .where(col(InventoryCustody.evaluation_id) == evaluation_id)
        .order_by(col(InventoryCustody.id))
    )
    rows: Sequence[Any] = session.connection().execute(query).all()
    if not rows:
        return []
    signers, policy, issues = _json_columns(rows, len(plain), 3)
    return [
        CustodyView(
            kind=row[0], key=row[1], name=row[2], provider=row[3], scope=row[4], threshold=row[5],
            hsm_backing=row[6], value_tier=row[7], value_usd=row[8], policy=tuple(policy[i]),
            signed_by=tuple(
                WalletSigner(s["id"], s["person"], tuple(s["roles"]), s["why_not"]) for s in signers[i]
            ),
            issues=_issues(issues[i]),
        )
        for i, row in enumerate(rows)
    ]  # fmt: skip
