"""Collector Runs as readers see them: the latest of each scope, each collector's recent
history, the accounts' names, and what the inventories were last built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, true
from sqlmodel import Session, col, select

from vaultward.contract.records import CloudAccount, OrgAccount
from vaultward.derived.names import AccountNames
from vaultward.pipeline.orphans import orphan_reason
from vaultward.store.models import Evaluation, Fact, Run, utcnow


@dataclass(frozen=True)
class RunRow:
    id: int | None
    collector: str
    scope: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    item_count: int
    error: str | None

    @classmethod
    def of(cls, run: Run) -> RunRow:
        """As stored, but a Run left `running` by a killed process (not marked yet) as the
        failed Run it will be marked, ended at its last heartbeat."""
        reason = orphan_reason(run, utcnow())
        if reason is not None:
            ended = run.heartbeat_at or run.started_at
            return cls(run.id, run.collector, run.scope, "failed", run.started_at, ended, 0, reason)
        return cls(
            run.id,
            run.collector,
            run.scope,
            run.status,
            run.started_at,
            run.finished_at,
            run.item_count,
            run.error,
        )

    @property
    def duration_seconds(self) -> float | None:
        """None while running."""
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


def latest_runs(session: Session, *, finished: bool = False) -> list[RunRow]:
    """The latest Run of every collector and scope (by start; the newest id on a tie); with
    `finished`, the latest that is no longer running."""
    kept = col(Run.status) != "running" if finished else true()
    newest = (
        select(Run.collector, Run.scope, func.max(Run.started_at).label("started_at"))
        .where(kept)
        .group_by(Run.collector, Run.scope)
        .subquery()
    )
    query = (
        select(Run)
        .where(kept)
        .join(
            newest,
            (col(Run.collector) == newest.c.collector)
            & (col(Run.scope) == newest.c.scope)
            & (col(Run.started_at) == newest.c.started_at),
        )
        .order_by(col(Run.collector), col(Run.scope), col(Run.id).desc())
    )
    latest: dict[tuple[str, str], RunRow] = {}
    for run in session.exec(query):
        latest.setdefault((run.collector, run.scope), RunRow.of(run))
    return list(latest.values())


def run_history(session: Session, collectors: tuple[str, ...], per_collector: int = 20) -> list[RunRow]:
    """The last `per_collector` Runs of each collector (all its scopes), newest first. One
    LIMIT query per collector on the (collector, started_at) index, so a long history is
    never read."""
    rows: list[RunRow] = []
    for collector in collectors:
        runs = session.exec(
            select(Run)
            .where(Run.collector == collector)
            .order_by(col(Run.started_at).desc(), col(Run.id).desc())
            .limit(per_collector)
        )
        rows += [RunRow.of(run) for run in runs]
    return rows


def collectors_with_runs(session: Session) -> list[str]:
    """Every collector that has a Run, by name."""
    return sorted(session.exec(select(Run.collector).distinct()).all())


def account_names(session: Session) -> dict[str, str]:
    """AWS account id -> the name people know it by (`vaultward.derived.names`: the Organizations
    name, else the IAM alias), from the facts of each scope's latest usable Run. An account
    without a name is absent."""
    newest = (
        select(func.max(Run.id).label("id"))
        .where(
            col(Run.collector).in_(("aws_iam", "aws_organization")), col(Run.status).in_(("ok", "partial"))
        )
        .group_by(Run.collector, Run.scope)
        .subquery()
    )
    query = (
        select(Fact.kind, Fact.key, Fact.scope, Fact.data)
        .join(newest, col(Fact.run_id) == newest.c.id)
        .where(col(Fact.kind).in_((CloudAccount.kind, OrgAccount.kind)))
        .order_by(col(Fact.id))
    )
    org: list[OrgAccount] = []
    cloud: list[CloudAccount] = []
    for kind, key, scope, fact in session.exec(query):
        values = {**fact, "key": key, "scope": scope}
        if kind == OrgAccount.kind:
            org.append(OrgAccount.model_validate(values))
        else:
            cloud.append(CloudAccount.model_validate(values))
    return dict(AccountNames.of(org, cloud).names)


def scope_label(scope: str, names: Mapping[str, str]) -> str:
    """A scope as a person reads it: its AWS account by name, the id beside it
    (`production (552271760869) / us-east-1` for aws:552271760869/us-east-1); a scope whose
    account has no name, or that is not an account, as stored."""
    source, _, rest = scope.partition(":")
    account, slash, region = rest.partition("/")
    name = names.get(account) if source == "aws" else None
    if not name:
        return scope
    return f"{name} ({account})" + (f" / {region}" if slash else "")


def inputs_version(session: Session) -> tuple[int | None, int | None]:
    """What views of the latest facts and evaluation are built from, as a cache key: the
    newest finished Run and the newest evaluation."""
    run = session.exec(select(func.max(Run.id)).where(col(Run.finished_at).is_not(None))).one()
    evaluation = session.exec(select(func.max(Evaluation.id))).one()
    return run, evaluation
