"""Bounded retries with exponential backoff and jitter for outbound deliveries (report
uploads, e-mail, alert webhooks): a failure is retried, then reported, never dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, RetryError, Retrying, stop_after_attempt, wait_exponential_jitter

from vaultward.contract import redaction

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT = 60.0  # seconds: the longest backoff, and the longest server-requested wait honoured


class GaveUp(Exception):
    """Every attempt failed; the message names what and the last error (redacted)."""

    def __init__(self, what: str, attempts: int, error: BaseException) -> None:
        self.what, self.attempts, self.error = what, attempts, error
        reason = redaction.redact(f"{type(error).__name__}: {error}")
        super().__init__(f"{what}: failed after {attempts} attempt(s): {reason}")


def _wait(initial_wait: float) -> Callable[[RetryCallState], float]:
    """Exponential backoff with jitter; at least the `retry_after` seconds an error carries
    (a server's Retry-After), bounded by MAX_WAIT."""
    backoff = wait_exponential_jitter(
        multiplier=initial_wait, max=max(initial_wait, MAX_WAIT), jitter=initial_wait
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        hint = min(float(asked), MAX_WAIT) if isinstance(asked, int | float) and asked > 0 else 0.0
        return max(backoff(state), hint)

    return wait


def with_retries(action: Callable[[], T], *, what: str, attempts: int, initial_wait: float = 1.0) -> T:
    """`action()`, retried up to `attempts` times in all; `GaveUp` when none succeeds. An
    error with a `retry_after` attribute (seconds) waits at least that long before the next try."""

    def log_retry(state) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s); retrying",
            what,
            state.attempt_number,
            redaction.redact(f"{type(error).__name__}: {error}"),
        )

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=_wait(initial_wait),
        before_sleep=log_retry,
        reraise=False,
    )
    try:
        return retrying(action)
    except RetryError as error:
        last = error.last_attempt.exception()
        assert last is not None
        raise GaveUp(what, attempts, last) from last
