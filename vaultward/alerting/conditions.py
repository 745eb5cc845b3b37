"""What should alert after an evaluation: pure judgements of its check scores, mitigation
scores and source freshness, each key either firing (a Condition) or recovered (a Recovery).
A key with neither (e.g. a check that only has unknown results) keeps its alert as it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from vaultward.contract.redaction import redact
from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.pipeline.freshness import ScopeState
from vaultward.pipeline.scoring import format_score

SCORE_DROP_SEVERITY = "high"
STALE_SEVERITY = "medium"
MAX_ERROR_CHARS = 300


class CheckScoreLike(Protocol):
    check_id: str
    title: str
    mitigation: str
    severity: str
    passed: int
    failed: int
    unknown: int
    waived: int


@dataclass(frozen=True)
class Condition:
    """A firing alert condition and what its alert says."""

    key: str
    kind: str  # check_failing | score_drop | stale
    subject: str
    title: str
    message: str
    severity: str
    mitigation: str | None
    link_path: str  # dashboard page, for Settings.dashboard_url
    evidence: dict[str, Any] = field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        """What the alert state row keeps, so a failed notice can be sent again later."""
        return {
            "title": self.title,
            "message": self.message,
            "severity": self.severity,
            "mitigation": self.mitigation,
            "link_path": self.link_path,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Recovery:
    key: str
    message: str


Verdict = Condition | Recovery


@dataclass(frozen=True)
class Changes:
    opened: list[Condition]
    recovered: list[Recovery]


def changes(verdicts: Mapping[str, Verdict], open_keys: Iterable[str]) -> Changes:
    """One alert per change: a condition opens when it fires and is not open yet, and closes
    when it recovers; still firing (or undecided) changes nothing."""
    already = set(open_keys)
    ordered = [verdicts[key] for key in sorted(verdicts)]
    return Changes(
        opened=[v for v in ordered if isinstance(v, Condition) and v.key not in already],
        recovered=[v for v in ordered if isinstance(v, Recovery) and v.key in already],
    )


def check_verdicts(
    scores: Sequence[CheckScoreLike],
    severities: Iterable[str],
    failing_resources: Mapping[str, list[str]],
    open_keys: Iterable[str],
) -> dict[str, Verdict]:
    """`check_failing:<check>` fires while a check of these severities fails anywhere; it
    recovers when nothing fails and nothing is unknown (unknown cannot prove a fix), or when
    the check is no longer evaluated. Waived failures do not count."""
    alerting = set(severities)
    verdicts: dict[str, Verdict] = {}
    for score in scores:
        key = f"check_failing:{score.check_id}"
        judged = score.passed + score.failed + score.unknown
        if score.failed > 0 and score.severity in alerting:
            names = failing_resources.get(score.check_id, [])
            message = f"{score.failed} of {judged} resources fail"
            if names:
                more = score.failed - len(names)
                message += ": " + ", ".join(names) + (f" and {more} more" if more > 0 else "")
            verdicts[key] = Condition(
                key=key,
                kind="check_failing",
                subject=score.check_id,
                title=f"{score.severity.capitalize()} check failing: {score.title} ({score.check_id})",
                message=message,
                severity=score.severity,
                mitigation=score.mitigation,
                link_path=f"{score.mitigation}?check={score.check_id}",
                evidence={
                    "failed": score.failed,
                    "judged": judged,
                    "passed": score.passed,
                    "unknown": score.unknown,
                    "waived": score.waived,
                    "resources": list(names),
                },
            )
        elif score.failed == 0 and score.unknown == 0:
            verdicts[key] = Recovery(key, f"no resource fails any more ({score.passed} of {judged} pass)")
    evaluated = {f"check_failing:{score.check_id}" for score in scores}
    for key in open_keys:
        if key.startswith("check_failing:") and key not in evaluated:
            verdicts[key] = Recovery(key, "the check is no longer evaluated")
    return verdicts


def score_drop_verdicts(
    scores: Mapping[str, float | None],
    previous: Mapping[str, float | None],
    baselines: Mapping[str, float],
    threshold: float,
) -> dict[str, Verdict]:
    """`score_drop:<mitigation>` fires when a measured score fell by `threshold` points or
    more since the previous evaluation; the score before the drop is its baseline. It stays
    open while the score is `threshold` or more below the baseline and recovers once it is
    back within `threshold` of it. An unmeasured score (None) decides nothing."""
    verdicts: dict[str, Verdict] = {}
    for mitigation, score in sorted(scores.items()):
        if score is None:
            continue
        key = f"score_drop:{mitigation}"
        baseline = baselines.get(mitigation)
        if baseline is None:
            baseline = previous.get(mitigation)
        elif round(baseline - score, 6) < threshold:
            verdicts[key] = Recovery(
                key, f"back to {format_score(score)} (baseline {format_score(baseline)} before the drop)"
            )
            continue
        if baseline is None or round(baseline - score, 6) < threshold:
            continue
        title = MITIGATION_TITLES.get(mitigation, mitigation)
        verdicts[key] = Condition(
            key=key,
            kind="score_drop",
            subject=mitigation,
            title=f"Readiness dropped: {title} ({mitigation})",
            message=(
                f"score fell {format_score(baseline - score)} points, from {format_score(baseline)} "
                f"to {format_score(score)} (alert threshold {format_score(threshold)})"
            ),
            severity=SCORE_DROP_SEVERITY,
            mitigation=mitigation,
            link_path=mitigation,
            evidence={"baseline": baseline, "score": score, "drop": round(baseline - score, 6)},
        )
    return verdicts


def stale_verdicts(states: Iterable[ScopeState], open_keys: Iterable[str]) -> dict[str, Verdict]:
    """`stale:<collector>:<scope>` fires while a scope's facts are stale (older than twice its
    schedule interval), its latest collection failed, or it never collected successfully; it
    recovers when the scope is collected and fresh again, or is no longer collected at all."""
    verdicts: dict[str, Verdict] = {}
    for state in states:
        key = f"stale:{state.collector}:{state.scope}"
        problems = []
        if state.last_error is not None or not state.usable:
            error = redact(state.last_error or "no error recorded")[:MAX_ERROR_CHARS]
            problems.append(f"the latest collection failed: {error}")
        if state.stale_reason:
            problems.append(state.stale_reason)
        if not problems:
            verdicts[key] = Recovery(key, "collected successfully and fresh again")
            continue
        finished = state.run.finished_at if state.run is not None else None
        verdicts[key] = Condition(
            key=key,
            kind="stale",
            subject=f"{state.collector} {state.scope}",
            title=f"Source not current: {state.collector} {state.scope}",
            message="; ".join(problems) + ("" if state.usable else "; no usable facts from this scope"),
            severity=STALE_SEVERITY,
            mitigation=None,
            link_path="sources",
            evidence={
                "collector": state.collector,
                "scope": state.scope,
                "last_success": finished.isoformat() if finished else None,
                "failed": state.last_error is not None or not state.usable,
                "stale": state.stale_reason is not None,
            },
        )
    for key in open_keys:
        if key.startswith("stale:") and key not in verdicts:
            verdicts[key] = Recovery(key, "the scope is no longer collected")
    return verdicts
