"""One evaluation in stages: load (the latest usable facts of every scope, live waivers) ->
judge (every check, vaultward/pipeline/judging.py) -> score -> store (findings and scores in the caller's transaction).

What the facts cannot back (stale, an incomplete listing, an unreadable resource, a scope
never collected) turns the affected findings `unknown` (see vaultward/pipeline/evidence.py): missing
evidence is never a pass.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from vaultward.config.settings import Settings
from vaultward.contract.sdk import CheckSpec
from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.pipeline.evidence import latest_facts, producers
from vaultward.pipeline.inventories import store_inventories
from vaultward.pipeline.judging import Judged, Loaded, cyclic_gc_paused, judge_all
from vaultward.pipeline.orphans import reap_orphans
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import (
    CheckTally,
    MitigationTally,
    band,
    format_score,
    overall_score,
    score_mitigation,
)
from vaultward.store.db import page_cache
from vaultward.store.finding_rows import insert_findings
from vaultward.store.models import CheckScore, Evaluation, MitigationScore, Waiver, utcnow
from vaultward.store.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
FINDINGS_CACHE_MIB = 64


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


@dataclass(frozen=True)
class Scored:
    """The score stage: per mitigation and overall."""

    mitigations: list[MitigationTally]
    overall: float | None
    band: str


@dataclass(frozen=True)
class Assessment:
    """What the store stage writes: judged and scored, not yet stored."""

    started_at: datetime
    checks: Mapping[str, CheckSpec]
    judged: Judged
    scored: Scored


def load(session: Session, settings: Settings, registry: Registry, now: datetime) -> Loaded:
    """The latest usable facts of every collector's scopes and the waivers live at `now`."""
    with cyclic_gc_paused():
        evidence = latest_facts(session, settings, now, sorted(registry.collectors))
        waivers = list(session.exec(select(Waiver).where(Waiver.expires_at > now)).all())
    for problem in evidence.problems:
        log.warning(problem)
    return Loaded(evidence, waivers, producers(settings, registry))


def score(tallies: list[CheckTally], settings: Settings) -> Scored:
    """Each mitigation the weighted mean of its checks, overall that of the mitigations."""
    weights = settings.scoring.mitigation_weights
    by_mitigation: dict[str, list[CheckTally]] = defaultdict(list)
    for tally in tallies:
        by_mitigation[tally.mitigation].append(tally)
    mitigations = [
        score_mitigation(m, weights.get(m, 1.0), checks) for m, checks in sorted(by_mitigation.items())
    ]
    overall = overall_score(mitigations)
    return Scored(mitigations, overall, band(overall)[0])


def assess(settings: Settings, engine: Engine, registry: Registry, now: datetime | None = None) -> Assessment:
    """Load, judge and score: everything but the store stage (the facts are read in a
    session of their own, closed before the checks run). Runs left `running` by killed
    processes are marked failed first (their own unit of work)."""
    reap_orphans(engine)
    now = now or utcnow()
    with Session(engine) as session:
        loaded = load(session, settings, registry, now)
    judged = judge_all(loaded, settings, registry, now)
    del loaded  # only the findings are written from here on
    return Assessment(now, registry.checks, judged, score(judged.tallies, settings))


def store(session: Session, assessment: Assessment) -> EvaluationSummary:
    """The store stage: the Evaluation, its findings and its scores, in the caller's
    transaction (what the evaluation derived is stored with it here, in the same one)."""
    judged, scored, specs = assessment.judged, assessment.scored, assessment.checks
    # 64 MiB of SQLite page cache while the findings are written: they go into three indexes,
    # and beyond a cache-full of pages each insert reads the index from disk (2S evaluated in
    # 2.3x the time of S with SQLite's default 2 MiB, 2.05x with this; benchmarks/README.md).
    with cyclic_gc_paused(), page_cache(session, FINDINGS_CACHE_MIB):
        evaluation = Evaluation(
            started_at=assessment.started_at,
            finished_at=utcnow(),
            overall_score=scored.overall,
            band=scored.band,
            check_count=len(judged.tallies),
            finding_count=len(judged.findings),
            runs=judged.runs,
            problems=judged.reported,
            people=judged.people,
        )
        session.add(evaluation)
        session.flush()
        evaluation_id = evaluation.id
        assert evaluation_id is not None
        insert_findings(session.connection(), evaluation_id, judged.findings)
        store_inventories(session.connection(), evaluation_id, judged.inventories)
        if judged.tallies:
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
                        "owners": judged.owners.get(t.check_id, []),
                    }
                    for t in judged.tallies
                ],
            )
        session.add_all(
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
            for m in scored.mitigations
        )
        session.flush()
    return EvaluationSummary(
        evaluation_id,
        scored.overall,
        scored.band,
        {m.mitigation: m.score for m in scored.mitigations},
        {m.mitigation: m.measured for m in scored.mitigations},
        len(judged.findings),
        tuple(judged.reported),
        zone_conflicts=judged.zone_conflicts,
    )


def evaluate(
    settings: Settings, engine: Engine, registry: Registry, now: datetime | None = None
) -> EvaluationSummary:
    """Evaluate every registered check over the latest facts and store findings and scores,
    in a unit of work of its own. A caller that writes more in the same transaction (a
    queue round records its evaluation) runs `assess` and `store` itself."""
    assessment = assess(settings, engine, registry, now)
    with unit_of_work(engine) as session:
        summary = store(session, assessment)
    log.info(
        "evaluation %s: overall %s (%s), %d findings",
        summary.evaluation_id,
        summary.overall,
        summary.band,
        summary.findings,
    )
    return summary
