"""The `[queue]` section: scale-out over a task queue (Dramatiq on RabbitMQ), off by default."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator

from vaultward.config.bounded import URL_LENGTH, Bounded
from vaultward.config.environment import environment
from vaultward.config.types import Strict

BROKER_URL_VARIABLE = "VAULTWARD_BROKER_URL"
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class QueueConfig(Strict):
    """Without a broker URL the worker collects by itself (one process); with one, the
    worker only enqueues and `vaultward queue-worker` processes collect."""

    # amqp://user:password@host:5672/vhost; $VAULTWARD_BROKER_URL wins (keep the password there).
    broker_url: Annotated[str, Bounded(max_length=URL_LENGTH)] | None = None
    queue_name: str = "vaultward"
    worker_threads: int = Field(default=4, ge=1, le=64)  # tasks one queue-worker runs at once
    # How long a task's claim outlives a worker that stopped renewing it (killed, cut off):
    # then another worker collects the scope again.
    claim_seconds: float = Field(default=60.0, ge=2.0, le=3600.0)
    # A source's next round waits for its previous one, unless that one is older than this
    # (its tasks were lost: dead-lettered after their retries, say).
    round_timeout_minutes: int = Field(default=240, ge=1, le=10080)

    @field_validator("broker_url")
    @classmethod
    def _amqp(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("amqp://", "amqps://")):
            raise ValueError("expected an AMQP URL like amqp://user@rabbitmq.internal:5672/vaultward")
        return value

    @field_validator("queue_name")
    @classmethod
    def _queue_name(cls, value: str) -> str:
        if not QUEUE_NAME.fullmatch(value):
            raise ValueError("letters, digits, '_', '.', '-' only (at most 100)")
        return value

    def effective_broker_url(self) -> str | None:
        """The broker to use: $VAULTWARD_BROKER_URL, else the configured one, else none."""
        return environment().BROKER_URL or self.broker_url
