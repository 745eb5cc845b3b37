"""Alerts after evaluations, on both stores, delivered to a loopback receiver standing in for
Slack and a generic webhook: once per change, again only after recovery, retried on failure."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import NOW, add_evaluation, add_run
from tests.loopback_webhook import Answer
from vaultward.alerting.alerts import process_alerts
from vaultward.config.settings import parse_settings
from vaultward.contract import redaction
from vaultward.store.models import AlertState

SLACK_PATH = "/services/T0000/B0000/s3cretSlackPathXyz"
HOOK_PATH = "/hooks/vaultward"
TOKEN = "Bearer hook-token-0123456789"
CHECK = "access.console_user_mfa"
CHECK_TITLE = "Every identity that can sign in with a password has MFA"


@pytest.fixture
def alerting(webhook_receiver, monkeypatch):
    """Settings alerting to Slack and a webhook on the loopback receiver; secrets in the env."""
    monkeypatch.setenv("VAULTWARD_SLACK_WEBHOOK_URL", webhook_receiver.url(SLACK_PATH))
    monkeypatch.setenv("VAULTWARD_ALERT_WEBHOOK_URL", webhook_receiver.url(HOOK_PATH))
    monkeypatch.setenv("VAULTWARD_ALERT_WEBHOOK_TOKEN", TOKEN)
    settings = parse_settings(
        {
            "dashboard": {"public_url": "https://vaultward.example.com/"},
            "alerts": {
                "slack": {},
                "webhook": {"headers_env": {"Authorization": "VAULTWARD_ALERT_WEBHOOK_TOKEN"}},
                "max_attempts": 2,
            },
        }
    )
    redaction.configure(settings.notification_secret_variables())
    yield settings
    redaction.configure()


def evaluation(engine, minutes: int, failed: int = 0, unknown: int = 0, names=(), scores=None) -> int:
    """An evaluation `minutes` after NOW: the console-MFA check (high) with these counts."""
    passed = 12 - failed - unknown
    with Session(engine) as session, session.begin():
        row = add_evaluation(
            session,
            NOW + timedelta(minutes=minutes),
            overall=70.0,
            mitigation_scores=scores or {"access": 70.0},
            check_scores=[
                {
                    "check_id": CHECK,
                    "title": CHECK_TITLE,
                    "passed": passed,
                    "failed": failed,
                    "unknown": unknown,
                },
                {"check_id": "access.access_key_age", "severity": "medium", "failed": 5},
            ],
            findings=[{"check_id": CHECK, "resource": f"arn:{n}", "resource_name": n} for n in names],
        )
        return row.id


def alert(settings, engine, evaluation_id, collectors=()):
    return process_alerts(settings, engine, evaluation_id, list(collectors), initial_wait=0)


def states(engine) -> dict[str, AlertState]:
    with Session(engine) as session:
        return {row.key: row for row in session.exec(select(AlertState))}


def test_regression_alerts_once_recovery_closes_and_a_new_regression_alerts_again(
    engine, alerting, webhook_receiver
):
    first = evaluation(engine, 0, failed=3, names=["alice", "bob", "carol"])
    [outcome] = alert(alerting, engine, first)
    assert outcome.line() == (f"alert sent to slack, webhook: High check failing: {CHECK_TITLE} ({CHECK})")
    [slack] = webhook_receiver.to(SLACK_PATH)
    [hook] = webhook_receiver.to(HOOK_PATH)
    link = f"https://vaultward.example.com/access?check={CHECK}"
    assert hook.json() == {
        "schema_version": "1",
        "kind": "check_failing",
        "key": f"check_failing:{CHECK}",
        "state": "opened",
        "title": f"High check failing: {CHECK_TITLE} ({CHECK})",
        "message": "3 of 12 resources fail: alice, bob, carol",
        "severity": "high",
        "mitigation": "access",
        "link": link,
        "evaluation_id": first,
        "at": "2026-11-23T12:00:00Z",
        "evidence": {
            "failed": 3,
            "judged": 12,
            "passed": 9,
            "unknown": 0,
            "waived": 0,
            "resources": ["alice", "bob", "carol"],
        },
    }
    assert hook.headers["authorization"] == TOKEN
    assert hook.headers["content-type"] == "application/json"
    assert slack.json()["text"] == (
        f":rotating_light: *High check failing: {CHECK_TITLE} ({CHECK})*\n"
        f"3 of 12 resources fail: alice, bob, carol\n<{link}|Open in Vaultward>"
    )
    row = states(engine)[f"check_failing:{CHECK}"]
    assert row.delivered_to == ["slack", "webhook"] and row.notified_at is not None
    assert row.opened_evaluation_id == first and row.recovered_at is None

    # the same state again: nothing new
    assert alert(alerting, engine, evaluation(engine, 10, failed=3, names=["alice"])) == []
    # unknown only cannot prove a fix: still open, still quiet
    assert alert(alerting, engine, evaluation(engine, 20, unknown=2)) == []
    assert len(webhook_receiver.requests) == 2

    fixed = evaluation(engine, 30)
    [recovered] = alert(alerting, engine, fixed)
    assert recovered.line() == f"recovery sent to slack, webhook: High check failing: {CHECK_TITLE} ({CHECK})"
    recovery = webhook_receiver.to(HOOK_PATH)[1].json()
    assert (recovery["state"], recovery["title"], recovery["message"], recovery["evaluation_id"]) == (
        "recovered",
        f"Recovered: High check failing: {CHECK_TITLE} ({CHECK})",
        "no resource fails any more (12 of 12 pass)",
        fixed,
    )
    assert recovery["at"] == "2026-11-23T12:30:00Z"
    assert webhook_receiver.to(SLACK_PATH)[1].json()["text"].startswith(":white_check_mark: *Recovered: ")
    assert states(engine)[f"check_failing:{CHECK}"].recovered_at == NOW + timedelta(minutes=30)
    assert alert(alerting, engine, evaluation(engine, 40)) == []

    again = evaluation(engine, 50, failed=1, names=["dave"])
    [reopened] = alert(alerting, engine, again)
    assert reopened.state == "opened" and len(webhook_receiver.requests) == 6
    assert webhook_receiver.to(HOOK_PATH)[2].json()["message"] == "1 of 12 resources fail: dave"
    row = states(engine)[f"check_failing:{CHECK}"]
    assert (row.opened_evaluation_id, row.recovered_at, row.delivered_to) == (
        again,
        None,
        ["slack", "webhook"],
    )


def test_score_drop_beyond_threshold_alerts_smaller_drop_does_not(engine, alerting, webhook_receiver):
    evaluation(engine, 0, scores={"access": 80.0, "custody": 90.0})
    dropped = evaluation(engine, 10, scores={"access": 79.0, "custody": 75.0})
    [outcome] = alert(alerting, engine, dropped)
    assert outcome.key == "score_drop:custody"
    body = webhook_receiver.to(HOOK_PATH)[0].json()
    assert (body["title"], body["message"], body["link"], body["severity"]) == (
        "Readiness dropped: HSM and multi-signature custody (custody)",
        "score fell 15.0 points, from 90.0 to 75.0 (alert threshold 10.0)",
        "https://vaultward.example.com/custody",
        "high",
    )
    # a small further drop then a partial rise stay within the open alert (baseline 90)
    assert alert(alerting, engine, evaluation(engine, 20, scores={"access": 79.0, "custody": 72.0})) == []
    assert alert(alerting, engine, evaluation(engine, 30, scores={"access": 79.0, "custody": 80.0})) == []
    [back] = alert(alerting, engine, evaluation(engine, 40, scores={"access": 79.0, "custody": 80.5}))
    assert (back.key, back.state) == ("score_drop:custody", "recovered")
    assert (
        webhook_receiver.to(HOOK_PATH)[1].json()["message"] == "back to 80.5 (baseline 90.0 before the drop)"
    )


def test_stale_source_alerts_once_and_recovers_when_collected_again(engine, alerting, webhook_receiver):
    with Session(engine) as session, session.begin():
        add_run(session, "aws_iam", "aws:111111111111", started_at=NOW - timedelta(hours=13))
    stale = evaluation(engine, 0)
    [outcome] = alert(alerting, engine, stale, ["aws_iam"])
    assert outcome.key == "stale:aws_iam:aws:111111111111"
    body = webhook_receiver.to(HOOK_PATH)[0].json()
    assert (body["title"], body["message"], body["link"], body["mitigation"]) == (
        "Source not current: aws_iam aws:111111111111",
        "facts for aws:111111111111 from aws_iam are stale: collected 12h ago, expected every 6h",
        "https://vaultward.example.com/sources",
        None,
    )
    assert alert(alerting, engine, evaluation(engine, 10), ["aws_iam"]) == []
    with Session(engine) as session, session.begin():
        add_run(session, "aws_iam", "aws:111111111111", started_at=NOW + timedelta(minutes=15))
    [recovered] = alert(alerting, engine, evaluation(engine, 20), ["aws_iam"])
    assert (recovered.state, len(webhook_receiver.to(HOOK_PATH))) == ("recovered", 2)
    assert webhook_receiver.to(HOOK_PATH)[1].json()["message"] == "collected successfully and fresh again"


def test_slack_429_with_retry_after_then_ok_is_delivered_once(engine, alerting, webhook_receiver):
    webhook_receiver.answers.append(Answer(429, '{"ok":false,"error":"rate_limited"}', {"Retry-After": "1"}))
    [outcome] = alert(alerting, engine, evaluation(engine, 0, failed=1))
    assert outcome.delivered == ("slack", "webhook") and outcome.failed == {}
    first, second = webhook_receiver.to(SLACK_PATH)
    assert second.at - first.at >= 1.0
    assert first.body == second.body
    assert alert(alerting, engine, evaluation(engine, 10, failed=1)) == []
    assert len(webhook_receiver.to(SLACK_PATH)) == 2


def test_slack_no_service_is_recorded_and_retried_after_the_next_evaluation(
    engine, alerting, webhook_receiver, caplog
):
    caplog.set_level(logging.INFO)
    webhook_receiver.answers.append(Answer(404, "no_service"))
    [outcome] = alert(alerting, engine, evaluation(engine, 0, failed=2))
    assert outcome.failed == {"slack": "slack: HTTP 404 no_service"} and outcome.delivered == ("webhook",)
    assert (
        outcome.line()
        == f"alert NOT sent to slack: High check failing: {CHECK_TITLE} ({CHECK}) (slack: HTTP 404 no_service)"
    )
    assert len(webhook_receiver.to(SLACK_PATH)) == 1  # a 404 is not retried within the attempt
    row = states(engine)[f"check_failing:{CHECK}"]
    assert (row.notified_at, row.delivered_to, row.delivery_error) == (
        None,
        ["webhook"],
        "slack: HTTP 404 no_service",
    )
    assert (
        f"alert check_failing:{CHECK} (opened) not delivered: slack: HTTP 404 no_service" in caplog.messages
    )

    # next evaluation: Slack only (the webhook already has it), same opening message
    [retried] = alert(alerting, engine, evaluation(engine, 10, failed=2))
    assert retried.delivered == ("slack",) and retried.failed == {}
    assert len(webhook_receiver.to(SLACK_PATH)) == 2 and len(webhook_receiver.to(HOOK_PATH)) == 1
    assert "2 of 12 resources fail" in webhook_receiver.to(SLACK_PATH)[1].json()["text"]
    row = states(engine)[f"check_failing:{CHECK}"]
    assert (
        row.notified_at is not None
        and row.delivered_to == ["slack", "webhook"]
        and row.delivery_error is None
    )
    assert alert(alerting, engine, evaluation(engine, 20, failed=2)) == []

    # secrets: never in any log line as emitted by our code, nor in the store
    secrets = ("s3cretSlackPathXyz", "hook-token-0123456789")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("vaultward")]
    assert ours and not [m for m in ours if any(s in m for s in secrets)]
    # httpx's own request lines name the URL; the worker and CLI silence them and redact
    # every line, which masks the secret values
    assert not [m for m in map(redaction.redact, caplog.messages) if any(s in m for s in secrets)]
    with Session(engine) as session:
        stored = repr([r.model_dump() for r in session.exec(select(AlertState))])
    assert not any(s in stored for s in secrets)


def test_undelivered_alert_that_recovers_closes_quietly(engine, alerting, webhook_receiver):
    webhook_receiver.answers += [Answer(410, "channel_is_archived"), Answer(403, "action_prohibited")]
    [outcome] = alert(alerting, engine, evaluation(engine, 0, failed=1))
    assert outcome.failed == {
        "slack": "slack: HTTP 410 channel_is_archived",
        "webhook": "webhook: HTTP 403 action_prohibited",
    }
    assert alert(alerting, engine, evaluation(engine, 10)) == []
    assert len(webhook_receiver.requests) == 2
    assert states(engine)[f"check_failing:{CHECK}"].recovered_at == NOW + timedelta(minutes=10)


def test_server_errors_are_retried_then_reported(engine, alerting, webhook_receiver):
    webhook_receiver.answers += [Answer(500, "rollup_error"), Answer(503, "")]  # 2 attempts for Slack
    [outcome] = alert(alerting, engine, evaluation(engine, 0, failed=1))
    assert outcome.failed == {
        "slack": "slack: failed after 2 attempt(s): RetryableAnswer: HTTP 503 Service Unavailable"
    }
    assert outcome.delivered == ("webhook",)


def test_hostile_resource_names_cannot_ping_or_link_in_slack(engine, alerting, webhook_receiver):
    names = ["<!channel>", "<https://evil.example|click here>", "a&b"]
    alert(alerting, engine, evaluation(engine, 0, failed=3, names=names))
    payload = webhook_receiver.to(SLACK_PATH)[0].json()
    escaped = "3 of 12 resources fail: &lt;!channel&gt;, &lt;https://evil.example|click here&gt;, a&amp;b"
    assert escaped in payload["text"]
    assert payload["blocks"][0]["text"]["text"].endswith(escaped)
    everything = repr(payload).replace(
        f"<https://vaultward.example.com/access?check={CHECK}|Open in Vaultward>", ""
    )
    assert "<" not in everything and ">" not in everything
    # the generic webhook carries the names as they are: JSON, not markup
    assert webhook_receiver.to(HOOK_PATH)[0].json()["evidence"]["resources"] == sorted(names)


def test_no_channel_records_and_sends_nothing(engine, webhook_receiver):
    settings = parse_settings({})
    assert process_alerts(settings, engine, evaluation(engine, 0, failed=3), []) == []
    assert states(engine) == {} and webhook_receiver.requests == []


def test_missing_webhook_url_variable_is_a_reported_failure(engine, alerting, monkeypatch, webhook_receiver):
    monkeypatch.delenv("VAULTWARD_SLACK_WEBHOOK_URL")
    [outcome] = alert(alerting, engine, evaluation(engine, 0, failed=1))
    assert outcome.failed == {"slack": "slack: $VAULTWARD_SLACK_WEBHOOK_URL is not set"}
    assert states(engine)[f"check_failing:{CHECK}"].notified_at is None


def test_a_failed_channel_is_not_tried_again_in_the_same_pass(engine, alerting, webhook_receiver):
    webhook_receiver.answers.append(Answer(404, "no_service"))
    with Session(engine) as session, session.begin():
        both = add_evaluation(
            session,
            NOW,
            overall=40.0,
            check_scores=[
                {"check_id": "access.root_mfa", "severity": "critical", "failed": 1},
                {"check_id": CHECK, "failed": 2, "passed": 1},
            ],
        ).id
    outcomes = alert(alerting, engine, both)
    assert [(o.key, o.delivered, o.failed) for o in outcomes] == [
        ("check_failing:access.console_user_mfa", ("webhook",), {"slack": "slack: HTTP 404 no_service"}),
        (
            "check_failing:access.root_mfa",
            ("webhook",),
            {"slack": "slack: not tried, it failed earlier in this pass"},
        ),
    ]
    assert len(webhook_receiver.to(SLACK_PATH)) == 1 and len(webhook_receiver.to(HOOK_PATH)) == 2


def test_the_overview_lists_open_alerts_until_they_recover(alerting, engine, database_url, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    alert(alerting, engine, evaluation(engine, 0, failed=2, names=["<b>eve</b>", "mallory"]))

    def overview() -> AppTest:
        st.cache_data.clear()
        at = AppTest.from_string(
            "from dashboard.app_pages.overview import render\nrender()\n", default_timeout=30
        ).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    at = overview()
    assert "Open alerts" in [h.value for h in at.subheader]
    table = next(d.value for d in at.dataframe if "title" in d.value.columns)
    assert list(table["severity"]) == ["high"]
    assert list(table["delivered_to"]) == ["slack, webhook"]
    assert CHECK_TITLE in table["title"][0]
    assert "1 open until they recover" in [c.value for c in at.caption]

    alert(alerting, engine, evaluation(engine, 10, failed=0))  # recovered
    at = overview()
    assert "Open alerts" not in [h.value for h in at.subheader]
