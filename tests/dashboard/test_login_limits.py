"""Failed logins: limited per client address (an IPv6 one by its /64) with a doubling wait, per
role only by a short slow-down of addresses that failed half their limit themselves; an
anonymous flood never holds back the admin who mistyped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vaultward.config.login_limits import (
    FIRST_WAIT,
    ROLE_FACTOR,
    ROLE_WAIT_CAP,
    LoginLimiter,
    address_key,
    backoff,
)

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


def test_the_role_wide_count_only_slows_addresses_that_failed_half_their_limit_themselves():
    limiter = LoginLimiter(10, timedelta(minutes=15))
    for n in range(10 * ROLE_FACTOR):  # many addresses, one failure each: none over its own limit
        limiter.failed("admin", f"10.0.0.{n}", T0)
    for _ in range(5):
        limiter.failed("admin", "10.9.9.9", T0)  # half its limit: slowed by the flood
    slowed = limiter.wait("admin", "10.9.9.9", T0 + S)
    assert timedelta(0) < slowed <= ROLE_WAIT_CAP  # slowed by seconds, never locked
    assert limiter.wait("admin", "10.0.0.1", T0 + S) == timedelta(0)  # one failure: not at all
    assert limiter.wait("viewer", "10.9.9.9", T0 + S) == timedelta(0)  # the other role: not at all
    assert limiter.wait("admin", "203.0.113.9", T0 + S) == timedelta(0)  # a clean address: not at all
    assert limiter.wait("admin", "10.9.9.9", T0 + S + ROLE_WAIT_CAP) == timedelta(0)


def test_a_flood_from_500_addresses_never_holds_back_an_admin_who_mistyped_once_or_twice():
    limiter = LoginLimiter(5, timedelta(minutes=15))
    limiter.failed("admin", "203.0.113.9", T0)  # the real admin's typo
    limiter.failed("admin", "203.0.113.10", T0)  # and another admin's two
    limiter.failed("admin", "203.0.113.10", T0)
    for tick in range(600):  # ten minutes, a failure a second, rotating through 500 addresses
        now = T0 + tick * S
        limiter.failed("admin", f"10.2.{tick % 500 // 250}.{tick % 250}", now)
        assert limiter.wait("admin", "203.0.113.9", now + S / 2) == timedelta(0)
        assert limiter.wait("admin", "203.0.113.10", now + S / 2) == timedelta(0)
    for _ in range(3):
        limiter.failed("admin", "198.51.100.7", T0 + 600 * S)
    assert limiter.wait("admin", "198.51.100.7", T0 + 601 * S) > timedelta(0)  # three failures: slowed


def test_an_ipv6_host_counts_as_its_64():
    limiter = LoginLimiter(3, timedelta(minutes=15))
    for n in range(3):  # three addresses of one /64: one address's failures
        limiter.failed("admin", f"2001:db8:1:2::{n + 1:x}", T0)
    assert limiter.wait("admin", "2001:db8:1:2:ffff::9", T0 + S) == FIRST_WAIT - S
    assert limiter.wait("admin", "2001:db8:1:3::1", T0 + S) == timedelta(0)  # the next /64: free
    assert address_key("::ffff:198.51.100.7") == address_key("198.51.100.7")
    assert address_key("2001:db8:1:2::1") == "address 2001:db8:1:2::/64"
    assert address_key("not an address") == "address not an address"


def test_a_try_is_counted_before_its_password_is_compared_and_taken_back_if_right():
    limiter = LoginLimiter(3, timedelta(minutes=15))
    tries = [limiter.attempt("admin", "198.51.100.7", T0) for _ in range(5)]  # sent at once
    assert tries[:3] == [None] * 3 and tries[3] == tries[4] == FIRST_WAIT  # only three get through
    assert limiter.attempt("viewer", "203.0.113.9", T0) is None
    limiter.succeeded("viewer", "203.0.113.9", T0)  # right: it counts for nothing
    for second in range(2):
        assert limiter.attempt("viewer", "203.0.113.9", T0 + second * S) is None
    assert limiter.wait("viewer", "203.0.113.9", T0 + 2 * S) == timedelta(0)  # two failures: free
    limiter.succeeded("viewer", "203.0.113.9", T0 + S)
    assert limiter.attempt("viewer", "203.0.113.9", T0 + 2 * S) is None
    assert limiter.attempt("viewer", "203.0.113.9", T0 + 3 * S) is None  # the third failure
    assert limiter.attempt("viewer", "203.0.113.9", T0 + 4 * S) == FIRST_WAIT - S
