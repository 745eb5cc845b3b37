"""The `[alerts]` section: the shipped example parses, mistakes name their key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from vaultward.config.settings import ConfigError, parse_settings

EXAMPLE = Path(__file__).parents[1] / "vaultward.example.toml"


def test_commented_example_alerts_section_is_valid():
    text = EXAMPLE.read_text()
    block = text[text.index("# [alerts]") :].split("\n\n", 1)[0]  # up to the next section's prose
    block = "\n".join(re.sub(r"^# ?", "", line) for line in block.splitlines())
    block = re.sub(r"\s+#[^\"\n]*$", "", block, flags=re.M)  # trailing comments
    data = tomllib.loads(block)
    settings = parse_settings({**data, "smtp": {"host": "smtp.acme.example", "sender": "v@acme.example"}})
    assert settings.alerts.channels == ["slack", "webhook", "email"]
    assert settings.alerts.webhook is not None
    assert settings.alerts.webhook.headers_env == {"Authorization": "VAULTWARD_ALERT_WEBHOOK_TOKEN"}
    assert settings.notification_secret_variables() == {
        "VAULTWARD_SMTP_PASSWORD",
        "VAULTWARD_SLACK_WEBHOOK_URL",
        "VAULTWARD_ALERT_WEBHOOK_URL",
        "VAULTWARD_ALERT_WEBHOOK_TOKEN",
    }


def test_alert_mistakes_name_the_key():
    with pytest.raises(ConfigError, match=r"alerts\.score_drop_points: Input should be greater than 0"):
        parse_settings({"alerts": {"score_drop_points": 0}})
    with pytest.raises(
        ConfigError,
        match=r"alerts\.slack\.webhook_url_env: not an environment variable name.*\(value not shown",
    ):
        parse_settings({"alerts": {"slack": {"webhook_url_env": "https://hooks"}}})
    with pytest.raises(ConfigError, match="e-mail delivery is configured but there is no \\[smtp\\] section"):
        parse_settings({"alerts": {"email": {"to": ["oncall@acme.example"]}}})
