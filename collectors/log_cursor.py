"""Reading an identity provider's sign-in log on from a stored cursor: the previous Run's
`SigninLog` and events (handed back as `scope.prior`) decide whether this Run may ask the
vendor only for what came since, and how the two reads make one log. Pure: no I/O.

A Run reads on only from a previous log that was complete, asked for the same event types,
began no later than this window and ends within the vendor's retention; it re-reads from
`overlap` before where that log ended, since the vendor may deliver events late, and the
new read's copy of an event wins. Anything else (no previous log, an incomplete one,
changed settings, a gap, a log older than the retention or ending in the future) reads the
whole window as a first Run does. The merged log is complete only if this Run's read is
(the previous one was, or it would not be used) and ends where this Run's read ends: data
carried forward never makes a log look more complete or fresher than this Run's read.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vaultward.contract.records import SigninEvent, SigninLog
from vaultward.contract.sdk import NO_PRIOR, Prior


@dataclass(frozen=True)
class LogCursor:
    """Where this Run reads the log from, and which of the previous Run's events it keeps:
    those of `source` from `start` on, read from `prior` lazily, one at a time, never held
    together (100,000 typed events would be some 160 MiB)."""

    start: datetime  # the window's start: the merged log covers from here
    read_from: datetime  # the earliest event time this Run asks the vendor for
    prior: Prior = NO_PRIOR  # the previous Run's facts (NO_PRIOR when reading the whole window)
    source: str = ""  # the source whose events are carried
    full_read_because: str = ""  # why the whole window is read ("" when reading on)

    @property
    def reads_on(self) -> bool:
        return self.read_from > self.start

    def carried(self) -> Iterator[SigninEvent]:
        """The previous Run's events this cursor keeps (of its source, from `start` on)."""
        if not self.reads_on:
            return
        for event in self.prior.of(SigninEvent):
            if event.source == self.source and event.at >= self.start:
                yield event

    def carried_beside(self, seen: set[str]) -> Iterator[SigninEvent]:
        """The carried events this Run's read did not return again (`seen`: its keys), each
        once; `seen` takes their keys."""
        for event in self.carried():
            if event.key not in seen:
                seen.add(event.key)
                yield event

    def carry(self, seen: set[str], scope: str | None = None) -> Generator[SigninEvent, None, int]:
        """Yield `carried_beside(seen)` (re-scoped to `scope` when given) one by one, never held
        together; returns how many, for `stamped`: `carried = yield from cursor.carry(seen)`."""
        count = 0
        for event in self.carried_beside(seen):
            count += 1
            yield event if scope is None else event.model_copy(update={"scope": scope})
        return count

    def stamped(self, log: SigninLog, carried: int) -> SigninLog:
        """`log` (this Run's read, covering from `start`) saying what was read on and carried."""
        if not self.reads_on:
            return log
        return log.model_copy(update={"read_from": self.read_from, "events_carried": carried})


def plan(
    prior: Prior,
    log_key: str,
    event_types: Sequence[str],
    start: datetime,
    now: datetime,
    *,
    retention: timedelta,
    overlap: timedelta,
) -> LogCursor:
    """This Run's cursor for the log `log_key` over [start, now]."""

    def full(why: str) -> LogCursor:
        return LogCursor(start, start, full_read_because=why)

    earlier = next((log for log in prior.of(SigninLog) if log.key == log_key), None)
    if earlier is None:
        return full("no earlier log")
    read_from = earlier.covers_to - overlap
    if not earlier.complete:
        return full("the earlier log is incomplete")
    if sorted(earlier.event_types) != sorted(event_types):
        return full("the event types asked for changed")
    if earlier.covers_from > start:
        return full("the earlier log began after this window's start (signin_log_days grew)")
    if earlier.covers_to > now:
        return full("the earlier log ends after now (the clock went back)")
    if read_from < now - retention:
        return full("the earlier log ends before the vendor's retention")
    if read_from <= start:
        return full("the earlier log ends before this window")
    return LogCursor(start, read_from, prior, earlier.source)
