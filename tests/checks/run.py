"""The built-in checks' tests use the same helper plugin authors get (`vaultward.contract.testing`),
pinned to the factories' reference time."""

from __future__ import annotations

from datetime import datetime

from tests.factories import NOW
from vaultward.config.policy import Policy
from vaultward.contract import testing
from vaultward.contract.records import Record
from vaultward.contract.sdk import Result


def run(function, records: list[Record], policy: Policy | None = None, now: datetime = NOW) -> list[Result]:
    return testing.run_check(function, records, policy, now)


def statuses(
    function, records: list[Record], policy: Policy | None = None, now: datetime = NOW
) -> dict[str, str]:
    return testing.statuses(function, records, policy=policy, now=now)


def with_incomplete_listing(
    function, records: list[Record], kind: str, policy: Policy | None = None, now: datetime = NOW
) -> list[Result]:
    """The findings the evaluation stores when one scope's listing of `kind` broke off (a page
    failed) with nothing complete to carry forward: what the checks learn of it through the
    pipeline (vaultward/pipeline/evidence.py), not from the records."""
    from vaultward.pipeline.evidence import Evidence
    from vaultward.pipeline.freshness import ScopeState
    from vaultward.pipeline.judging import judge
    from vaultward.store.models import Run

    spec = function.check
    context = testing._context(records, policy, now)
    states = []
    for scope in sorted({record.scope or testing.FIXTURES for record in records}):
        gaps = [{"reason": "page 3 refused (503)", "kinds": [kind]}]
        run = Run(id=0, collector=testing.FIXTURES, scope=scope, status="partial", started_at=now, gaps=gaps)
        states.append(ScopeState(testing.FIXTURES, scope, run, None))
    judged, problem = judge(spec, context, Evidence(states, {}), {testing.FIXTURES: set(spec.kinds)}, [])
    assert not problem, problem
    return [result for result, _ in judged]
