"""Alert channels: e-mail through the loopback SMTP server, the Slack message's layout."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from tests.factories import NOW, add_evaluation
from vaultward.alerting.alerts import process_alerts
from vaultward.alerting.channels import Notice, slack_payload
from vaultward.config.settings import parse_settings
from vaultward.store.models import AlertState


def test_email_alert_through_smtp_and_retried_after_a_temporary_refusal(engine, smtp_server):
    settings = parse_settings(
        {
            "smtp": smtp_server.settings(),
            "dashboard": {"public_url": "https://vaultward.example.com"},
            "alerts": {"email": {"to": ["oncall@example.com"]}, "max_attempts": 2},
        }
    )
    smtp_server.refuse_next = 1  # the first attempt is answered 451, the second accepted
    with Session(engine) as session, session.begin():
        evaluation = add_evaluation(
            session,
            NOW,
            overall=50.0,
            check_scores=[
                {"check_id": "custody.multisig_threshold", "severity": "critical", "failed": 1, "passed": 1}
            ],
            findings=[{"check_id": "custody.multisig_threshold", "resource_name": "treasury\nsafe"}],
        ).id
    [outcome] = process_alerts(settings, engine, evaluation, [], initial_wait=0)
    assert outcome.delivered == ("email",)
    [message] = smtp_server.messages
    assert message["To"] == "oncall@example.com"
    assert message["Subject"] == (
        "[Vaultward] Critical check failing: Multisig threshold (custody.multisig_threshold)"
    )
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        "Critical check failing: Multisig threshold (custody.multisig_threshold)\n"
        "\n"
        "1 of 2 resources fail: treasury\nsafe\n"
        "\n"
        "Severity: critical\n"
        "Mitigation: custody\n"
        f"Evaluation: {evaluation} at 2026-11-23 12:00 UTC\n"
        "Dashboard: https://vaultward.example.com/custody?check=custody.multisig_threshold\n"
    )
    with Session(engine) as session:
        [row] = session.exec(select(AlertState)).all()
    assert row.delivered_to == ["email"] and row.notified_at is not None
    assert smtp_server.password not in repr(row.model_dump())


def test_slack_message_layout():
    notice = Notice(
        key="score_drop:custody",
        kind="score_drop",
        state="opened",
        title="Readiness dropped: HSM & multi-signature custody (custody)",
        message="score fell 15.0 points, from 90.0 to 75.0 (alert threshold 10.0)",
        severity="high",
        mitigation="custody",
        link="https://vaultward.example.com/custody?a=1&b=<2>|x",
        evaluation_id=7,
        at=NOW + timedelta(minutes=5),
    )
    link = "<https://vaultward.example.com/custody?a=1&amp;b=%3C2%3E%7Cx|Open in Vaultward>"
    heading = ":rotating_light: *Readiness dropped: HSM &amp; multi-signature custody (custody)*"
    assert slack_payload(notice) == {
        "text": f"{heading}\nscore fell 15.0 points, from 90.0 to 75.0 (alert threshold 10.0)\n{link}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{heading}\nscore fell 15.0 points, from 90.0 to 75.0 (alert threshold 10.0)",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "severity high · custody · evaluation 7 at 2026-11-23 12:05 UTC",
                    }
                ],
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": link}},
        ],
    }
    long = slack_payload(Notice(**{**notice.__dict__, "message": "<" * 5000}))
    section = long["blocks"][0]["text"]["text"]
    assert len(section) <= 3000 and section.endswith("…")
