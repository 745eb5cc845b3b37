"""What the sign-in log tests read out of one collection: its `SigninLog` and its events by key."""

from __future__ import annotations

from vaultward.contract.records import SigninEvent, SigninLog


def the_log(records) -> SigninLog:
    [log] = [r for r in records if isinstance(r, SigninLog)]
    return log


def events(records) -> dict[str, SigninEvent]:
    return {r.key: r for r in records if isinstance(r, SigninEvent)}
