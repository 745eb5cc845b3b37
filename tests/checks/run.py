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
