"""The people and custody inventories an evaluation stored with its findings
(vaultward.pipeline.inventories): what the People and Wallets pages show, read as the
evaluation resolved them under its policy, without resolving a single fact again.

At 100,000 identities these are 60,000 rows with several JSON lists each and 160,000 open
findings: the JSON columns are read as text and decoded in one call per column, not one per
value, and the open findings are rows of their own (InventoryIssue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Text, cast, column
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from vaultward.derived.inventory import CustodyView, Issue, PersonView, WalletSigner
from vaultward.store.models import InventoryCustody, InventoryIssue, InventoryPerson


def _json_columns(rows: Sequence[Sequence[Any]], first: int, count: int) -> list[list[Any]]:
    """Columns first..first+count of `rows` (JSON text) decoded, one orjson.loads per column."""
    return [orjson.loads("[" + ",".join(row[i] for row in rows) + "]") for i in range(first, first + count)]


def _when(text: str | None) -> datetime | None:
    """A timestamp read as text (SQLite's stored form, or PostgreSQL's with its offset), in UTC."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ISSUE_FIELDS = ("subject_id", "check_id", "status", "severity", "message")
PERSON_FIELDS = (
    "person_id", "name", "identity_class", "why", "active", "mfa", "phishing_resistant",
    "training_measured", "privileged", "identities", "sources", "factor_kinds", "roles", "signer_for",
    "awareness_at", "lure_at",
)  # fmt: skip
_PERSON_PLAIN = 9  # the fields before the JSON lists and the timestamps
_BOOLEANS = range(4, _PERSON_PLAIN)  # active, mfa, phishing_resistant, training_measured, privileged


def issues_of(
    session: Session, evaluation_id: int, inventory: str, subjects: Sequence[str] | None = None
) -> list[tuple[str, str, str, str, str]]:
    """The open findings of the evaluation's people (`inventory` "person") or custody objects
    ("custody"), or of those `subjects` only, as (subject_id, check_id, status, severity,
    message) rows, worst first per subject, subjects in the inventory's order."""
    of_subjects = () if subjects is None else (col(InventoryIssue.subject_id).in_(subjects),)
    query = (
        select_columns(*(col(getattr(InventoryIssue, name)) for name in ISSUE_FIELDS))
        .where(
            col(InventoryIssue.evaluation_id) == evaluation_id,
            col(InventoryIssue.inventory) == inventory,
            *of_subjects,
        )
        .order_by(col(InventoryIssue.id))
    )
    return [tuple(row) for row in session.connection().execute(query).all()]  # type: ignore[misc]


def _grouped(rows: list[tuple[str, str, str, str, str]]) -> dict[str, tuple[Issue, ...]]:
    issues: dict[str, list[Issue]] = {}
    for subject_id, *fields in rows:
        issues.setdefault(subject_id, []).append(Issue(*fields))
    return {subject_id: tuple(listed) for subject_id, listed in issues.items()}


def people_columns(
    session: Session, evaluation_id: int, *where: Any, limit: int | None = None, offset: int = 0
) -> dict[str, list[Any]]:
    """Every person and machine identity the evaluation saw (or those `where` holds for, the
    `limit` from `offset` on), in its order (by person id), column by column (PERSON_FIELDS;
    lists decoded, timestamps in UTC), without their open findings (`issues_of`): the People
    page builds its table from columns, not one object per person."""
    # Untyped columns (no result processing: 1,000,000 values at 100,000 identities), the JSON
    # lists and timestamps as text; the booleans are made booleans below (SQLite's are 0 and 1).
    table = InventoryPerson.__table__  # type: ignore[attr-defined]
    query: Any = (
        select_columns(
            *(column(name) for name in PERSON_FIELDS[:_PERSON_PLAIN]),
            *(cast(column(name), Text) for name in PERSON_FIELDS[_PERSON_PLAIN:]),
        )
        .select_from(table)
        .where(col(InventoryPerson.evaluation_id) == evaluation_id, *where)
        .order_by(col(InventoryPerson.id))
        .limit(limit)
        .offset(offset)
    )
    rows: Sequence[Any] = session.connection().execute(query).all()
    if not rows:
        return {name: [] for name in PERSON_FIELDS}
    values = [list(column) for column in zip(*rows, strict=True)]
    listed = len(PERSON_FIELDS) - _PERSON_PLAIN - 2
    values[_PERSON_PLAIN : _PERSON_PLAIN + listed] = _json_columns(rows, _PERSON_PLAIN, listed)
    for at in _BOOLEANS:
        values[at] = [None if value is None else bool(value) for value in values[at]]
    for at in (-2, -1):
        values[at] = [None if text is None else _when(text) for text in values[at]]
    return dict(zip(PERSON_FIELDS, values, strict=True))


def people_of(session: Session, evaluation_id: int) -> list[PersonView]:
    """Every person and machine identity the evaluation saw, in its order, with their open findings."""
    c = people_columns(session, evaluation_id)
    issues = _grouped(issues_of(session, evaluation_id, "person"))
    return [
        PersonView(
            id=c["person_id"][i], name=c["name"][i], machine=c["identity_class"][i] == "machine",
            identity_class=c["identity_class"][i], why=c["why"][i], active=c["active"][i],
            identities=tuple(c["identities"][i]), sources=tuple(c["sources"][i]), mfa=c["mfa"][i],
            factor_kinds=tuple(c["factor_kinds"][i]), phishing_resistant=c["phishing_resistant"][i],
            awareness_at=c["awareness_at"][i], lure_at=c["lure_at"][i],
            training_measured=c["training_measured"][i], privileged=c["privileged"][i],
            roles=tuple(c["roles"][i]), signer_for=tuple(c["signer_for"][i]),
            issues=issues.get(c["person_id"][i], ()),
        )
        for i in range(len(c["person_id"]))
    ]  # fmt: skip


def custody_of(session: Session, evaluation_id: int) -> list[CustodyView]:
    """Every wallet, signing key and HSM cluster the evaluation judged, in its order (wallets,
    signing keys, HSM clusters, each by provider and name)."""
    plain = (
        InventoryCustody.kind, InventoryCustody.key, InventoryCustody.name, InventoryCustody.provider,
        InventoryCustody.scope, InventoryCustody.threshold, InventoryCustody.hsm_backing,
        InventoryCustody.value_tier, InventoryCustody.value_usd,
    )  # fmt: skip
    listed = (InventoryCustody.signers, InventoryCustody.policy)
    query = (
        select_columns(*map(col, plain), *(cast(col(column), Text) for column in listed))
        .where(col(InventoryCustody.evaluation_id) == evaluation_id)
        .order_by(col(InventoryCustody.id))
    )
    rows: Sequence[Any] = session.connection().execute(query).all()
    if not rows:
        return []
    signers, policy = _json_columns(rows, len(plain), 2)
    issues = _grouped(issues_of(session, evaluation_id, "custody"))
    return [
        CustodyView(
            kind=row[0], key=row[1], name=row[2], provider=row[3], scope=row[4], threshold=row[5],
            hsm_backing=row[6], value_tier=row[7], value_usd=row[8], policy=tuple(policy[i]),
            signed_by=tuple(
                WalletSigner(s["id"], s["person"], tuple(s["roles"]), s["why_not"]) for s in signers[i]
            ),
            issues=issues.get(row[1], ()),
        )
        for i, row in enumerate(rows)
    ]  # fmt: skip
