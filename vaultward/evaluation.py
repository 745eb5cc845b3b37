"""One evaluation: the latest usable facts of every scope, every check, one transaction.

Facts that are stale (older than twice the source's schedule interval), partial for checks
that need the whole population, or missing because a scope never collected, turn the
affected findings `unknown`: missing evidence is never a pass.
"""

from __future__ import annotations

import fnmatch
import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from vaultward.config import Settings
from vaultward.finding_rows import insert_findings
from vaultward.freshness import ScopeState, scope_states
from vaultward.models import (
    CheckScore,
    Evaluation,
    Fact,
    MitigationScore,
    Run,
    Waiver,
    utcnow,
)
from vaultward.records import RECORD_KINDS, Record, Vpc
from vaultward.redaction import redact
from vaultward.registry import Registry
from vaultward.scoring import CheckTally, band, format_score, overall_score, score_mitigation, tally_check
from vaultward.sdk import MITIGATION_TITLES, CheckContext, CheckSpec, Result
from vaultward.zones import conflict_line, zone_conflicts

log = logging.getLogger(__name__)

FACT_BATCH = 5_000  # facts read per round-trip


@dataclass(frozen=True)
class EvaluationSummary:
    evaluation_id: int
    overall: float | None
    band: str
    scores: dict[str, float | None]
    measured: dict[str, bool]
    findings: int
    problems: tuple[str, ...] = ()
    zone_conflicts: tuple[str, ...] = ()  # VPCs whose zone rules disagree, a line each

    def lines(self) -> list[str]:
        """The summary as the CLI and the demo print it."""
        sentence = band(self.overall)[1]
        lines = [f"readiness {format_score(self.overall)}/100 ({self.band}): {sentence}"]
        for mitigation, score in self.scores.items():
            note = "" if self.measured.get(mitigation, True) else "  (no data: nothing to judge yet)"
            lines.append(
                f"  {mitigation:<13} {format_score(score):>5}  {MITIGATION_TITLES[mitigation]}{note}"
            )
        lines += [f"  reported: {problem}" for problem in self.problems]
        lines += [f"  zone conflict: {conflict}" for conflict in self.zone_conflicts]
        return lines


def load_records(session: Session, states: list[ScopeState]) -> tuple[dict[str, list[Record]], list[str]]:
    """Typed records of the chosen Runs, by kind; facts that fail validation are reported."""
    run_ids = [state.run.id for state in states if state.run is not None]
    records: dict[str, list[Record]] = defaultdict(list)
    problems: list[str] = []
    if not run_ids:
        return records, problems
    # Streamed in batches, so a large organisation's raw rows never sit in memory beside their
    # records (a server-side cursor on PostgreSQL); Core rows, since the ORM's per-row
    # bookkeeping was a third of the load at 100,000 identities.
    query = select(Fact.kind, Fact.key, Fact.scope, Fact.data).where(Fact.run_id.in_(run_ids))  # type: ignore[attr-defined]
    rows = session.connection().execute(query.execution_options(yield_per=FACT_BATCH))
    field_sets: dict[frozenset[str], set[str]] = {}
    for kind, key, scope, data in rows:
        cls = RECORD_KINDS.get(kind)
        if cls is None:
            continue  # a kind whose plugin is not installed here
        try:
            record = cls.model_validate({**data, "key": key, "scope": scope})
        except ValidationError as error:
            problems.append(f"fact {kind} {key} in {scope} does not validate: {error.error_count()} errors")
            continue
        # Pydantic keeps a set of the fields given per instance, some 700 bytes: records of
        # a kind share one (a fifth of the evaluation's memory at 100,000 identities). Records
        # are frozen, so the set never changes; model_copy copies it before any update.
        given = record.model_fields_set
        object.__setattr__(record, "__pydantic_fields_set__", field_sets.setdefault(frozenset(given), given))
        records[kind].append(record)
    return records, problems


def latest_facts(
    session: Session, settings: Settings, now: datetime, collectors: list[str] | None = None
) -> tuple[list[ScopeState], dict[str, list[Record]], list[str]]:
    """The scope states of the collectors (default: every collector with a Run in the store)
    and the typed records of their latest usable Runs, with the facts that do not validate.
    The evaluation and the dashboard's inventory pages read facts through here."""
    if collectors is None:
        collectors = sorted(session.exec(select(Run.collector).distinct()).all())
    states = scope_states(session, settings, collectors, now)
    records, problems = load_records(session, states)
    return states, records, problems


def _why_not_current(spec: CheckSpec, states: list[ScopeState]) -> str | None:
    """Why evidence from these scopes cannot back a pass or a fail, or None if it can."""
    for state in states:
        if state.stale_reason:
            return state.stale_reason
    if spec.population:
        for state in states:
            if state.run is not None and state.run.status == "partial":
                return f"collection of {state.scope} was partial ({state.run.error}); this check needs every resource"
    return None


def _apply_scope_states(
    spec: CheckSpec, results: list[Result], states: list[ScopeState], producers: dict[str, set[str]]
) -> list[Result]:
    """Turn results unknown where their scope's evidence is stale or incomplete, and add an
    unknown result for every relevant scope that never collected successfully."""
    relevant = [s for s in states if producers.get(s.collector, set()) & set(spec.kinds)]
    by_scope = {s.scope: s for s in relevant}
    # A result about one scope depends on that scope; one that names no scope (a summary over
    # everything the check read) depends on all of them. Judged once per scope, not per result.
    reasons = {scope: _why_not_current(spec, [state]) for scope, state in by_scope.items()}
    overall = _why_not_current(spec, relevant)
    adjusted = []
    for result in results:
        reason = reasons.get(result.scope) if result.scope else overall
        # A verdict needs current, complete facts: "not applicable" is one too.
        if reason and result.status in ("pass", "fail", "skipped"):
            evidence = {
                **result.evidence,
                "status_if_fresh": result.status,
                "original_reason": result.reason,
            }
            result = replace(result, status="unknown", reason=reason, evidence=evidence)
        adjusted.append(result)
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
    return adjusted


def _apply_waivers(
    check_id: str, results: list[Result], waivers: list[Waiver]
) -> list[tuple[Result, int | None]]:
    applicable = [w for w in waivers if w.check_id == check_id]
    if not applicable:
        return [(result, None) for result in results]
    out = []
    for result in results:
        waiver = next(
            (
                w
                for w in applicable
                if result.status in ("fail", "unknown")
                and fnmatch.fnmatchcase(result.resource, w.resource_pattern)
            ),
            None,
        )
        if waiver is not None:
            evidence = {
                **result.evidence,
                "status_if_not_waived": result.status,
                "waiver_reason": waiver.reason,
            }
            result = replace(result, status="waived", evidence=evidence)
        out.append((result, waiver.id if waiver else None))
    return out


def run_check(spec: CheckSpec, context: CheckContext) -> tuple[list[Result], str | None]:
    """The check's results, and why it failed if it raised: a check that raises yields one
    unknown result instead of stopping the evaluation, and is reported."""
    try:
        return spec.run(context), None
    except Exception as error:
        log.exception("check %s raised", spec.id)
        problem = redact(f"check {spec.id} ({spec.origin}) raised {type(error).__name__}: {error}")
        return [Result("*", "unknown", problem, {}, "(check error)")], problem


def judge(
    spec: CheckSpec,
    context: CheckContext,
    states: list[ScopeState],
    producers: dict[str, set[str]],
    waivers: list[Waiver],
) -> tuple[list[tuple[Result, int | None]], str | None]:
    """One check's findings as the evaluation stores them: its results, made unknown where
    the evidence is stale, incomplete or missing, then waived where a live waiver covers
    them; with the waiver id of each, and the error if the check raised."""
    live = [w for w in waivers if w.check_id == spec.id and w.expires_at > context.now]
    results, problem = run_check(spec, context)
    return _apply_waivers(spec.id, _apply_scope_states(spec, results, states, producers), live), problem


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Checks make millions of acyclic objects (records, results, evidence) at 100,000
    identities; the cyclic collector re-scanning them was 40% of the evaluation. Reference
    counting still frees everything meanwhile; cycles wait until the collector is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _producers(settings: Settings, registry: Registry) -> dict[str, set[str]]:
    """The record kinds each collector produces: as configured for enabled sources (a
    generic collector narrows its kinds to its endpoints), as declared for the others."""
    enabled = set(settings.enabled_sources(registry.collectors))
    producers = {}
    for name, cls in registry.collectors.items():
        kinds = cls(settings).produces if name in enabled else cls.produces
        producers[name] = {kind.kind for kind in kinds}
    return producers


def evaluate(
    settings: Settings,
    engine: Engine,
    registry: Registry,
    now: datetime | None = None,
    in_transaction: Callable[[Session, int], None] | None = None,
) -> EvaluationSummary:
    """Evaluate every registered check over the latest facts and store findings and scores.
    `in_transaction(session, evaluation_id)` writes more in the same transaction (a queue
    round records its evaluation: both are stored, or neither)."""
    now = now or utcnow()
    producers = _producers(settings, registry)
    with Session(engine) as session, _cyclic_gc_paused():
        states, records, problems = latest_facts(session, settings, now, sorted(registry.collectors))
        waivers = list(session.exec(select(Waiver).where(Waiver.expires_at > now)).all())
    for problem in problems:
        log.warning(problem)

    context = CheckContext(records, settings.policy, now)
    conflicts = tuple(conflict_line(vpc) for vpc in zone_conflicts(context.records(Vpc)))
    findings: list[tuple] = []  # in finding_rows.FINDING_FIELDS order
    tallies: list[CheckTally] = []
    reported = [redact(f"plugin skipped: {broken}") for broken in registry.broken] + problems
    with _cyclic_gc_paused():
        for spec in sorted(registry.checks.values(), key=lambda s: s.id):
            judged, raised = judge(spec, context, states, producers, waivers)
            if raised:
                reported.append(raised)
            tallies.append(tally_check(spec.id, spec.mitigation, spec.weight, (r.status for r, _ in judged)))
            findings += [
                (
                    spec.id,
                    spec.mitigation,
                    spec.severity,
                    result.resource,
                    result.resource_name or result.resource,
                    result.scope,
                    result.status,
                    result.reason,
                    to_jsonable_python(dict(result.evidence)),
                    waiver_id,
                )
                for result, waiver_id in judged
            ]
        del context, records  # only the findings are written from here on

    weights = settings.scoring.mitigation_weights
    by_mitigation: dict[str, list[CheckTally]] = defaultdict(list)
    for tally in tallies:
        by_mitigation[tally.mitigation].append(tally)
    mitigations = [
        score_mitigation(m, weights.get(m, 1.0), checks) for m, checks in sorted(by_mitigation.items())
    ]
    overall = overall_score(mitigations)
    band_name, _ = band(overall)

    with Session(engine) as session, session.begin(), _cyclic_gc_paused():
        evaluation = Evaluation(
            started_at=now,
            finished_at=utcnow(),
            overall_score=overall,
            band=band_name,
            check_count=len(tallies),
            finding_count=len(findings),
            runs=[s.run.id for s in states if s.run is not None and s.run.id is not None],
            problems=reported,
        )
        session.add(evaluation)
        session.flush()
        evaluation_id = evaluation.id
        assert evaluation_id is not None
        insert_findings(session.connection(), evaluation_id, findings)
        specs = registry.checks
        if tallies:
            session.connection().execute(
                insert(CheckScore),
                [
                    {
                        "evaluation_id": evaluation_id,
                        "check_id": t.check_id,
                        "mitigation": t.mitigation,
                        "title": specs[t.check_id].title,
                        "severity": specs[t.check_id].severity,
                        "weight": t.weight,
                        "score": t.score,
                        "passed": t.passed,
                        "failed": t.failed,
                        "unknown": t.unknown,
                        "waived": t.waived,
                        "skipped": t.skipped,
                        "references": list(specs[t.check_id].references),
                    }
                    for t in tallies
                ],
            )
        for m in mitigations:
            session.add(
                MitigationScore(
                    evaluation_id=evaluation_id,
                    mitigation=m.mitigation,
                    score=m.score,
                    weight=m.weight,
                    check_count=m.check_count,
                    passed=m.passed,
                    failed=m.failed,
                    unknown=m.unknown,
                    waived=m.waived,
                    measured=m.measured,
                )
            )
        if in_transaction:
            in_transaction(session, evaluation_id)
    log.info(
        "evaluation %s: overall %s (%s), %d findings",
        evaluation_id,
        overall,
        band_name,
        len(findings),
    )
    return EvaluationSummary(
        evaluation_id,
        overall,
        band_name,
        {m.mitigation: m.score for m in mitigations},
        {m.mitigation: m.measured for m in mitigations},
        len(findings),
        tuple(reported),
        zone_conflicts=conflicts,
    )
