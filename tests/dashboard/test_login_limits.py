"""Failed logins: limited per client address with a doubling wait, per role only by a short
slow-down of addresses that failed themselves; an anonymous flood never locks the admin out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vaultward.config.login_limits import FIRST_WAIT, ROLE_FACTOR, ROLE_WAIT_CAP, LoginLimiter, backoff

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def test_backoff_is_free_then_doubles_to_its_cap():
    cap = timedelta(minutes=15)
    waits = [backoff(n, 3, FIRST_WAIT, cap) for n in range(10)]
    assert waits[:3] == [timedelta(0)] * 3
    assert waits[3:8] == [FIRST_WAIT * 2**k for k in range(5)]  # 30 s, 1, 2, 4, 8 min...
    assert waits[8] == cap and waits[9] == cap  # ...capped at the lockout
    assert backoff(10_000, 3, FIRST_WAIT, cap) == cap


def test_an_address_waits_after_its_limit_and_each_failure_doubles_it():
    limiter = LoginLimiter(3, timedelta(minutes=15))
    assert limiter.failed("viewer", "198.51.100.7", T0) == timedelta(0)
    assert limiter.failed("admin", "198.51.100.7", T0 + S) == timedelta(0)  # any role counts
    assert limiter.failed("viewer", "198.51.100.7", T0 + 2 * S) == FIRST_WAIT
    assert limiter.wait("viewer", "198.51.100.7", T0 + 12 * S) == FIRST_WAIT - 10 * S
    assert limiter.wait("admin", "198.51.100.7", T0 + 12 * S) == FIRST_WAIT - 10 * S
    later = T0 + 2 * S + FIRST_WAIT
    assert limiter.wait("viewer", "198.51.100.7", later) == timedelta(0)  # waited it out
    assert limiter.failed("viewer", "198.51.100.7", later) == 2 * FIRST_WAIT
    assert limiter.failed("viewer", "198.51.100.7", later + 2 * FIRST_WAIT) == 4 * FIRST_WAIT
    assert limiter.wait("viewer", "203.0.113.9", later) == timedelta(0)  # another address


def test_failures_leave_the_window():
    limiter = LoginLimiter(2, timedelta(minutes=15))
    for n in range(2):
        limiter.failed("admin", "198.51.100.7", T0 + n * S)
    assert limiter.wait("admin", "198.51.100.7", T0 + 5 * S) > timedelta(0)
    assert limiter.wait("admin", "198.51.100.7", T0 + timedelta(minutes=16)) == timedelta(0)
    limiter.failed("admin", "198.51.100.7", T0 + timedelta(minutes=16))  # one in the window: free
    assert limiter.wait("admin", "198.51.100.7", T0 + timedelta(minutes=16, seconds=1)) == timedelta(0)


def test_an_anonymous_flood_never_locks_the_admin_out_from_another_address():
    limiter = LoginLimiter(5, timedelta(minutes=15))
    for n in range(500):  # one address hammering the admin role
        limiter.failed("admin", "198.51.100.7", T0 + n * S / 10)
    flood_over = T0 + 60 * S
    assert limiter.wait("admin", "198.51.100.7", flood_over) > timedelta(minutes=14)  # capped at 15
    assert limiter.wait("admin", "203.0.113.9", flood_over) == timedelta(0)  # the admin, elsewhere
    for n in range(200):  # and a botnet: each address a few tries
        limiter.failed("admin", f"10.1.{n // 200}.{n % 200}", flood_over)
    assert limiter.wait("admin", "203.0.113.9", flood_over + S) == timedelta(0)


def test_the_role_wide_count_only_slows_addresses_that_failed_themselves():
    limiter = LoginLimiter(3, timedelta(minutes=15))
    for n in range(3 * ROLE_FACTOR):  # many addresses, one failure each: none over its own limit
        limiter.failed("admin", f"10.0.0.{n}", T0)
    slowed = limiter.wait("admin", "10.0.0.1", T0 + S)
    assert timedelta(0) < slowed <= ROLE_WAIT_CAP  # slowed by seconds, never locked
    assert limiter.wait("viewer", "10.0.0.1", T0 + S) == timedelta(0)  # the other role: not at all
    assert limiter.wait("admin", "203.0.113.9", T0 + S) == timedelta(0)  # a clean address: not at all
    assert limiter.wait("admin", "10.0.0.1", T0 + S + ROLE_WAIT_CAP) == timedelta(0)
