"""What the latest Run of each scope left unknown, as `vaultward status` and the dashboard's
Sources page show it: per gap, what is missing (kinds, fields, a resource), how the
evaluation treats it (carried forward, or unknown) and which checks it touches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.settings import Settings
from vaultward.contract.sdk import CheckSpec
from vaultward.pipeline.evidence import current_states, producers
from vaultward.pipeline.freshness import ScopeState, human_age
from vaultward.pipeline.gaps import Gap
from vaultward.pipeline.registry import Registry

COLUMNS = ("source", "scope", "missing", "treated as", "checks", "reason")


@dataclass(frozen=True)
class GapRow:
    collector: str
    scope: str
    missing: str  # "listing of identity", "fields identity.mfa_enforced", "custody.wallet safe:eth:0x…"
    treated_as: str  # how the evaluation judges what is missing
    checks: tuple[str, ...]
    reason: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.collector,
            self.scope,
            self.missing,
            self.treated_as,
            ", ".join(self.checks),
            self.reason,
        )


def _rows(
    state: ScopeState, gap: Gap, checks: list[CheckSpec], produced: set[str], now: datetime
) -> list[GapRow]:
    def row(missing: str, treated: str, kinds: set[str]) -> GapRow:
        touched = tuple(spec.id for spec in checks if kinds & set(spec.kinds))
        return GapRow(state.collector, state.scope, missing, treated, touched, gap.reason)

    if gap.resource:
        kind = gap.kinds[0] if gap.kinds else "resource"
        return [row(f"{kind} {gap.resource} (unreadable)", "unknown in every check reading it", {kind})]
    rows = []
    if gap.listing:
        for kind in sorted(set(gap.kinds) or produced):
            earlier = state.carried.get(kind)
            if earlier is not None and earlier.finished_at is not None:
                age = human_age(now - earlier.finished_at)
                treated = f"carried forward from the complete listing of {earlier.finished_at:%Y-%m-%d %H:%M} UTC ({age} old)"
            else:
                treated = "unknown for this scope: no earlier complete listing is fresh"
            rows.append(row(f"listing of {kind} (incomplete)", treated, {kind}))
    if gap.fields:
        kinds = {kind for kind, _ in gap.unknown_fields()}
        rows.append(row(f"fields {', '.join(gap.fields)}", "unknown in the checks that read them", kinds))
    return rows


def gap_rows(settings: Settings, engine: Engine, registry: Registry, now: datetime) -> list[GapRow]:
    """A row per gap of each scope's latest usable Run (stale scopes are unknown anyway)."""
    produced = producers(settings, registry)
    checks = sorted(registry.checks.values(), key=lambda spec: spec.id)
    with Session(engine) as session:
        states = current_states(session, settings, now, sorted(registry.collectors))
    rows = []
    for state in states:
        if state.stale_reason:
            continue
        kinds = produced.get(state.collector, set())
        for gap in state.gaps:
            rows += _rows(state, gap, checks, kinds, now)
    return rows
