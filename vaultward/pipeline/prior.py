"""The prior a collector carries forward: the facts of the kinds it names
(`Collector.carries_forward`) from its scope's latest usable Run, read-only, kept as
compact JSON text and typed only as the collector reads them.

A Run is usable when it finished `ok` or `partial`: a partial Run's records are what the
vendor said, and each record says itself how far it can be trusted (a `SigninLog` its
`complete`), so a gap in another listing does not throw away a complete log's cursor.
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vaultward.contract.sdk import NO_PRIOR, Collector, Prior, Scope
from vaultward.store.models import Fact, Run

USABLE = ("ok", "partial")
BATCH = 1000  # rows fetched from the store at a time


def load_prior(session: Session, collector: Collector, scope: Scope, before_run: int) -> Prior:
    """The latest usable Run of `collector` on `scope` older than `before_run`, with its facts
    of the kinds the collector carries forward; NO_PRIOR when it carries nothing or has none.
    The facts are typed only as the collector reads them (`Prior.of`): one that no longer
    validates is left out then (the collector reads that part in full)."""
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
    query = select(Fact.kind, Fact.key, Fact.data).where(
        col(Fact.run_id) == run_id, col(Fact.kind).in_(kinds)
    )
    # Streamed, a batch at a time, and each fact kept as compact JSON text (compressed, see
    # `Prior`): a Run carrying 100,000 sign-in events never holds them as dicts or records.
    rows = session.exec(query.execution_options(yield_per=BATCH))
    return Prior.of_texts(
        run_id,
        (
            (kind, json.dumps({**data, "key": key, "scope": scope.id}, separators=(",", ":")))
            for kind, key, data in rows
            if isinstance(data, dict)
        ),
    )


def with_prior(engine: Engine, collector: Collector, scope: Scope, run_id: int) -> Scope:
    """`scope` carrying its prior; unchanged when there is none. Reading the store is the
    runner's part: a collector never imports it."""
    if not collector.carries_forward:
        return scope
    with Session(engine) as session:
        prior = load_prior(session, collector, scope, run_id)
    return scope if prior is NO_PRIOR else replace(scope, prior=prior)
