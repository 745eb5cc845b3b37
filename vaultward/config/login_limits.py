"""Failed dashboard logins and the wait they earn (password mode).

Failures are remembered for `dashboard.lockout_minutes` in one pyrate-limiter in-memory bucket
per key, in the server process (a restart forgets them):

- **per client address**, whatever the role tried: the first `max_login_attempts` failures are
  free; from then on each failure makes that address wait, `FIRST_WAIT` after the first and
  twice as long after each further one, capped at `lockout_minutes`. The wait refuses that
  address only. A success clears nothing: knowing the viewers' password must not buy more
  guesses at the admins'.
- **per role**, from every address: past `ROLE_FACTOR` times the limit they slow that role's
  logins by at most `ROLE_WAIT_CAP`, and only from addresses that have themselves failed at
  least half their limit (and never fewer than `SLOWED_FROM` times). An anonymous flood never
  holds back the admin who mistyped once or twice.

An IPv6 address counts as its /64, which one host can usually rotate through at will.
"""

from __future__ import annotations

import ipaddress
import math
import threading
from datetime import datetime, timedelta

from pyrate_limiter import InMemoryBucket, Rate, RateItem

FIRST_WAIT = timedelta(seconds=30)
ROLE_FACTOR = 5
ROLE_WAIT_CAP = timedelta(seconds=10)
REMEMBERED = 10_000  # failures a key's bucket holds in its window (the wait is capped long before)
SLOWED_FROM = 3  # fewer own failures than this: the role-wide slow-down never applies
MAX_KEYS = 50_000  # past this many keys, those with no failure left in the window are dropped


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def address_key(address: str) -> str:
    """The key an address's failures count under: an IPv6 address's /64 (an IPv4-mapped one
    is its IPv4 address), anything else as given."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"address {address}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"address {parsed.ipv4_mapped}"
        return f"address {ipaddress.IPv6Network((parsed, 64), strict=False)}"
    return f"address {parsed}"


def backoff(failures: int, free: int, first: timedelta, cap: timedelta) -> timedelta:
    """The wait `failures` earn: none below `free`, then `first`, doubling with each further
    failure, never past `cap`."""
    if failures < free:
        return timedelta(0)
    return min(first * 2 ** min(failures - free, 40), cap)


class LoginLimiter:
    """Failed logins per client address and per role; `wait` says how long a try must wait."""

    def __init__(self, max_failures: int, lockout: timedelta) -> None:
        self.max_failures = max_failures
        self.lockout = lockout
        self._rate = Rate(REMEMBERED, int(lockout.total_seconds() * 1000))
        self._buckets: dict[str, InMemoryBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: datetime) -> InMemoryBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_idle(now)
            bucket = self._buckets[key] = InMemoryBucket([self._rate])
        bucket.leak(_ms(now))  # failures older than the window leave
        return bucket

    def _forget_idle(self, now: datetime) -> None:
        for key, bucket in list(self._buckets.items()):
            bucket.leak(_ms(now))
            if bucket.count() == 0:
                del self._buckets[key]

    def _wait(self, key: str, now: datetime, free: int, cap: timedelta) -> timedelta:
        bucket = self._bucket(key, now)
        earned = backoff(bucket.count(), free, FIRST_WAIT, cap)
        latest = bucket.peek(0)
        if not earned or latest is None:
            return timedelta(0)
        left = timedelta(milliseconds=latest.timestamp + earned / timedelta(milliseconds=1) - _ms(now))
        return max(left, timedelta(0))

    def wait(self, role: str, address: str, now: datetime) -> timedelta:
        """How long a login as `role` from `address` must wait (zero: it may try now)."""
        with self._lock:
            return self._wait_locked(role, address_key(address), now)

    def _wait_locked(self, role: str, key: str, now: datetime) -> timedelta:
        own = self._wait(key, now, self.max_failures, self.lockout)
        if self._bucket(key, now).count() < max(SLOWED_FROM, math.ceil(self.max_failures / 2)):
            return own  # a flood from elsewhere never holds back an address that barely failed
        shared = self._wait(f"role {role}", now, self.max_failures * ROLE_FACTOR, ROLE_WAIT_CAP)
        return max(own, shared)

    def attempt(self, role: str, address: str, now: datetime) -> timedelta | None:
        """Reserve one try, before the password is compared: the wait when it must wait, else
        None, and the try counts as a failure until `succeeded(role, address, now)` takes it
        back. Checking and counting under one lock: tries sent at once cannot all slip in."""
        with self._lock:
            key = address_key(address)
            wait = self._wait_locked(role, key, now)
            if wait:
                return wait
            for name in (key, f"role {role}"):
                self._bucket(name, now).put(RateItem(name, _ms(now)))
            return None

    def succeeded(self, role: str, address: str, now: datetime) -> None:
        """Take back the failure `attempt` counted at `now` for a try that was right."""
        with self._lock:
            for name in (address_key(address), f"role {role}"):
                items = self._bucket(name, now).items
                for index in range(len(items) - 1, -1, -1):
                    if items[index].timestamp == _ms(now):
                        del items[index]
                        break

    def failed(self, role: str, address: str, now: datetime) -> timedelta:
        """Count a failure; returns the wait it earned that address (zero while still free)."""
        with self._lock:
            for key in (address_key(address), f"role {role}"):
                self._bucket(key, now).put(RateItem(key, _ms(now)))
        return self.wait(role, address, now)
