"""Sending one alert notice to Slack (incoming webhook), a generic JSON webhook or e-mail,
each with bounded retries. Webhook URLs and header secrets come from the environment and
never appear in messages, logs or the store."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from vaultward.config.settings import Settings
from vaultward.contract.redaction import redact
from vaultward.contract.retry import GaveUp, server_wait, with_retries
from vaultward.ops.mail import build_message, send_mail

log = logging.getLogger(__name__)
WEBHOOK_SCHEMA_VERSION = "1"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_SLACK_TEXT = 2900  # a section block's text may hold 3000 characters
ICONS = {"opened": ":rotating_light:", "recovered": ":white_check_mark:"}


@dataclass(frozen=True)
class Notice:
    """One message about one alert: it opened, or it recovered."""

    key: str
    kind: str
    state: Literal["opened", "recovered"]
    title: str
    message: str
    severity: str
    mitigation: str | None
    link: str
    evaluation_id: int
    at: datetime
    evidence: dict[str, Any] = field(default_factory=dict)

    def heading(self) -> str:
        return self.title if self.state == "opened" else f"Recovered: {self.title}"


class RetryableAnswer(Exception):
    """The receiver asked to try again (429 or 5xx); `retry_after` in seconds if it said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChannelError(Exception):
    """The channel cannot be used as configured (e.g. its URL variable is unset)."""


def slack_escape(text: str) -> str:
    """Text shown literally in Slack mrkdwn: &, < and > are its control characters, so a
    resource named `<!channel>` or `<https://evil|click>` can neither ping nor link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace("&", "&amp;")
    return f"<{safe}|{slack_escape(label)}>"


def _fit(text: str, limit: int) -> str:
    """`text` escaped, shortened (never inside an entity) to at most `limit` characters."""
    escaped = slack_escape(text)
    while len(escaped) > limit:
        text = text[: max(0, len(text) - (len(escaped) - limit) - 1)]
        escaped = slack_escape(text) + "…"
    return escaped


def slack_payload(notice: Notice) -> dict[str, Any]:
    """An incoming-webhook message: `text` is the notification fallback, `blocks` the layout."""
    heading = f"{ICONS[notice.state]} *{slack_escape(notice.heading())}*"
    body = _fit(notice.message, MAX_SLACK_TEXT - len(heading))
    context = f"severity {notice.severity}"
    if notice.mitigation:
        context += f" · {notice.mitigation}"
    context += f" · evaluation {notice.evaluation_id} at {notice.at:%Y-%m-%d %H:%M} UTC"
    link = _slack_link(notice.link, "Open in Vaultward")
    return {
        "text": f"{heading}\n{body}\n{link}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{heading}\n{body}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(context)}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": link}},
        ],
    }


def webhook_payload(notice: Notice) -> dict[str, Any]:
    """The generic webhook's JSON object (schema version 1; see the README's Alerts section)."""
    return {
        "schema_version": WEBHOOK_SCHEMA_VERSION,
        "kind": notice.kind,
        "key": notice.key,
        "state": notice.state,
        "title": notice.heading(),
        "message": notice.message,
        "severity": notice.severity,
        "mitigation": notice.mitigation,
        "link": notice.link,
        "evaluation_id": notice.evaluation_id,
        "at": notice.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "evidence": notice.evidence,
    }


def _post(client: httpx.Client, url: str, payload: dict[str, Any], headers: dict[str, str]) -> str | None:
    """POST once: None when accepted (2xx); the reason when retrying cannot help (other 4xx);
    `RetryableAnswer` for 429 and 5xx; httpx errors (timeouts, refused) propagate and retry."""
    response = client.post(url, json=payload, headers=headers)
    if response.is_success:
        return None
    answer = redact(response.text.strip()[:200]) or response.reason_phrase
    reason = f"HTTP {response.status_code} {answer}"
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableAnswer(reason, server_wait(response.headers))
    return reason


def _variable(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ChannelError(f"{what}: ${name} is not set")
    return value


def _send_http(
    what: str, url: str, payload: dict[str, Any], headers: dict[str, str], attempts: int, initial_wait: float
) -> None:
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        reason = with_retries(
            lambda: _post(client, url, payload, headers),
            what=what,
            attempts=attempts,
            initial_wait=initial_wait,
        )
    if reason is not None:
        raise ChannelError(f"{what}: {reason}")


def send_slack(settings: Settings, notice: Notice, initial_wait: float = 1.0) -> None:
    config = settings.alerts.slack
    assert config is not None
    url = _variable(config.webhook_url_env, "slack")
    _send_http("slack", url, slack_payload(notice), {}, settings.alerts.max_attempts, initial_wait)


def send_webhook(settings: Settings, notice: Notice, initial_wait: float = 1.0) -> None:
    config = settings.alerts.webhook
    assert config is not None
    url = _variable(config.url_env, "webhook")
    headers = {name: _variable(variable, "webhook") for name, variable in config.headers_env.items()}
    _send_http("webhook", url, webhook_payload(notice), headers, settings.alerts.max_attempts, initial_wait)


def email_text(notice: Notice) -> str:
    lines = [notice.heading(), "", notice.message, "", f"Severity: {notice.severity}"]
    if notice.mitigation:
        lines.append(f"Mitigation: {notice.mitigation}")
    lines += [
        f"Evaluation: {notice.evaluation_id} at {notice.at:%Y-%m-%d %H:%M} UTC",
        f"Dashboard: {notice.link}",
    ]
    return "\n".join(lines) + "\n"


def send_email(settings: Settings, notice: Notice, initial_wait: float = 1.0) -> None:
    smtp, config = settings.smtp, settings.alerts.email
    assert smtp is not None and config is not None
    subject = "[Vaultward] " + " ".join(notice.heading().split())  # no line breaks in a header
    message = build_message(smtp, config.to, subject, email_text(notice))
    with_retries(
        lambda: send_mail(smtp, message),
        what="e-mail",
        attempts=settings.alerts.max_attempts,
        initial_wait=initial_wait,
    )


SENDERS = {"slack": send_slack, "webhook": send_webhook, "email": send_email}


def deliver(
    settings: Settings, notice: Notice, channels: list[str], initial_wait: float = 1.0
) -> dict[str, str | None]:
    """Send `notice` to each channel: channel -> None when accepted, else the (redacted)
    reason it was not. Never raises: a failed alert must not stop the worker."""
    results: dict[str, str | None] = {}
    for channel in channels:
        try:
            SENDERS[channel](settings, notice, initial_wait)
            results[channel] = None
        except (ChannelError, GaveUp) as error:
            results[channel] = redact(str(error))
        except Exception as error:  # an unexpected bug in one channel must not stop the others
            results[channel] = redact(f"{channel}: {type(error).__name__}: {error}")
        if results[channel] is not None:
            log.error("alert %s (%s) not delivered: %s", notice.key, notice.state, results[channel])
    return results
