"""The People page's queries: its census, its filters, a page of its people and a page of their
open findings, each done by the store (vaultward.read.inventories reads the rows). At 100,000
identities building frames of all 65,000 people and 160,000 open findings to show 200 of each
took 1.8 s of the page's first render.

The search matches each text in the form it is stored in: the name as it is, the JSON lists
(identities, roles, signer_for) as their JSON text, the checks as check ids, case-insensitively
(SQLite lowers ASCII letters only), so a search text spanning two items of a list matches
nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, case, cast, exists, func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from vaultward.contract.vocabulary import SEVERITIES
from vaultward.read.inventories import ISSUE_FIELDS
from vaultward.store.models import InventoryIssue, InventoryPerson

P, I = InventoryPerson, InventoryIssue  # noqa: E741
# (status, severity) -> rank: failing before unknown, then by severity (anything else last)
WORST_FIRST = {
    (status, severity): len(SEVERITIES) * status_rank + severity_rank
    for status_rank, status in enumerate(("fail", "unknown"))
    for severity_rank, severity in enumerate(SEVERITIES)
}


@dataclass(frozen=True)
class PeopleFilter:
    """Employees who mention `text` and, when asked, are privileged, sign, or have open
    findings; machine identities too when `machines`; the guests instead when `guests`."""

    text: str = ""
    privileged: bool = False
    signers: bool = False
    failing: bool = False
    machines: bool = False
    guests: bool = False


def _contains(expression: Any, needle: str) -> Any:
    return func.lower(expression).contains(needle, autoescape=True)


def _issues_of_person(*where: Callable[[Any], Any]) -> Any:
    """Whether the person has open findings (those `where` holds for, given the findings'
    table): an alias, so that it correlates to the person even in a query of findings."""
    issue = aliased(I)
    return (
        exists()
        .where(
            col(issue.evaluation_id) == col(P.evaluation_id),
            col(issue.inventory) == "person",
            col(issue.subject_id) == col(P.person_id),
            *(condition(issue) for condition in where),
        )
        .correlate_except(issue)
    )


def matching(chosen: PeopleFilter) -> list[Any]:
    """The conditions on InventoryPerson (besides its evaluation) of the people `chosen`."""
    kinds = ["guest"] if chosen.guests else (["employee", "machine"] if chosen.machines else ["employee"])
    where: list[Any] = [col(P.identity_class).in_(kinds)]
    if chosen.privileged:
        where.append(col(P.privileged).is_(True))
    if chosen.signers:
        where.append(cast(col(P.signer_for), Text) != "[]")
    if chosen.failing:
        where.append(_issues_of_person())
    needle = chosen.text.strip().lower()
    if needle:
        listed = json.dumps(needle)[1:-1]  # as the JSON text holds it
        where.append(
            or_(
                _contains(col(P.name), needle),
                *(_contains(cast(col(c), Text), listed) for c in (P.identities, P.roles, P.signer_for)),
                _issues_of_person(lambda issue: _contains(col(issue.check_id), needle)),
            )
        )
    return where


def count_people(session: Session, evaluation_id: int, chosen: PeopleFilter) -> int:
    query = select_columns(func.count()).select_from(P).where(col(P.evaluation_id) == evaluation_id)
    return int(session.connection().execute(query.where(*matching(chosen))).scalar_one())


def census(session: Session, evaluation_id: int) -> dict[str, int]:
    """Active people by class and the departed, counted as the evaluation's census counts them
    (vaultward.derived.people.census): a suspended machine account is not counted; and the
    employees, privileged employees, signers, employees with open findings and machine accounts."""
    employee = col(P.identity_class) == "employee"

    def where(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    query = select_columns(
        *(
            where(col(P.identity_class) == kind, col(P.active).is_(True))
            for kind in ("employee", "guest", "machine")
        ),
        where(col(P.active).is_(False), col(P.identity_class) != "machine"),
        where(employee),
        where(employee, col(P.privileged).is_(True)),
        where(employee, cast(col(P.signer_for), Text) != "[]"),
        where(employee, _issues_of_person()),
        where(col(P.identity_class) == "machine"),
    ).where(col(P.evaluation_id) == evaluation_id)
    names = (
        "employee",
        "guest",
        "machine",
        "departed",
        "employees",
        "privileged",
        "signers",
        "failing",
        "machines",
    )
    row = session.connection().execute(query).one()
    return dict(zip(names, map(int, row), strict=True))


def _issue_query(evaluation_id: int, chosen: PeopleFilter, *columns: Any) -> Any:
    return (
        select_columns(*columns)
        .select_from(I)
        .join(P, and_(col(P.evaluation_id) == col(I.evaluation_id), col(P.person_id) == col(I.subject_id)))
        .where(col(I.evaluation_id) == evaluation_id, col(I.inventory) == "person", *matching(chosen))
    )


def count_issues(session: Session, evaluation_id: int, chosen: PeopleFilter) -> int:
    query = _issue_query(evaluation_id, chosen, func.count())
    return int(session.connection().execute(query).scalar_one())


def issues_page(
    session: Session, evaluation_id: int, chosen: PeopleFilter, limit: int | None = None, offset: int = 0
) -> list[tuple[str, str, str, str, str, str]]:
    """The open findings of the people `chosen` as (subject_id, subject, check_id, status,
    severity, message), worst first (failing before unknown, then by severity), each person's
    in stored order; the `limit` from `offset` on."""
    rank = case(
        *(
            (and_(col(I.status) == status, col(I.severity) == severity), at)
            for (status, severity), at in WORST_FIRST.items()
        ),
        else_=len(WORST_FIRST),
    )
    fields = [col(getattr(I, name)) for name in ISSUE_FIELDS]
    query = (
        _issue_query(evaluation_id, chosen, fields[0], col(P.name), *fields[1:])
        .order_by(rank, col(I.id))
        .limit(limit)
        .offset(offset)
    )
    return [tuple(row) for row in session.connection().execute(query).all()]  # type: ignore[misc]


def issues_of_people(
    session: Session, evaluation_id: int, chosen: PeopleFilter
) -> list[tuple[str, str, str, str, str]]:
    """The open findings of the people `chosen` as issues_of rows, in stored order."""
    query = _issue_query(evaluation_id, chosen, *(col(getattr(I, name)) for name in ISSUE_FIELDS))
    return [tuple(row) for row in session.connection().execute(query.order_by(col(I.id))).all()]  # type: ignore[misc]
