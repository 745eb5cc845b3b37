"""What an evaluation may judge: the latest usable facts of every scope, and what they
cannot back.

- Facts that are stale (older than twice the source's schedule interval) back no verdict.
- A listing a Run left incomplete (see vaultward/pipeline/gaps.py) never shrinks a population: the
  records of that kind are carried forward from the scope's last complete, still fresh
  Run (under the newer records' keys, marked with their age), or else every check reading
  the kind turns `unknown`: for that scope with the gap as the reason, and everywhere else
  too, since a share over part of a population of unknown size can exceed the true one.
  A scope that never collected successfully is such a part as well.
- A configured resource a collector could not read is `unknown` in every check reading its
  kind, never absent.
- A scope that never collected successfully is one `unknown` finding per check.
Missing evidence is never a pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from vaultward.config.settings import Settings
from vaultward.contract.records import RECORD_KINDS, Record
from vaultward.contract.sdk import CheckSpec, Result
from vaultward.pipeline.freshness import ScopeState, human_age, scope_states, stale_reason
from vaultward.pipeline.gaps import Unreadable, run_gaps
from vaultward.pipeline.registry import Registry
from vaultward.store.models import Fact, Run

FACT_BATCH = 5_000  # facts read per round-trip
EARLIER_RUNS = 20  # how far back a complete listing is looked for


@dataclass
class Evidence:
    states: list[ScopeState]
    records: dict[str, list[Record]]
    problems: list[str] = field(default_factory=list)  # facts that do not validate
    # (scope, key) of records carried forward -> when the Run they come from finished.
    carried: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def field_gaps(self) -> dict[tuple[str, str], dict[str, str]]:
        """(scope, kind) -> field -> why a failed request left it unknown."""
        gaps: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        for state in self.states:
            for gap in state.gaps:
                for kind, name in gap.unknown_fields():
                    gaps[(state.scope, kind)].setdefault(name, gap.reason)
        return dict(gaps)

    @property
    def unreadable(self) -> list[Unreadable]:
        return self.records.get(Unreadable.kind, [])  # type: ignore[return-value]


def _rows(session: Session, query) -> Iterable:
    # Streamed in batches, so a large organisation's raw rows never sit in memory beside their
    # records (a server-side cursor on PostgreSQL); Core rows, since the ORM's per-row
    # bookkeeping was a third of the load at 100,000 identities.
    return session.connection().execute(query.execution_options(yield_per=FACT_BATCH))


class _Loader:
    """Validates fact rows into typed records, sharing the fields-set of each shape."""

    def __init__(self) -> None:
        self.records: dict[str, list[Record]] = defaultdict(list)
        self.problems: list[str] = []
        self.keys: set[tuple[str, str, str]] = set()  # (kind, scope, key) loaded
        self._field_sets: dict[frozenset[str], set[str]] = {}

    def add(self, kind: str, key: str, scope: str, data: dict) -> bool:
        cls = RECORD_KINDS.get(kind)
        if cls is None:
            return False  # a kind whose plugin is not installed here
        try:
            record = cls.model_validate({**data, "key": key, "scope": scope})
        except ValidationError as error:
            self.problems.append(
                f"fact {kind} {key} in {scope} does not validate: {error.error_count()} errors"
            )
            return False
        # Pydantic keeps a set of the fields given per instance, some 700 bytes: records of
        # a kind share one (a fifth of the evaluation's memory at 100,000 identities). Records
        # are frozen, so the set never changes; model_copy copies it before any update.
        given = record.model_fields_set
        object.__setattr__(
            record, "__pydantic_fields_set__", self._field_sets.setdefault(frozenset(given), given)
        )
        self.records[kind].append(record)
        self.keys.add((kind, scope, key))
        return True


def load_records(session: Session, states: list[ScopeState]) -> Evidence:
    """Typed records of the chosen Runs, by kind, with what each state carries forward;
    facts that fail validation are reported."""
    loader = _Loader()
    evidence = Evidence(states, loader.records, loader.problems)
    run_ids = [state.run.id for state in states if state.run is not None]
    if run_ids:
        query = select(Fact.kind, Fact.key, Fact.scope, Fact.data).where(col(Fact.run_id).in_(run_ids))
        for kind, key, scope, data in _rows(session, query):
            loader.add(kind, key, scope, data)
    for state in states:
        for kind, earlier in state.carried.items():
            older = select(Fact.key, Fact.scope, Fact.data).where(
                Fact.run_id == earlier.id, Fact.kind == kind
            )
            for key, scope, data in _rows(session, older):
                if (kind, scope, key) not in loader.keys and loader.add(kind, key, scope, data):
                    assert earlier.finished_at is not None
                    evidence.carried[(scope, key)] = earlier.finished_at
    return evidence


def earlier_runs(session: Session, run: Run) -> list[Run]:
    """The usable Runs of `run`'s scope before it, newest first: where a complete listing
    is looked for (EARLIER_RUNS of them at most)."""
    return list(
        session.exec(
            select(Run)
            .where(
                Run.collector == run.collector,
                Run.scope == run.scope,
                col(Run.status).in_(("ok", "partial")),
                col(Run.id) < run.id,
            )
            .order_by(col(Run.id).desc())
            .limit(EARLIER_RUNS)
        ).all()
    )


def _carry_forward(session: Session, settings: Settings, state: ScopeState, now: datetime) -> ScopeState:
    """The state with, for each kind its Run's listing left incomplete, the latest earlier
    Run of the scope whose listing of that kind was complete and is still fresh."""
    run = state.run
    if run is None or not any(gap.listing for gap in state.gaps):
        return state
    earlier = earlier_runs(session, run)
    kinds = set(run.counts) | {kind for gap in state.gaps for kind in gap.kinds}
    kinds |= {kind for prev in earlier for kind in prev.counts}
    carried: dict[str, Run] = {}
    for kind in sorted(kinds):
        if state.incomplete(kind) is None:
            continue
        for prev in earlier:
            if stale_reason(settings, state.collector, state.scope, prev.finished_at, now):
                break  # the older ones are staler still
            if not any(gap.incomplete(kind) for gap in run_gaps(prev)):
                carried[kind] = prev
                break
    return replace(state, carried=carried) if carried else state


def latest_facts(
    session: Session, settings: Settings, now: datetime, collectors: list[str] | None = None
) -> Evidence:
    """The scope states of the collectors (default: every collector with a Run in the store)
    and the typed records of their latest usable Runs, with complete populations carried
    forward over incomplete listings. The evaluation and the dashboard's inventory pages
    read facts through here."""
    return load_records(session, current_states(session, settings, now, collectors))


def current_states(
    session: Session, settings: Settings, now: datetime, collectors: list[str] | None = None
) -> list[ScopeState]:
    """Every scope's state as the evaluation judges it: its latest usable Run, staleness, and
    the earlier complete Runs carried forward over its incomplete listings."""
    if collectors is None:
        collectors = sorted(session.exec(select(Run.collector).distinct()).all())
    return [
        _carry_forward(session, settings, s, now) for s in scope_states(session, settings, collectors, now)
    ]


def producers(settings: Settings, registry: Registry) -> dict[str, set[str]]:
    """The record kinds each collector produces: as configured for enabled sources (a
    generic collector narrows its kinds to its endpoints), as declared for the others."""
    enabled = set(settings.enabled_sources(registry.collectors))
    produced = {}
    for name, cls in registry.collectors.items():
        kinds = cls(settings).produces if name in enabled else cls.produces
        produced[name] = {kind.kind for kind in kinds}
    return produced


def _why_not_current(
    spec: CheckSpec, states: list[ScopeState], producers: Mapping[str, set[str]]
) -> str | None:
    """Why evidence from these scopes cannot back a pass or a fail, or None if it can."""
    for state in states:
        if state.stale_reason:
            return state.stale_reason
    for state in states:
        for kind in sorted(set(spec.kinds) & producers.get(state.collector, set())):
            reason = state.incomplete(kind)
            if reason:
                return (
                    f"the {kind} listing of {state.scope} was incomplete ({reason}) and no earlier "
                    "complete one is fresh enough to carry forward; this check needs every one"
                )
    return None


def _unknown_population(
    spec: CheckSpec, states: list[ScopeState], producers: Mapping[str, set[str]]
) -> str | None:
    """Why part of the check's population is unknown in size: a scope never collected, or a
    listing left incomplete with nothing to carry forward. Its score then rests on no
    number: any share of what was read could be above the true one, so every verdict of the
    check waits (unknown) until the population is known again."""
    for state in states:
        if not state.usable:
            return f"{state.scope} has never been collected successfully ({state.last_error})"
        for kind in sorted(set(spec.kinds) & producers.get(state.collector, set())):
            reason = state.incomplete(kind)
            if reason:
                return f"the {kind} listing of {state.scope} is incomplete ({reason})"
    return None


def _carried_note(result: Result, collected: datetime, now: datetime) -> Result:
    evidence = {**result.evidence, "carried_forward_from": collected.isoformat()}
    reason = (
        f"{result.reason} (carried forward from the complete listing of {human_age(now - collected)} ago: "
        "the latest listing was incomplete)"
    )
    return replace(result, reason=reason, evidence=evidence)


def apply_evidence(
    spec: CheckSpec,
    results: list[Result],
    evidence: Evidence,
    producers: Mapping[str, set[str]],
    now: datetime,
) -> list[Result]:
    """Turn results unknown where their scope's evidence is stale or incomplete, mark those
    resting on carried-forward records, and add an unknown result for every unreadable
    resource of a kind the check reads and every relevant scope that never collected."""
    relevant = [s for s in evidence.states if producers.get(s.collector, set()) & set(spec.kinds)]
    by_scope = {s.scope: s for s in relevant}
    # A result about one scope depends on that scope; one that names no scope (a summary over
    # everything the check read) depends on all of them. Judged once per scope, not per result.
    reasons = {scope: _why_not_current(spec, [state], producers) for scope, state in by_scope.items()}
    overall = _why_not_current(spec, relevant, producers)
    unknown_part = _unknown_population(spec, relevant, producers)
    waiting = f"not scored while part of this check's population is unknown: {unknown_part}"
    adjusted = []
    for result in results:
        reason = reasons.get(result.scope) if result.scope else overall
        if not reason and unknown_part:
            reason = waiting
        # A verdict needs current, complete facts: "not applicable" is one too.
        if reason and result.status in ("pass", "fail", "skipped"):
            kept = {**result.evidence, "status_if_fresh": result.status, "original_reason": result.reason}
            result = replace(result, status="unknown", reason=reason, evidence=kept)
        elif (result.scope, result.resource) in evidence.carried:
            result = _carried_note(result, evidence.carried[(result.scope, result.resource)], now)
        adjusted.append(result)
    for missing in evidence.unreadable:
        if missing.of_kind in spec.kinds:
            adjusted.append(
                Result(
                    resource=missing.key,
                    status="unknown",
                    reason=f"{missing.of_kind} {missing.label} could not be read: {missing.reason}",
                    evidence={"unreadable": missing.reason},
                    resource_name=missing.label,
                    scope=missing.scope,
                )
            )
    for state in relevant:
        if not state.usable:
            adjusted.append(
                Result(
                    resource=state.scope,
                    status="unknown",
                    reason=f"no successful collection from {state.collector} for {state.scope}: {state.last_error}",
                    evidence={"collector": state.collector, "error": state.last_error},
                    resource_name=state.scope,
                    scope=state.scope,
                )
            )
    if not adjusted:
        adjusted.append(
            Result(
                resource="*",
                status="unknown",
                reason=f"no data: nothing of kind {', '.join(spec.kinds)} has been collected; connect a source that provides it",
                evidence={"kinds": list(spec.kinds)},
                resource_name="(no data)",
            )
        )
    elif all(result.status == "skipped" for result in adjusted):
        # Every record is out of the check's scope (listed as not applicable): nothing was
        # judged, which counts as no data did before those records were listed.
        adjusted.append(
            Result(
                resource="*",
                status="unknown",
                reason=f"nothing to judge: every collected {', '.join(spec.judged_kinds)} is out of this "
                "check's scope (see its not-applicable findings)",
                evidence={"kinds": list(spec.judged_kinds)},
                resource_name="(nothing to judge)",
            )
        )
    return adjusted
