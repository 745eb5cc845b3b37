"""Bounded retries with exponential backoff and jitter, shared by every outbound request:
SaaS collection (`collectors/http_api.py`) and deliveries (report uploads, e-mail, alert
webhooks). One wait function honours what a server asks (`Retry-After`, a rate-limit reset
header); a failure is retried, then reported, never dropped."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import RetryCallState, RetryError, Retrying, stop_after_attempt, wait_exponential_jitter

from vaultward.contract import redaction

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT = 60.0  # seconds: the longest backoff, and the longest server-requested wait honoured
# Vendors' rate-limit reset headers: epoch seconds (Okta; CrowdStrike's X-RateLimit-RetryAfter
# on a 429), or seconds until the reset (some).
RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "x-ratelimit-retryafter")
_EPOCH = 1_000_000_000  # a reset value above this is epoch seconds, below it seconds from now


class GaveUp(Exception):
    """Every attempt failed; the message names what and the last error (redacted)."""

    def __init__(self, what: str, attempts: int, error: BaseException) -> None:
        self.what, self.attempts, self.error = what, attempts, error
        reason = redaction.redact(f"{type(error).__name__}: {error}")
        super().__init__(f"{what}: failed after {attempts} attempt(s): {reason}")


def reset_wait(value: str | None, now: float) -> float | None:
    """Seconds until a rate-limit reset header's moment (epoch seconds, or seconds from now)."""
    if value is None or not value.strip().replace(".", "", 1).isdigit():
        return None
    number = float(value)
    return max(0.0, number - now) if number > _EPOCH else number


def server_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a server asks to wait before the next try: `Retry-After` (seconds or an HTTP
    date), else a rate-limit reset header; None when it says neither."""
    now = time.time() if now is None else now
    retry_after = headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for name in RESET_HEADERS:
        wait = reset_wait(headers.get(name), now)
        if wait is not None:
            return wait
    return None


def backoff_or_server_wait(
    initial_wait: float, max_wait: float = MAX_WAIT
) -> Callable[[RetryCallState], float]:
    """The one wait between attempts: what the server asked when the failed attempt's error
    carries a `retry_after` (seconds; bounded by `max_wait`), else exponential backoff
    (`initial_wait`, doubled each attempt, plus up to half of `initial_wait` of jitter, at
    most `max_wait`). The server's answer is honoured as given, never stretched by backoff."""
    backoff = wait_exponential_jitter(
        multiplier=initial_wait, max=max(initial_wait, max_wait), jitter=initial_wait / 2
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, int | float) and asked > 0:
            return min(float(asked), max_wait)
        return backoff(state)

    return wait


def with_retries(action: Callable[[], T], *, what: str, attempts: int, initial_wait: float = 1.0) -> T:
    """`action()`, retried up to `attempts` times in all; `GaveUp` when none succeeds. An
    error with a `retry_after` attribute (seconds) waits that long before the next try."""

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s); retrying",
            what,
            state.attempt_number,
            redaction.redact(f"{type(error).__name__}: {error}"),
        )

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=backoff_or_server_wait(initial_wait),
        before_sleep=log_retry,
        reraise=False,
    )
    try:
        return retrying(action)
    except RetryError as error:
        last = error.last_attempt.exception()
        assert last is not None
        raise GaveUp(what, attempts, last) from last
