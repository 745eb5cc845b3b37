"""Runs a check over hand-made records, as the evaluation would."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from tests.factories import NOW
from vaultward.config import Policy
from vaultward.records import Record
from vaultward.sdk import CheckContext, Result


def run(function, records: list[Record], policy: Policy | None = None, now: datetime = NOW) -> list[Result]:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    return list(function(CheckContext(by_kind, policy or Policy(), now)))


def statuses(function, records: list[Record], **kwargs) -> dict[str, str]:
    results = run(function, records, **kwargs)
    assert len({r.resource for r in results}) == len(results), "one result per resource"
    return {result.resource: result.status for result in results}
