"""The monotonicity property (issue 15): losing data can only lower a score or turn findings
`unknown`. A clean evaluation is compared with one over a faulty collection:

- scores: no check, mitigation or overall score may rise. A score present in the clean
  evaluation that the faulty one leaves unmeasured (None) counts as risen: it can only
  happen when findings turned `skipped` or vanished, which the finding rule forbids, and a
  check dropping out of a weighted mean can raise the mean;
- findings: every (check, scope, resource) the clean evaluation mentions is mentioned again
  (under that scope, or else under any scope),
  each with a status no better: the faulty status is the clean one, `unknown` or `fail`
  (so a fail never becomes pass or skipped, a pass never becomes skipped, an unknown never
  becomes pass). Where the faulty evaluation mentions a resource twice, every mention must
  obey this.

UNSEEN: a collection that failed, or left a listing incomplete, stored in a fresh store (no
earlier complete Run of the source to carry forward) leaves resources the product never
read. It cannot name them: a failed scope is one `unknown` finding per check, a partial one
mentions only what it read. Such an evaluation is held to "no score risen, no finding
better" (every check over a population of unknown size waits, `unknown`, so its score is
0); only the findings it cannot name are counted apart. After a clean Run every rule applies.

Faulty collections are recorded once and replayed into each store history (`Recorded`), so
a fault costs one collection and one evaluation per history.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from vaultward.config.settings import Settings
from vaultward.contract.records import Record
from vaultward.contract.sdk import Collector, Problem, Scope
from vaultward.pipeline.collection import run_scope
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.gaps import Gap
from vaultward.pipeline.registry import Registry
from vaultward.store.db import make_engine, open_store
from vaultward.store.models import CheckScore, Evaluation, Finding, MitigationScore

# The key under which a pytest-xdist worker hands the report's lines to the controller.
REPORT_LINES = "monotonicity_report_lines"
# Fields that say when a collection ran, left out when two collections' records are compared.
COLLECTION_TIME = ("as_of", "covers_from", "covers_to")

EPSILON = 1e-9


@dataclass
class Recorded:
    """What one collection of one scope yielded, and how it ended; replayed as a collector so
    the same faulty collection is stored into several store histories."""

    name: str
    produces: tuple[type[Record], ...]
    scope: Scope
    items: list[Record | Problem]
    error: BaseException | None = None

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        yield from self.items
        if self.error is not None:
            raise self.error

    @property
    def outcome(self) -> str:
        """How run_scope will end it, roughly: failed, partial or ok."""
        if self.error is not None and not any(isinstance(i, Record) for i in self.items):
            return "failed"
        if self.error is not None or any(isinstance(i, Problem) for i in self.items):
            return "partial"
        return "ok"

    def records(self) -> list[tuple[str, str]]:
        return sorted((i.kind, i.key) for i in self.items if isinstance(i, Record))


def record(collector: Collector, scope: Scope) -> Recorded:
    items: list[Record | Problem] = []
    error: BaseException | None = None
    try:
        for item in collector.collect(scope):
            items.append(item)
    except Exception as raised:  # run_scope's own handling decides what it means
        error = raised
    return Recorded(collector.name, tuple(collector.produces), scope, items, error)


def records_may_be_missing(recorded: Recorded) -> bool:
    """Whether the collection failed or left a listing incomplete (some records never read),
    rather than leaving only fields unknown."""
    if recorded.error is not None:
        return True
    return any(Gap.from_problem(item).listing for item in recorded.items if isinstance(item, Problem))


def store(recorded: Recorded, engine: Engine) -> str:
    return run_scope(engine, recorded, recorded.scope).status  # type: ignore[arg-type]


class Stores:
    """SQLite stores copied from one migrated template file (fast: no migration per case)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        open_store(f"sqlite:///{self.template}").dispose()
        self.count = 0

    def copy(self, source: Path | None = None) -> tuple[Path, Engine]:
        self.count += 1
        path = self.folder / f"store-{self.count}.db"
        shutil.copy(source or self.template, path)
        return path, make_engine(f"sqlite:///{path}")


@dataclass(frozen=True)
class Snapshot:
    overall: float | None
    mitigations: dict[str, float | None]
    checks: dict[str, float | None]
    findings: dict[tuple[str, str, str], list[str]]  # (check, scope, resource) -> statuses


def evaluate_snapshot(settings: Settings, engine: Engine, registry: Registry) -> Snapshot:
    summary = evaluate(settings, engine, registry)
    with Session(engine) as session:
        evaluation = session.get(Evaluation, summary.evaluation_id)
        assert evaluation is not None
        checks = session.exec(select(CheckScore).where(CheckScore.evaluation_id == evaluation.id)).all()
        mitigations = session.exec(
            select(MitigationScore).where(MitigationScore.evaluation_id == evaluation.id)
        ).all()
        findings: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for check_id, scope, resource, status in session.exec(
            select(Finding.check_id, Finding.scope, Finding.resource, Finding.status).where(
                Finding.evaluation_id == evaluation.id
            )
        ):
            findings[(check_id, scope, resource)].append(status)
    return Snapshot(
        evaluation.overall_score,
        {m.mitigation: m.score for m in mitigations},
        {c.check_id: c.score for c in checks},
        dict(findings),
    )


def _rose(before: float | None, after: float | None) -> bool:
    if before is None:
        return False  # unmeasured before: any number is no rise over "no evidence"
    return after is None or after > before + EPSILON


def allowed(before: str, after: str) -> bool:
    """A faulty status is no better than the clean one: the same, unknown or fail."""
    return after in (before, "unknown", "fail")


@dataclass
class Comparison:
    risen: list[str] = field(default_factory=list)  # scores that rose (or vanished)
    better: list[str] = field(default_factory=list)  # findings with a better status
    vanished: list[str] = field(default_factory=list)  # findings no longer mentioned
    scores: int = 0  # scores compared

    @property
    def violations(self) -> list[str]:
        return self.risen + self.better + self.vanished


def compare(clean: Snapshot, faulty: Snapshot) -> Comparison:
    result = Comparison()
    pairs = [("overall", clean.overall, faulty.overall)]
    pairs += [(f"mitigation {m}", s, faulty.mitigations.get(m)) for m, s in clean.mitigations.items()]
    pairs += [(f"check {c}", s, faulty.checks.get(c)) for c, s in clean.checks.items()]
    for name, before, after in pairs:
        result.scores += 1
        if _rose(before, after):
            result.risen.append(f"{name} rose: {before} -> {after}")
    by_resource: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (check, _scope, resource), statuses in faulty.findings.items():
        by_resource[(check, resource)] += statuses
    for key, statuses in clean.findings.items():
        assert len(statuses) == 1, f"the clean evaluation mentions {key} {len(statuses)} times"
        # The same resource under another scope is the same mention (an unreadable Safe is
        # reported under its chain's scope by checks that judge wallets without one).
        after = faulty.findings.get(key) or by_resource.get((key[0], key[2]))
        if not after:
            result.vanished.append(f"{key} ({statuses[0]}) vanished")
            continue
        worse = [status for status in after if not allowed(statuses[0], status)]
        if worse:
            result.better.append(f"{key}: {statuses[0]} -> {', '.join(sorted(worse))}")
    return result


@dataclass
class SourceFigures:
    faults: int = 0  # faulty collections
    evaluations: int = 0  # faulty evaluations compared with the clean one
    scores_compared: int = 0
    scores_risen: int = 0
    findings_better: int = 0
    findings_vanished: int = 0
    # Fresh store, records never read (UNSEEN above): counted apart.
    unseen_evaluations: int = 0
    unseen_scores_risen: int = 0
    unseen_findings_unnamed: int = 0
    runs: list[str] = field(default_factory=list)  # each fault and how its Run ended
    awaiting_decision: list[str] = field(default_factory=list)  # AWAITING_DECISION's violations
    outcomes: Counter[str] = field(default_factory=Counter)  # ok / partial / failed Runs
    # ok Runs whose records differ from the clean collection's: loss nobody was told of
    silent_losses: list[str] = field(default_factory=list)

    def add(self, comparison: Comparison) -> None:
        self.evaluations += 1
        self.scores_compared += comparison.scores
        self.scores_risen += len(comparison.risen)
        self.findings_better += len(comparison.better)
        self.findings_vanished += len(comparison.vanished)

    def add_unseen(self, comparison: Comparison) -> None:
        self.unseen_evaluations += 1
        self.scores_compared += comparison.scores
        self.unseen_scores_risen += len(comparison.risen)
        self.unseen_findings_unnamed += len(comparison.vanished)
        self.findings_better += len(comparison.better)

    def to_json(self) -> dict[str, Any]:
        return {
            "faults_injected": self.faults,
            "evaluations_compared": self.evaluations + self.unseen_evaluations,
            "scores_compared": self.scores_compared,
            "scores_risen": self.scores_risen,
            "findings_better": self.findings_better,
            "findings_vanished": self.findings_vanished,
            "fresh_records_never_read": {
                "evaluations": self.unseen_evaluations,
                "scores_risen": self.unseen_scores_risen,
                "findings_unnamed": self.unseen_findings_unnamed,
            },
            "runs": dict(sorted(self.outcomes.items())),
            "silent_losses": self.silent_losses,
            "awaiting_decision": self.awaiting_decision,
            "faults": self.runs,
        }


class Report:
    """Per source figures, printed at the session's end and written as JSON."""

    def __init__(self) -> None:
        self.sources: dict[str, SourceFigures] = defaultdict(SourceFigures)

    def lines(self) -> list[str]:
        lines = [
            "monotonicity: source, faults injected, evaluations compared, scores compared, "
            "scores risen, findings better, findings vanished, runs; then, fresh store with records "
            "never read (evaluations, scores risen, findings unnamed)"
        ]
        for name, f in sorted(self.sources.items()):
            runs = " ".join(f"{k}={v}" for k, v in sorted(f.outcomes.items()))
            lines.append(
                f"  {name:<30} {f.faults:>4} {f.evaluations + f.unseen_evaluations:>5} {f.scores_compared:>7} "
                f"{f.scores_risen:>3} {f.findings_better:>3} {f.findings_vanished:>3}  {runs}; "
                f"{f.unseen_evaluations} {f.unseen_scores_risen} {f.unseen_findings_unnamed}"
            )
            lines += [f"    ok run lost records silently: {loss}" for loss in f.silent_losses]
            lines += [f"    awaiting a decision: {violation}" for violation in f.awaiting_decision]
        return lines

    def write(self, path: Path) -> None:
        data = {name: figures.to_json() for name, figures in sorted(self.sources.items())}
        path.write_text(json.dumps(data, indent=2) + "\n")


def _is_clean(collection: Recorded, clean: dict[str, list[Recorded]]) -> bool:
    return any(collection is kept for kept in clean.get(collection.name, ()))


def _comparable(collections: list[Recorded]) -> list[tuple[str, str, dict]]:
    rows = []
    for collection in collections:
        for item in collection.items:
            if isinstance(item, Record):
                data = item.data()
                for name in COLLECTION_TIME:
                    data.pop(name, None)
                rows.append((item.kind, item.key, data))
    return sorted(rows, key=lambda row: (row[0], row[1]))


@dataclass
class Histories:
    """The clean estate's store and evaluation, and the two histories a faulty collection is
    stored into: fresh (every other source's clean Runs, none of this source) and after the
    clean Run (the baseline store)."""

    settings: Settings
    registry: Registry
    stores: Stores | None  # SQLite copies; None: `rebuild` empties one store per history
    clean: dict[str, list[Recorded]] = field(default_factory=dict)  # source -> a Recorded per scope
    baseline_store: Path = Path()
    baseline: Snapshot | None = None
    fresh: dict[str, Path] = field(default_factory=dict)
    rebuild: Callable[[], Engine] | None = None  # an emptied store (PostgreSQL)

    def start(self, clean: dict[str, list[Recorded]]) -> None:
        self.clean = clean
        for collections in clean.values():
            for collection in collections:
                assert collection.outcome == "ok", (
                    f"{collection.name} {collection.scope.id}: {collection.error}"
                )
        path, engine = self._history(None)
        self.baseline = evaluate_snapshot(self.settings, engine, self.registry)
        engine.dispose()
        self.baseline_store = path

    def _history(self, without: str | None) -> tuple[Path, Engine]:
        """A store holding every clean Run but `without`'s: on SQLite a copy of a file built
        once per history; otherwise the clean Runs replayed into the emptied store."""
        if self.stores is not None:
            if without is None and self.baseline is not None:
                return self.stores.copy(self.baseline_store)
            if without is not None and without in self.fresh:
                return self.stores.copy(self.fresh[without])
            path, engine = self.stores.copy()
        else:
            assert self.rebuild is not None
            path, engine = Path(), self.rebuild()
        for name, collections in self.clean.items():
            if name != without:
                for collection in collections:
                    assert store(collection, engine) == "ok"
        if self.stores is not None and without is not None:
            engine.dispose()
            self.fresh[without] = path
            return self.stores.copy(path)
        return path, engine

    def judge(
        self,
        source: str,
        description: str,
        collections: list[Recorded],
        figures: SourceFigures,
        awaiting: bool = False,
    ) -> list[str]:
        """Store the faulty collections in both histories, evaluate each once and compare with
        the baseline; the violations, each named with the fault and history."""
        assert self.baseline is not None
        figures.faults += 1
        violations: list[str] = []
        statuses: list[str] = []
        judged: list[tuple[bool, Comparison]] = []  # (unseen, comparison) per history
        for history in ("fresh", "after a clean run"):
            _, engine = self._history(source if history == "fresh" else None)
            try:
                statuses = [store(collection, engine) for collection in collections]
                faulty = evaluate_snapshot(self.settings, engine, self.registry)
            finally:
                engine.dispose()
            comparison = compare(self.baseline, faulty)
            # Records never read and nothing to carry forward (UNSEEN in the module docstring):
            # a better status or a risen score is a violation; unnamed findings are counted apart.
            unseen = history == "fresh" and any(records_may_be_missing(c) for c in collections)
            judged.append((unseen, comparison))
            found = comparison.better + comparison.risen if unseen else comparison.violations
            violations += [f"{description} [{history}]: {v}" for v in found]
        faulted = [s for s, c in zip(statuses, collections, strict=True) if not _is_clean(c, self.clean)]
        figures.outcomes.update(faulted)
        figures.runs.append(f"{description}: {', '.join(faulted)}")
        if awaiting:
            assert violations, f"{description} no longer violates: remove it from AWAITING_DECISION"
            figures.awaiting_decision += violations
            figures.evaluations += len(judged)
            return []
        for unseen, comparison in judged:
            (figures.add_unseen if unseen else figures.add)(comparison)
        if set(statuses) == {"ok"} and _comparable(collections) != _comparable(self.clean[source]):
            figures.silent_losses.append(description)
        return violations
