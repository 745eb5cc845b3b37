"""The prior a collector carries forward: the facts of the kinds it names
(`Collector.carries_forward`) from its scope's latest usable Run, typed and read-only.

A Run is usable when it finished `ok` or `partial`: a partial Run's records are what the
vendor said, and each record says itself how far it can be trusted (a `SigninLog` its
`complete`), so a gap in another listing does not throw away a complete log's cursor.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vaultward.contract.sdk import NO_PRIOR, Collector, Prior, Scope
from vaultward.store.models import Fact, Run

USABLE = ("ok", "partial")


def load_prior(session: Session, collector: Collector, scope: Scope, before_run: int) -> Prior:
    """The latest usable Run of `collector` on `scope` older than `before_run`, with its facts
    of the kinds the collector carries forward; NO_PRIOR when it carries nothing or has none.
    A fact that no longer validates is left out (the collector then reads that part in full)."""
    kinds = {kind.kind: kind for kind in collector.carries_forward}
    if not kinds:
        return NO_PRIOR
    run_id = session.exec(
        select(Run.id)
        .where(
            col(Run.collector) == collector.name,
            col(Run.scope) == scope.id,
            col(Run.status).in_(USABLE),
            col(Run.id) < before_run,
        )
        .order_by(col(Run.id).desc())
        .limit(1)
    ).first()
    if run_id is None:
        return NO_PRIOR
    rows = session.exec(
        select(Fact.kind, Fact.key, Fact.data).where(col(Fact.run_id) == run_id, col(Fact.kind).in_(kinds))
    )
    records = []
    for kind, key, data in rows:
        try:
            records.append(kinds[kind].model_validate({**data, "key": key, "scope": scope.id}))
        except ValidationError:
            continue
    return Prior(run_id, tuple(records))


def with_prior(engine: Engine, collector: Collector, scope: Scope, run_id: int) -> Scope:
    """`scope` carrying its prior; unchanged when there is none. Reading the store is the
    runner's part: a collector never imports it."""
    if not collector.carries_forward:
        return scope
    with Session(engine) as session:
        prior = load_prior(session, collector, scope, run_id)
    return scope if prior is NO_PRIOR else replace(scope, prior=prior)
