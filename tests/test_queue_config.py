"""The `[queue]` section: off by default, the broker URL from the environment first, and
the broker password masked wherever it could be logged."""

from __future__ import annotations

import logging

import pytest

from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract import redaction


def test_without_a_queue_section_there_is_no_broker(monkeypatch):
    monkeypatch.delenv("VAULTWARD_BROKER_URL", raising=False)
    settings = parse_settings({})
    assert settings.queue.effective_broker_url() is None
    assert (settings.queue.queue_name, settings.queue.worker_threads) == ("vaultward", 4)


def test_the_environment_wins_over_the_file(monkeypatch):
    settings = parse_settings({"queue": {"broker_url": "amqp://vw@file-host:5672/"}})
    monkeypatch.delenv("VAULTWARD_BROKER_URL", raising=False)
    assert settings.queue.effective_broker_url() == "amqp://vw@file-host:5672/"
    monkeypatch.setenv("VAULTWARD_BROKER_URL", "amqp://vw:pw@env-host:5672/")
    assert settings.queue.effective_broker_url() == "amqp://vw:pw@env-host:5672/"


@pytest.mark.parametrize(
    ("queue", "message"),
    [
        ({"broker_url": "redis://127.0.0.1:6379"}, "expected an AMQP URL"),
        ({"queue_name": "has space"}, "letters, digits"),
        ({"worker_threads": 0}, "worker_threads"),
        ({"claim_seconds": 1}, "claim_seconds"),
        ({"brokerurl": "amqp://x"}, "brokerurl"),
    ],
)
def test_mistakes_are_named(queue, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings({"queue": queue})


def test_the_broker_password_is_masked(monkeypatch, caplog):
    monkeypatch.setenv("VAULTWARD_BROKER_URL", "amqp://vaultward:Rabbit-Secret-42@mq.internal:5672/vw")
    redactor = redaction.configure()
    # Quoted without its URL (a driver's message), and in another URL form.
    assert "Rabbit-Secret-42" not in redactor("ACCESS_REFUSED for password Rabbit-Secret-42")
    assert redactor("amqps://vw:other-pass-99@mq:5671/") == f"amqps://vw:{redaction.MASK}@mq:5671/"
    logger = logging.getLogger("vaultward.test_queue_config")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(redaction.RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.error("broker %s unreachable", "amqp://vaultward:Rabbit-Secret-42@mq.internal:5672/vw")
    finally:
        logger.removeHandler(handler)
        redaction.configure()
    assert "Rabbit-Secret-42" not in records[0].getMessage()


def test_a_queue_worker_without_a_broker_says_what_is_missing(tmp_path):
    from tests.test_cli import vaultward

    config = tmp_path / "vaultward.toml"
    config.write_text("[store]\ndatabase_url = 'sqlite:///" + str(tmp_path / "store.db") + "'\n")
    env = {"VAULTWARD_BROKER_URL": "", "VAULTWARD_DATABASE_URL": ""}
    result = vaultward("--config", str(config), "queue-worker", env=env)
    assert result.returncode == 2
    assert "no task queue: set [queue] broker_url or $VAULTWARD_BROKER_URL" in result.stderr
