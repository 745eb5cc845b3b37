"""The RabbitMQ server on this machine for the task-queue tests: its URL (the tests are
skipped, saying why, when it is unreachable) and a throwaway queue name per test."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pika
import pytest

RABBITMQ_URL = os.environ.get("VAULTWARD_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _reachable(url: str) -> bool:
    parameters = pika.URLParameters(url)
    try:
        socket.create_connection((parameters.host, parameters.port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def rabbitmq_url() -> str:
    if not _reachable(RABBITMQ_URL):
        pytest.skip(f"RabbitMQ is not reachable at {RABBITMQ_URL} (./dev.sh test starts it)")
    return RABBITMQ_URL


@pytest.fixture
def queue_name(rabbitmq_url: str) -> Iterator[str]:
    """A queue of this test's own; it and Dramatiq's delay and dead-letter queues are
    deleted afterwards."""
    name = f"vaultward_test_{uuid.uuid4().hex[:10]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    try:
        channel = connection.channel()
        for queue in (name, f"{name}.DQ", f"{name}.XQ"):
            channel.queue_delete(queue)
    finally:
        connection.close()
