"""Alerts where they run: after `vaultward evaluate` and after each evaluation in the worker,
sent once per change to a loopback webhook."""

from __future__ import annotations

import threading
import time

from sqlalchemy import insert
from sqlmodel import Session, select

from tests.factories import add_run, make_identity
from tests.fake_collectors import registry_with
from tests.test_cli import vaultward
from vaultward.config.settings import parse_settings
from vaultward.ops.scheduler import run_worker
from vaultward.store.models import AlertState, Evaluation, Fact, utcnow

HOOK = "/hooks/vaultward"
FAILING = [
    "check_failing:access.console_user_mfa",
    "check_failing:access.person_without_mfa",
]


def _seed_identity_without_mfa(engine) -> None:
    """An aws_iam Run collected just now with one console user without MFA."""
    identity = make_identity(mfa_enrolled=False, name="<!channel>")
    with Session(engine) as session, session.begin():
        run = add_run(session, "aws_iam", identity.scope, started_at=utcnow())
        session.execute(
            insert(Fact),
            [
                {
                    "run_id": run.id,
                    "kind": identity.kind,
                    "key": identity.key,
                    "scope": identity.scope,
                    "data": identity.data(),
                }
            ],
        )


def test_evaluate_command_alerts_once_then_not_again(engine, database_url, tmp_path, webhook_receiver):
    _seed_identity_without_mfa(engine)
    config = tmp_path / "vaultward.toml"
    config.write_text('[alerts]\nseverities = ["high"]\n\n[alerts.webhook]\n')
    env = {"VAULTWARD_DATABASE_URL": database_url, "VAULTWARD_ALERT_WEBHOOK_URL": webhook_receiver.url(HOOK)}

    first = vaultward("--config", str(config), "evaluate", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-2:] == [
        "alert sent to webhook: High check failing: Every identity that can sign in with a password "
        "has MFA (access.console_user_mfa)",
        "alert sent to webhook: High check failing: Every person has MFA in at least one identity "
        "source (access.person_without_mfa)",
    ]
    assert sorted(r.json()["key"] for r in webhook_receiver.to(HOOK)) == FAILING
    by_key = {r.json()["key"]: r.json() for r in webhook_receiver.to(HOOK)}
    assert by_key[FAILING[0]]["evidence"]["resources"] == ["<!channel>"]

    second = vaultward("--config", str(config), "evaluate", env=env)
    assert second.returncode == 0, second.stderr
    assert "alert" not in second.stdout
    assert len(webhook_receiver.requests) == 2
    with Session(engine) as session:
        assert len(session.exec(select(Evaluation)).all()) == 2
        assert sorted(r.key for r in session.exec(select(AlertState)) if r.notified_at) == FAILING


def test_evaluate_without_a_channel_records_no_alert(engine, database_url, webhook_receiver):
    _seed_identity_without_mfa(engine)
    result = vaultward("evaluate", env={"VAULTWARD_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "alert" not in result.stdout
    with Session(engine) as session:
        assert session.exec(select(AlertState)).all() == []


def test_worker_alerts_once_across_repeated_evaluations(engine, webhook_receiver, monkeypatch):
    monkeypatch.setenv("VAULTWARD_ALERT_WEBHOOK_URL", webhook_receiver.url(HOOK))
    settings = parse_settings(
        {
            "sources": {"static": {"schedule": "1s"}},
            # a 1 s schedule makes facts stale after 2 s: keep this test about checks
            "alerts": {"webhook": {}, "stale_sources": False, "severities": ["high"]},
        }
    )
    registry = registry_with({"aws:111111111111": [make_identity(mfa_enrolled=False)]})
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(settings, engine, registry, stop), daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with Session(engine) as session:
            if len(session.exec(select(Evaluation)).all()) >= 3:
                break
        time.sleep(0.2)
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive()
    with Session(engine) as session:
        assert len(session.exec(select(Evaluation)).all()) >= 3
    assert sorted(r.json()["key"] for r in webhook_receiver.to(HOOK)) == FAILING
