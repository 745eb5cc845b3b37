"""Helpers for check authors: run a check over hand-made records, no database needed.

from vaultward.testing import run_check, statuses
assert statuses(my_check, [Identity(key="a", source="okta", mfa_enrolled=False)]) == {"a": "fail"}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from vaultward.config import Policy
from vaultward.records import Record
from vaultward.sdk import CheckContext, Result


def run_check(
    function: Callable[[CheckContext], Iterable[Result]],
    records: Iterable[Record],
    policy: Policy | None = None,
    now: datetime | None = None,
) -> list[Result]:
    """The results a check yields over `records`, as the evaluation would compute them."""
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    return list(function(CheckContext(by_kind, policy or Policy(), now or datetime.now(UTC))))


def statuses(
    function: Callable[[CheckContext], Iterable[Result]], records: Iterable[Record], **kwargs
) -> dict[str, str]:
    """{resource: status}; fails if the check judged a resource twice."""
    results = run_check(function, records, **kwargs)
    resources = [result.resource for result in results]
    duplicates = sorted({r for r in resources if resources.count(r) > 1})
    if duplicates:
        raise AssertionError(f"the check judged these resources more than once: {duplicates}")
    return {result.resource: result.status for result in results}
