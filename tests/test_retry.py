"""Bounded retries for deliveries: success after failures, then a clear give-up."""

from __future__ import annotations

import pytest

from vaultward.contract import redaction
from vaultward.contract.retry import GaveUp, with_retries


def test_succeeds_after_transient_failures():
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("reset by peer")
        return "sent"

    assert with_retries(flaky, what="upload", attempts=3, initial_wait=0) == "sent"
    assert len(calls) == 3


def test_gives_up_with_the_last_error_redacted(monkeypatch):
    monkeypatch.setenv("VAULTWARD_SMTP_PASSWORD", "hunter2-very-secret")
    redaction.configure(["VAULTWARD_SMTP_PASSWORD"])
    calls = []

    def broken() -> None:
        calls.append(1)
        raise OSError("login failed for hunter2-very-secret")

    with pytest.raises(GaveUp, match=r"e-mail: failed after 2 attempt\(s\): OSError") as caught:
        with_retries(broken, what="e-mail", attempts=2, initial_wait=0)
    assert len(calls) == 2
    assert "hunter2-very-secret" not in str(caught.value)
    redaction.configure()


class Throttled(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("429")
        self.retry_after = retry_after


def test_waits_at_least_the_retry_after_an_error_carries():
    import time

    calls: list[float] = []

    def throttled_once() -> str:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise Throttled(retry_after=1)
        return "sent"

    assert with_retries(throttled_once, what="slack", attempts=2, initial_wait=0) == "sent"
    assert 1.0 <= calls[1] - calls[0] < 3.0
