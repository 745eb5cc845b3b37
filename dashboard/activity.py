"""Cached frames of what happened around the scores: waivers and the audit trail, reports and
their deliveries, open alerts, collector Runs and their freshness, and trends over time. Reads
go through `vaultward.read`; this module only caches and shapes them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.runtime import (
    CACHE_TTL,
    enabled_sources,
    engine,
    latest_evaluation,
    registry,
    session,
    settings,
)
from vaultward.pipeline.freshness import stale_reason
from vaultward.read import notices, runs, trends
from vaultward.read import waivers as read_waivers
from vaultward.read.findings import scope_account
from vaultward.read.scores import MITIGATION_ORDER

WAIVER_COLUMNS = [
    "id",
    "check_id",
    "resource_pattern",
    "owner",
    "reason",
    "created_at",
    "expires_at",
    "state",
]
AUDIT_COLUMNS = ["at", "actor", "action", "target", "details"]
REPORT_COLUMNS = ["id", "iso_week", "evaluation_id", "generated_at", "delivered_to", "files"]
ALERT_COLUMNS = ["key", "kind", "severity", "title", "opened_at", "delivered_to", "pending", "link_path"]
DELIVERY_COLUMNS = ["report_id", "iso_week", "target", "status", "attempts", "attempted_at", "error"]
LATEST_RUN_COLUMNS = ["collector", "scope", "status", "started_at", "finished_at", "item_count", "error"]
RUN_COLUMNS = [
    "id", "collector", "scope", "status", "started_at", "finished_at", "duration_seconds",
    "item_count", "error",
]  # fmt: skip
TREND_WINDOWS = (30, 90, 365)
OVERALL = trends.OVERALL
TREND_COLUMNS = ["evaluation_id", "started_at", "series", "score"]
CHANGE_COLUMNS = [
    "evaluation_id", "started_at", "checks_added", "checks_removed", "sources_added", "sources_removed",
]  # fmt: skip


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([asdict(row) for row in rows], columns=columns)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def waivers(url: str, now: datetime | None = None) -> pd.DataFrame:
    """Every waiver, soonest expiry first, with its state (active, expires soon, expired)."""
    with session(url) as s:
        return _frame(read_waivers.waivers(s, now or datetime.now(UTC)), WAIVER_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def audit_events(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest admin actions, newest first; details as JSON text."""
    with session(url) as s:
        return _frame(read_waivers.audit_events(s, limit), AUDIT_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def reports(url: str) -> pd.DataFrame:
    """Every recorded report, newest week first."""
    with session(url) as s:
        return _frame(notices.reports(s), REPORT_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def open_alerts(url: str) -> pd.DataFrame:
    """Alerts not yet recovered, most severe and newest first; `pending` when some configured
    channel has not accepted the notice yet."""
    with session(url) as s:
        return _frame(notices.open_alerts(s), ALERT_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def report_deliveries(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest delivery attempts (folder, S3, e-mail), newest first, failed ones included."""
    with session(url) as s:
        return _frame(notices.report_deliveries(s, limit), DELIVERY_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def latest_runs(url: str) -> pd.DataFrame:
    """The latest Run of every collector and scope."""
    with session(url) as s:
        rows = [{name: getattr(run, name) for name in LATEST_RUN_COLUMNS} for run in runs.latest_runs(s)]
    return pd.DataFrame(rows, columns=LATEST_RUN_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def account_names(url: str) -> dict[str, str]:
    """AWS account id -> the name people know it by; an account without a name is absent."""
    with session(url) as s:
        return runs.account_names(s)


def freshness(url: str, now: datetime | None = None) -> pd.DataFrame:
    """Latest Run per source with its age and a state: fresh, stale, partial, failed, running.

    Stale means older than twice the collector's expected interval (the same rule that turns
    its findings unknown)."""
    now = now or datetime.now(UTC)
    configured = settings()
    frame = latest_runs(url).copy()
    ages, states = [], []
    for row in frame.itertuples():
        finished = row.finished_at if pd.notna(row.finished_at) else None
        age = (now - finished) if finished is not None else None
        ages.append(age.total_seconds() / 3600 if age is not None else None)
        if row.status in ("failed", "running"):
            states.append(row.status)
        elif stale_reason(configured, row.collector, row.scope, finished, now):
            states.append("stale")
        else:
            states.append("partial" if row.status == "partial" else "fresh")
    frame["age_hours"] = ages
    frame["state"] = states
    frame["error"] = frame["error"].fillna("")
    missing = [name for name in enabled_sources() if name not in set(frame["collector"])]
    if missing:
        never = pd.DataFrame(
            [
                {
                    "collector": name,
                    "scope": "",
                    "status": "",
                    "item_count": 0,
                    "error": "",
                    "state": "never collected",
                }
                for name in missing
            ]
        )
        never = never.reindex(columns=frame.columns)  # age_hours, finished_at ... empty
        frame = pd.concat([frame, never], ignore_index=True) if not frame.empty else never
    names = account_names(url)  # the scope's account by its name, "" without one
    scopes = [scope if isinstance(scope, str) else "" for scope in frame["scope"]]
    frame["account_name"] = [names.get(scope_account(scope), "") for scope in scopes]
    frame["scope_label"] = [runs.scope_label(scope, names) for scope in scopes]
    return frame


# Worst first: a source is in the state of its worst scope.
STATE_ORDER = ("failed", "never collected", "stale", "partial", "running", "fresh")
SUMMARY_COLUMNS = ["collector", "state", "scopes", "accounts", "age_hours", "item_count", "errors", "error"]


def source_summary(freshness: pd.DataFrame) -> pd.DataFrame:
    """`freshness` one row per source: its worst state, how many scopes, the accounts they
    cover by name, its newest finished Run's age, the items its latest Runs collected, and
    how many scopes ended in an error (with the first error's text)."""
    rows = []
    for collector, scopes in freshness.groupby("collector", sort=True):
        states = set(scopes["state"])
        errors = [str(error) for error in scopes["error"] if error]
        ages = scopes["age_hours"].dropna()
        rows.append(
            {
                "collector": collector,
                "state": next(state for state in (*STATE_ORDER, *sorted(states)) if state in states),
                "scopes": int((scopes["state"] != "never collected").sum()),
                "accounts": ", ".join(sorted({name for name in scopes["account_name"] if name})),
                "age_hours": float(ages.min()) if not ages.empty else None,
                "item_count": int(scopes["item_count"].fillna(0).sum()),
                "errors": len(errors),
                "error": errors[0] if errors else "",
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def partial_gaps(url: str, now: datetime | None = None) -> pd.DataFrame:
    """What each scope's latest Run left unknown and how the evaluation treats it (see
    vaultward/read/gap_report.py), a row per gap."""
    from vaultward.read.gap_report import COLUMNS, gap_rows

    rows = gap_rows(settings(), engine(url), registry(), now or datetime.now(UTC))
    return pd.DataFrame([row.cells() for row in rows], columns=list(COLUMNS))


def run_history(url: str, collectors: tuple[str, ...], per_collector: int = 20) -> pd.DataFrame:
    """The last `per_collector` Runs of each collector (all its scopes), newest first, with
    their duration in seconds (None while running)."""
    with session(url) as s:
        found = runs.run_history(s, collectors, per_collector)
    rows = [{name: getattr(run, name) for name in RUN_COLUMNS} for run in found]
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    frame["error"] = frame["error"].fillna("")
    return frame


def _window_start(url: str, days: int) -> datetime | None:
    latest = latest_evaluation(url)
    return None if latest is None else latest["started_at"] - timedelta(days=days)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def score_history(url: str, days: int = 90) -> pd.DataFrame:
    """Overall score of the evaluations of the last `days` days before the latest one."""
    from vaultward.read.evaluations import overall_history

    since = _window_start(url, days)
    if since is None:
        return pd.DataFrame(columns=["started_at", "overall_score"])
    with session(url) as s:
        return pd.DataFrame(overall_history(s, since), columns=["started_at", "overall_score"])


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def trend_scores(url: str, days: int) -> pd.DataFrame:
    """Overall and per-mitigation scores of the evaluations of the `days` days up to the
    latest one, long form: one row per evaluation and series (`overall` or a mitigation).
    A mitigation without evidence (not measured) has no score: a gap, not a zero."""
    since = _window_start(url, days)
    if since is None:
        return pd.DataFrame(columns=TREND_COLUMNS)
    with session(url) as s:
        frame = _frame(trends.trend_points(s, since), TREND_COLUMNS)
    # A mitigation never measured in the window has no line at all rather than an empty one.
    frame = frame[frame.groupby("series")["score"].transform(lambda scores: scores.notna().any())]
    order = {OVERALL: -1, **MITIGATION_ORDER}
    frame["_rank"] = frame["series"].map(order).fillna(99)
    frame = frame.sort_values(["_rank", "series", "started_at", "evaluation_id"]).drop(columns="_rank")
    return frame.reset_index(drop=True)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def trend_changes(url: str, days: int) -> pd.DataFrame:
    """The evaluations of the window whose checks or sources differ from the evaluation
    before them (vaultward.read.trends.changes)."""
    since = _window_start(url, days)
    if since is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    with session(url) as s:
        return _frame(trends.changes(s, since), CHANGE_COLUMNS)
