"""Alerts between weekly reports: after each evaluation, open, keep or close one alert state
per condition (see alert_conditions) and notify the configured channels once per change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vaultward.alerting.channels import Notice, deliver
from vaultward.alerting.conditions import (
    Condition,
    Verdict,
    changes,
    check_verdicts,
    score_drop_verdicts,
    stale_verdicts,
)
from vaultward.config.settings import Settings
from vaultward.pipeline.freshness import scope_states
from vaultward.read.evaluations import previous_evaluation
from vaultward.read.finding_sets import failing_resources
from vaultward.read.runs import collectors_with_runs
from vaultward.read.scores import check_scores, mitigation_scores
from vaultward.store.models import AlertState, Evaluation, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertOutcome:
    """What happened to one notice: which channels accepted it and why the others did not."""

    key: str
    state: Literal["opened", "recovered"]
    title: str
    delivered: tuple[str, ...]
    failed: dict[str, str]

    def line(self) -> str:
        verb = "alert" if self.state == "opened" else "recovery"
        if not self.failed:
            return f"{verb} sent to {', '.join(self.delivered)}: {self.title}"
        reasons = "; ".join(self.failed.values())
        return f"{verb} NOT sent to {', '.join(self.failed)}: {self.title} ({reasons})"


def _measured_scores(session: Session, evaluation_id: int) -> dict[str, float | None]:
    """{mitigation: score}, None where the evaluation had no evidence for it."""
    return {row.mitigation: row.measured_score for row in mitigation_scores(session, evaluation_id)}


def judge_evaluation(
    session: Session,
    settings: Settings,
    evaluation: Evaluation,
    open_rows: dict[str, AlertState],
    collectors: list[str],
) -> dict[str, Verdict]:
    """Every condition's verdict for this evaluation (firing or recovered)."""
    assert evaluation.id is not None
    config = settings.alerts
    scores = check_scores(session, evaluation.id)
    failing = [s.check_id for s in scores if s.failed and s.severity in config.severities]
    verdicts = check_verdicts(
        scores, config.severities, failing_resources(session, evaluation.id, failing), open_rows
    )
    previous_id = previous_evaluation(session, evaluation)
    baselines = {
        row.subject: float(row.details["evidence"]["baseline"])
        for row in open_rows.values()
        if row.kind == "score_drop"
    }
    verdicts |= score_drop_verdicts(
        _measured_scores(session, evaluation.id),
        _measured_scores(session, previous_id) if previous_id is not None else {},
        baselines,
        config.score_drop_points,
    )
    if config.stale_sources:
        states = scope_states(session, settings, collectors, evaluation.started_at)
        verdicts |= stale_verdicts(states, open_rows)
    return verdicts


def _notice(
    settings: Settings,
    row: AlertState,
    state: Literal["opened", "recovered"],
    message: str,
    evaluation_id: int,
) -> Notice:
    """The notice of an alert state: `evaluation_id` is the one that opened or recovered it."""
    details = row.details
    at = row.opened_at if state == "opened" else row.recovered_at
    assert at is not None
    return Notice(
        key=row.key,
        kind=row.kind,
        state=state,
        title=details["title"],
        message=message,
        severity=details["severity"],
        mitigation=details["mitigation"],
        link=settings.dashboard_url(details["link_path"]),
        evaluation_id=evaluation_id,
        at=at,
        evidence=details["evidence"],
    )


def _open(row: AlertState | None, condition: Condition, evaluation: Evaluation) -> AlertState:
    """A new alert state, or the closed one of the same key opened again."""
    fields: dict[str, Any] = {
        "kind": condition.kind,
        "subject": condition.subject,
        "opened_at": evaluation.started_at,
        "opened_evaluation_id": evaluation.id,
        "details": condition.details(),
        "delivered_to": [],
        "notified_at": None,
        "delivery_error": None,
        "recovered_at": None,
    }
    if row is None:
        return AlertState(key=condition.key, **fields)
    for name, value in fields.items():
        setattr(row, name, value)
    return row


def record_changes(
    settings: Settings, engine: Engine, evaluation_id: int, collectors: list[str]
) -> list[tuple[int, Notice, list[str]]]:
    """Open and close alert states for this evaluation in one transaction; the notices to
    send with their row and channels: openings not yet delivered everywhere (new ones and
    earlier failures) and recoveries of alerts someone was told about."""
    channels = settings.alerts.channels
    notices: list[tuple[int, Notice, list[str]]] = []
    with Session(engine) as session, session.begin():
        evaluation = session.get(Evaluation, evaluation_id)
        if evaluation is None:
            raise ValueError(f"evaluation {evaluation_id} does not exist")
        rows = {row.key: row for row in session.exec(select(AlertState))}
        open_rows = {key: row for key, row in rows.items() if row.recovered_at is None}
        planned = changes(judge_evaluation(session, settings, evaluation, open_rows, collectors), open_rows)
        for condition in planned.opened:
            session.add(_open(rows.get(condition.key), condition, evaluation))
        for recovery in planned.recovered:
            row = open_rows.pop(recovery.key)
            row.recovered_at = evaluation.started_at
            told = [channel for channel in channels if channel in row.delivered_to]
            if told:  # nobody heard of an alert that was never delivered: close it quietly
                notices.append(
                    (row.id or 0, _notice(settings, row, "recovered", recovery.message, evaluation_id), told)
                )
        session.flush()
        unsent = session.exec(
            select(AlertState).where(
                col(AlertState.recovered_at).is_(None), col(AlertState.notified_at).is_(None)
            )
        )
        for row in sorted(unsent, key=lambda r: r.key):
            missing = [channel for channel in channels if channel not in row.delivered_to]
            notices.append(
                (
                    row.id or 0,
                    _notice(settings, row, "opened", row.details["message"], row.opened_evaluation_id),
                    missing,
                )
            )
    return notices


def record_delivery(
    engine: Engine, row_id: int, notice: Notice, results: dict[str, str | None], channels: list[str]
) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(AlertState, row_id)
        if row is None:
            return
        errors = [reason for reason in results.values() if reason is not None]
        row.delivery_error = "; ".join(errors) or None
        if notice.state == "opened":
            accepted = {channel for channel, reason in results.items() if reason is None}
            row.delivered_to = sorted(set(row.delivered_to) | accepted)
            if set(channels) <= set(row.delivered_to):
                row.notified_at = utcnow()


def process_alerts(
    settings: Settings,
    engine: Engine,
    evaluation_id: int,
    collectors: list[str] | None = None,
    initial_wait: float = 1.0,
) -> list[AlertOutcome]:
    """Alert on what changed with this evaluation; nothing at all without a channel.
    `collectors`: whose scopes are judged for staleness (default: every one with a Run)."""
    channels = settings.alerts.channels
    if not channels:
        return []
    if collectors is None:
        with Session(engine) as session:
            collectors = collectors_with_runs(session)
    outcomes = []
    down: dict[str, str] = {}  # a channel that failed is not tried again in this pass
    for row_id, notice, targets in record_changes(settings, engine, evaluation_id, collectors):
        live = [channel for channel in targets if channel not in down]
        results = deliver(settings, notice, live, initial_wait) if live else {}
        results |= {c: f"{c}: not tried, it failed earlier in this pass" for c in targets if c in down}
        down |= {channel: reason for channel, reason in results.items() if reason is not None}
        record_delivery(engine, row_id, notice, results, channels)
        outcomes.append(
            AlertOutcome(
                key=notice.key,
                state=notice.state,
                title=notice.title,
                delivered=tuple(c for c, reason in results.items() if reason is None),
                failed={c: reason for c, reason in results.items() if reason is not None},
            )
        )
        if not outcomes[-1].failed:
            log.info("%s", outcomes[-1].line())
    return outcomes
