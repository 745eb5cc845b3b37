"""Helpers for check authors: run a check over hand-made records, no database needed.

from vaultward.contract.testing import run_check, statuses
assert statuses(my_check, [Identity(key="a", source="okta", mfa_enrolled=False)]) == {"a": "fail"}

`evaluate_check` goes one step further and applies what the evaluation adds around a check:
"no data" when nothing was collected, `unknown` when the facts are stale, `waived` where a
live waiver covers a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from vaultward.config.policy import Policy
from vaultward.contract.records import Record
from vaultward.contract.sdk import CheckContext, CheckSpec, Result
from vaultward.store.models import Run, Waiver

CheckFunction = Callable[[CheckContext], Iterable[Result]]
FIXTURES = "fixtures"


def _context(records: Iterable[Record], policy: Policy | None, now: datetime | None) -> CheckContext:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    return CheckContext(by_kind, policy or Policy(), now or datetime.now(UTC))


def run_check(
    function: CheckFunction,
    records: Iterable[Record],
    policy: Policy | None = None,
    now: datetime | None = None,
) -> list[Result]:
    """The results a check yields over `records`, before the evaluation's adjustments."""
    return list(function(_context(records, policy, now)))


def statuses(function: CheckFunction, records: Iterable[Record], **kwargs) -> dict[str, str]:
    """{resource: status}; fails if the check judged a resource twice."""
    results = run_check(function, records, **kwargs)
    resources = [result.resource for result in results]
    duplicates = sorted({r for r in resources if resources.count(r) > 1})
    if duplicates:
        raise AssertionError(f"the check judged these resources more than once: {duplicates}")
    return {result.resource: result.status for result in results}


def evaluate_check(
    function: CheckFunction,
    records: Iterable[Record],
    policy: Policy | None = None,
    now: datetime | None = None,
    waivers: Iterable[Waiver] = (),
    stale: bool = False,
) -> list[Result]:
    """The findings the evaluation would store for a decorated check over `records`, as if
    one source had collected them (`stale=True`: long enough ago to be stale)."""
    from vaultward.pipeline.evidence import Evidence
    from vaultward.pipeline.freshness import ScopeState
    from vaultward.pipeline.judging import judge

    spec: CheckSpec | None = getattr(function, "check", None)
    if spec is None:
        raise TypeError(f"{function.__name__} is not decorated with @check")
    records = list(records)
    context = _context(records, policy, now)
    states = []
    for scope in sorted({record.scope or FIXTURES for record in records}):
        run = Run(id=0, collector=FIXTURES, scope=scope, status="ok", started_at=context.now)
        reason = f"facts for {scope} are stale" if stale else None
        states.append(ScopeState(FIXTURES, scope, run, None, reason))
    evidence = Evidence(states, {})
    judged, problem = judge(spec, context, evidence, {FIXTURES: set(spec.kinds)}, list(waivers))
    if problem:
        raise AssertionError(problem)
    return [result for result, _ in judged]
