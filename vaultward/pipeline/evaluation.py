"""One evaluation: the latest usable facts of every scope, every check, one transaction.

What the facts cannot back (stale, an incomplete listing, an unreadable resource, a scope
never collected) turns the affected findings `unknown` (see vaultward/pipeline/evidence.py): missing
evidence is never a pass.
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

from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from vaultward.config.settings import Settings
from vaultward.contract.records import Vpc
from vaultward.contract.redaction import redact
from vaultward.contract.sdk import CheckContext, CheckSpec, Result
from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.derived.people import census
from vaultward.derived.zones import conflict_line, zone_conflicts
from vaultward.pipeline.evidence import Evidence, apply_evidence, latest_facts, producers
from vaultward.pipeline.inventories import store_inventories, take_inventories
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import (
    CheckTally,
    band,
    format_score,
    overall_score,
    score_mitigation,
    tally_check,
)
from vaultward.store.finding_rows import insert_findings
from vaultward.store.models import CheckScore, Evaluation, MitigationScore, Waiver, utcnow

log = logging.getLogger(__name__)


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
    evidence: Evidence,
    producers: dict[str, set[str]],
    waivers: list[Waiver],
) -> tuple[list[tuple[Result, int | None]], str | None]:
    """One check's findings as the evaluation stores them: its results, made unknown where
    the evidence is stale, incomplete or missing, then waived where a live waiver covers
    them; with the waiver id of each, and the error if the check raised."""
    live = [w for w in waivers if w.check_id == spec.id and w.expires_at > context.now]
    results, problem = run_check(spec, context)
    judged = apply_evidence(spec, results, evidence, producers, context.now)
    return _apply_waivers(spec.id, judged, live), problem


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
    produced = producers(settings, registry)
    with Session(engine) as session, _cyclic_gc_paused():
        evidence = latest_facts(session, settings, now, sorted(registry.collectors))
        waivers = list(session.exec(select(Waiver).where(Waiver.expires_at > now)).all())
    states, problems = evidence.states, evidence.problems
    for problem in problems:
        log.warning(problem)

    context = CheckContext(evidence.records, settings.policy, now, evidence.field_gaps())
    conflicts = tuple(
        conflict_line(vpc, context.account_names) for vpc in zone_conflicts(context.records(Vpc))
    )
    people = census(context.people()).to_json()  # the same resolution the checks judge
    findings: list[tuple] = []  # in finding_rows.FINDING_FIELDS order
    tallies: list[CheckTally] = []
    reported = [redact(f"plugin skipped: {broken}") for broken in registry.broken] + problems
    with _cyclic_gc_paused():
        for spec in sorted(registry.checks.values(), key=lambda s: s.id):
            judged, raised = judge(spec, context, evidence, produced, waivers)
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
        inventories = take_inventories(context, findings)  # as the checks resolved them
        del context, evidence  # only the findings are written from here on

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
            people=people,
        )
        session.add(evaluation)
        session.flush()
        evaluation_id = evaluation.id
        assert evaluation_id is not None
        insert_findings(session.connection(), evaluation_id, findings)
        store_inventories(session.connection(), evaluation_id, inventories)
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
