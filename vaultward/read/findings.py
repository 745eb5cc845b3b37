"""The findings of one mitigation in an evaluation: what they can be filtered by, one page of
those a filter keeps (filtered, counted and paged in the store), and every match in batches
for an export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from vaultward.read.scores import check_scores
from vaultward.store.models import Finding

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_ORDER = ("fail", "unknown", "waived", "pass", "skipped")


def scope_source(scope: str) -> str:
    """The source family a scope belongs to: `aws` for aws:123/us-east-1, `okta` for okta:acme."""
    return scope.split(":", 1)[0] if ":" in scope else ""


def scope_account(scope: str) -> str:
    """The account or tenant of a scope: 123 for aws:123/us-east-1, acme for okta:acme."""
    return scope.split(":", 1)[1].split("/", 1)[0] if ":" in scope else ""


@dataclass(frozen=True)
class FindingFilter:
    """What the findings table is narrowed to; empty means everything."""

    checks: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class FindingFacets:
    """What one mitigation's findings can be filtered by, counted in the store."""

    total: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # check id -> title, most severe first
    scopes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)


def check_titles(session: Session, evaluation_id: int, mitigation: str) -> dict[str, str]:
    """{check id: title} of the mitigation's scored checks, most severe first, then by id."""
    checks = sorted(
        check_scores(session, evaluation_id, mitigation),
        key=lambda c: (SEVERITY_RANK.get(c.severity, 9), c.check_id),
    )
    return {c.check_id: c.title for c in checks}


def finding_facets(session: Session, evaluation_id: int, mitigation: str) -> FindingFacets:
    """The total, check titles, scopes, sources and accounts of the mitigation's findings."""
    scopes = session.exec(
        select(Finding.scope, func.count())
        .where(Finding.evaluation_id == evaluation_id, Finding.mitigation == mitigation)
        .group_by(Finding.scope)
    ).all()
    return FindingFacets(
        total=sum(count for _, count in scopes),
        titles=check_titles(session, evaluation_id, mitigation),
        scopes=sorted(scope or "" for scope, _ in scopes),
        sources=sorted({s for scope, _ in scopes if (s := scope_source(scope or ""))}),
        accounts=sorted({a for scope, _ in scopes if (a := scope_account(scope or ""))}),
    )


def _conditions(
    evaluation_id: int, mitigation: str, chosen: FindingFilter, facets: FindingFacets
) -> list[Any]:
    """WHERE clauses for the findings `chosen` keeps. Sources and accounts are matched on the
    scopes the facets listed, so the store's indexes do the work and a scope is split one way
    only (scope_source / scope_account)."""
    conditions: list[Any] = [Finding.evaluation_id == evaluation_id, Finding.mitigation == mitigation]
    if chosen.checks:
        conditions.append(col(Finding.check_id).in_(chosen.checks))
    if chosen.statuses:
        conditions.append(col(Finding.status).in_(chosen.statuses))
    if chosen.severities:
        conditions.append(col(Finding.severity).in_(chosen.severities))
    if chosen.sources:
        wanted = [s for s in facets.scopes if scope_source(s) in chosen.sources]
        conditions.append(col(Finding.scope).in_(wanted))
    if chosen.accounts:
        wanted = [s for s in facets.scopes if scope_account(s) in chosen.accounts]
        conditions.append(col(Finding.scope).in_(wanted))
    needle = chosen.text.strip().lower()
    if needle:
        titled = [check for check, title in facets.titles.items() if needle in title.lower()]
        searched = (Finding.check_id, Finding.resource, Finding.resource_name, Finding.scope, Finding.message)
        conditions.append(
            or_(
                col(Finding.check_id).in_(titled),
                *(func.lower(col(column)).contains(needle, autoescape=True) for column in searched),
            )
        )
    return conditions


def _order() -> list[Any]:
    """Failing first, then by severity, check and resource, as the page lists them."""
    status_rank = case(
        {status: rank for rank, status in enumerate(STATUS_ORDER)}, value=Finding.status, else_=9
    )
    severity_rank = case(SEVERITY_RANK, value=Finding.severity, else_=9)
    return [status_rank, severity_rank, Finding.check_id, Finding.resource, Finding.id]


def findings_page(
    session: Session,
    evaluation_id: int,
    mitigation: str,
    chosen: FindingFilter,
    facets: FindingFacets,
    page: int,
    page_size: int,
) -> tuple[list[Finding], int]:
    """One page of the findings `chosen` keeps, failing first, and how many match in all: the
    page costs the same at 100 findings or 500,000."""
    if not facets.total:
        return [], 0
    conditions = _conditions(evaluation_id, mitigation, chosen, facets)
    matching = session.exec(select(func.count()).select_from(Finding).where(*conditions)).one()
    rows = session.exec(
        select(Finding).where(*conditions).order_by(*_order()).offset(page * page_size).limit(page_size)
    ).all()
    return list(rows), matching


def finding_batches(
    session: Session,
    evaluation_id: int,
    mitigation: str,
    chosen: FindingFilter,
    facets: FindingFacets,
    batch: int = 5000,
) -> Iterator[Sequence[Finding]]:
    """Every finding `chosen` keeps, in the page's order, `batch` rows at a time (streamed
    from the store, never all in memory)."""
    if not facets.total:
        return
    conditions = _conditions(evaluation_id, mitigation, chosen, facets)
    result = session.exec(
        select(Finding).where(*conditions).order_by(*_order()).execution_options(yield_per=batch)
    )
    yield from result.partitions()
