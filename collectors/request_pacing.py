"""Paces a SaaS source's requests to its vendor's rate limit, shared by every thread that
collects the source's scopes, so collection stays under the limit instead of earning 429s.

The steady pace is pyrate-limiter's sliding-window log: at most the limit in any minute,
and at most a sixth of it in any ten seconds (so a long collection spreads out instead of
spending a minute's budget in a burst, while a small one never waits). On top of that the
vendor's own headers are obeyed: when an answer says its window is spent
(`X-Rate-Limit-Remaining: 0`, Okta) every thread waits for `X-Rate-Limit-Reset`.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable

import httpx
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate
from pyrate_limiter.limiter import SingleBucketFactory

from vaultward.contract.sdk import Collector

# The longest a header may make the source wait; beyond it the answer is not believed
# (a reset far in the future is a broken header, and the 429 handling stays the safety net).
MAX_HOLD = 120.0
REMAINING = ("x-rate-limit-remaining", "x-ratelimit-remaining")
RESET = ("x-rate-limit-reset", "x-ratelimit-reset")


class RequestPacer:
    """One source's pace: `acquire()` before every request (retries included) blocks until
    the request fits under `per_minute` (None: no steady pace, only the vendor's headers);
    `observe(response)` reads the vendor's remaining / reset headers."""

    def __init__(self, per_minute: int | None, name: str = "source") -> None:
        self.per_minute = per_minute
        self.name = name
        self.limiter: Limiter | None = None
        if per_minute:
            rates = [Rate(per_minute, Duration.MINUTE)]
            if math.ceil(per_minute / 6) < per_minute:  # (a limit of six or fewer: a minute is all)
                rates.insert(0, Rate(math.ceil(per_minute / 6), Duration.SECOND * 10))
            bucket = InMemoryBucket(rates)
            # No background leak thread per pacer: `acquire` trims the log itself.
            self.limiter = Limiter(SingleBucketFactory(bucket, schedule_leak=False))
            self._bucket = bucket
        self._held_until = 0.0  # epoch seconds: nobody sends before (a spent vendor window)
        self._lock = threading.Lock()
        self.acquired = 0

    def acquire(
        self, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time
    ) -> None:
        """Wait for the vendor's window if a header said it is spent, then for the steady pace.
        `sleep` and `clock` are the client's (tests make the header wait instant)."""
        with self._lock:
            held = self._held_until - clock()
        if held > 0:
            sleep(min(held, MAX_HOLD))
        if self.limiter is not None:
            self.limiter.try_acquire(self.name)  # blocks; pyrate-limiter sleeps outside its lock
            with self._lock:
                self.acquired += 1
                if self.acquired % 1000 == 0:  # keep the log to the last minute or so
                    self._bucket.leak(self._bucket.now())

    def hold_until(self, moment: float) -> None:
        """No thread of this source sends before `moment` (epoch seconds)."""
        with self._lock:
            self._held_until = max(self._held_until, moment)

    def observe(self, response: httpx.Response, clock: Callable[[], float] = time.time) -> None:
        """A successful answer that says the window is spent holds every thread until its reset."""
        remaining = _header_number(response.headers, REMAINING)
        reset = _header_number(response.headers, RESET)
        if remaining is None or reset is None or remaining > 0:
            return
        now = clock()
        moment = reset if reset > 1_000_000_000 else now + reset  # epoch, or seconds until reset
        if 0 < moment - now <= MAX_HOLD:
            self.hold_until(moment)


def _header_number(headers: httpx.Headers, names: tuple[str, ...]) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


# One pacer per collector instance, for as long as it lives (a collection, a worker job).
_pacers: weakref.WeakKeyDictionary[Collector, RequestPacer] = weakref.WeakKeyDictionary()
_pacers_lock = threading.Lock()


def source_pacer(collector: Collector) -> RequestPacer:
    """The collector's pacer, made on first use and shared by the threads collecting its
    scopes (they share the source's credentials, which is what vendors count). Its rate is
    `rate_limit_per_minute` from `[sources.<name>]`, else the collector class's documented
    default (`0` turns the steady pace off; the vendor's headers are still obeyed)."""
    with _pacers_lock:
        pacer = _pacers.get(collector)
        if pacer is None:
            configured = collector.source.rate_limit_per_minute
            per_minute = configured if configured is not None else collector.rate_limit_per_minute
            pacer = _pacers[collector] = RequestPacer(per_minute or None, collector.name)
        return pacer
