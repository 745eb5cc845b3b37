"""How fresh each collector's scopes are: the latest usable Run per scope, and whether its
facts are stale (older than twice the source's schedule interval). The evaluation, `vaultward
status` and the dashboard all judge freshness here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from vaultward.config.settings import Settings
from vaultward.pipeline.gaps import Gap, run_gaps
from vaultward.store.models import Fact, Run

DISCOVERY = ":discovery"


def stale_reason(
    settings: Settings, collector: str, scope: str, finished_at: datetime | None, now: datetime
) -> str | None:
    """Why facts collected at `finished_at` no longer count, or None while they are fresh."""
    if finished_at is None:
        return None
    interval = settings.source(collector).schedule.interval()
    age = now - finished_at
    if age <= 2 * interval:
        return None
    return (
        f"facts for {scope} from {collector} are stale: collected {human_age(age)} ago, "
        f"expected every {human_age(interval)}"
    )


@dataclass(frozen=True)
class ScopeState:
    """What the evaluation knows about one collector's scope."""

    collector: str
    scope: str
    run: Run | None  # the latest ok/partial Run, if any
    last_error: str | None  # error of a later failed Run, or of the only Runs
    stale_reason: str | None = None
    # Kinds whose listing in `run` was incomplete, read from an earlier complete Run instead.
    carried: Mapping[str, Run] = field(default_factory=dict, compare=False)

    @property
    def usable(self) -> bool:
        return self.run is not None

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return run_gaps(self.run) if self.run is not None else ()

    def incomplete(self, kind: str) -> str | None:
        """Why the population of `kind` in this scope is incomplete (a listing gap nothing
        was carried forward for), or None when it is complete."""
        if kind in self.carried:
            return None
        return next((gap.reason for gap in self.gaps if gap.incomplete(kind)), None)


def _latest_runs(
    session: Session, collectors: list[str]
) -> tuple[dict[tuple[str, str], Run], dict[tuple[str, str], Run]]:
    """The latest usable (ok/partial) Run and the latest Run of any status, per scope."""
    usable = (
        select(func.max(Run.id))
        .where(col(Run.collector).in_(collectors), col(Run.status).in_(("ok", "partial")))
        .group_by(col(Run.collector), col(Run.scope))
    )
    latest = (
        select(func.max(Run.id))
        .where(col(Run.collector).in_(collectors))
        .group_by(col(Run.collector), col(Run.scope))
    )
    usable_runs = session.exec(select(Run).where(col(Run.id).in_(usable))).all()
    latest_runs = session.exec(select(Run).where(col(Run.id).in_(latest))).all()
    return (
        {(r.collector, r.scope): r for r in usable_runs},
        {(r.collector, r.scope): r for r in latest_runs},
    )


def discovery_scope(collector: str) -> str:
    """The pseudo-scope of a collector's discovery Run (listing its accounts and regions)."""
    return f"{collector}{DISCOVERY}"


def _listed_scopes(session: Session, usable: dict[tuple[str, str], Run]) -> dict[str, set[str]]:
    """Per collector, the scopes its latest successful discovery listed."""
    runs = {
        r.id: collector for (collector, scope), r in usable.items() if scope == discovery_scope(collector)
    }
    listed: dict[str, set[str]] = {collector: set() for collector in runs.values()}
    if runs:
        rows = session.exec(select(Fact.run_id, Fact.key).where(col(Fact.run_id).in_(list(runs))))
        for run_id, key in rows:
            listed[runs[run_id]].add(key)
    return listed


def scope_states(
    session: Session, settings: Settings, collectors: list[str], now: datetime
) -> list[ScopeState]:
    """Every scope that counts: listed by its collector's latest successful discovery (when
    there is one), with its latest usable Run, last error and staleness."""
    usable, latest = _latest_runs(session, collectors)
    listed = _listed_scopes(session, usable)
    states = []
    for (collector, scope), last in sorted(latest.items()):
        if scope.endswith(DISCOVERY):
            continue
        if collector in listed and scope not in listed[collector]:
            continue  # no longer listed: a removed account or region
        run = usable.get((collector, scope))
        error = last.error if last.status == "failed" else None
        stale = stale_reason(settings, collector, scope, run.finished_at, now) if run else None
        states.append(ScopeState(collector, scope, run, error, stale))
    return states


def human_age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
