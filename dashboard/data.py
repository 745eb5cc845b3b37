"""Every query the dashboard makes: cached reads of the store, reshaped for the pages.

This is the only dashboard module that touches the store. It reads what the scorer and the
collectors stored; it never computes a score itself (framework coverage comes from
`vaultward.read.frameworks`, the same function the CLI uses) and never calls a source. Query functions take the
database URL so the caches are keyed per store, and return DataFrames or plain dicts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, case, func, or_
from sqlmodel import Session, col, select

from vaultward.config.settings import ConfigError, Settings, load_settings
from vaultward.contract import redaction
from vaultward.contract.vocabulary import MITIGATION_TITLES, MITIGATIONS, SEVERITIES
from vaultward.pipeline.freshness import stale_reason
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import BANDS
from vaultward.pipeline.scoring import band as scoring_band
from vaultward.store.db import open_store
from vaultward.store.models import (
    AlertState,
    AuditEvent,
    CheckScore,
    Evaluation,
    Fact,
    Finding,
    MitigationScore,
    Report,
    ReportDelivery,
    Run,
    Waiver,
)

CACHE_TTL = 60
BASELINE_AGE = timedelta(days=7)
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_ORDER = ("fail", "unknown", "waived", "pass", "skipped")
MITIGATION_ORDER = {name: rank for rank, name in enumerate(MITIGATIONS)}

# What to connect when a mitigation has no evidence: named by the collectors that feed it.
EVIDENCE_SOURCES = {
    "custody": "AWS CloudHSM / KMS, Safe, Fireblocks or BitGo",
    "training": "KnowBe4, or import training records from CSV",
    "access": "AWS IAM, Okta, Google Workspace or Microsoft Entra ID",
    "segmentation": "the AWS network collector",
    "detection": "CloudTrail, GuardDuty or your EDR",
}


# --- connection ------------------------------------------------------------------------------


def database_url() -> str:
    """The store the launcher pointed us at, else the configured one."""
    return os.environ.get("VAULTWARD_DATABASE_URL") or load_settings().database_url


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return open_store(url)


def _session(url: str) -> Session:
    return Session(engine(url))


# --- labels ----------------------------------------------------------------------------------


def mitigation_title(mitigation: str) -> str:
    return MITIGATION_TITLES.get(mitigation, mitigation.replace("_", " ").capitalize())


def band_sentence(band: str) -> str:
    """The plain-language sentence for a band, as the scorer words it."""
    sentences = {name: sentence for _, name, sentence in BANDS}
    sentences["unmeasured"] = scoring_band(None)[1]
    return sentences.get(band) or (f"{band.capitalize()}." if band else "Not banded.")


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    """The checks and collectors, discovered once per process. Logging masks the secrets the
    configuration names before discovery (a plugin's import error may quote one), and every
    credential variable of the enabled sources after it."""
    from vaultward.cli.output import setup_logging
    from vaultward.pipeline.registry import discover

    config = settings()
    setup_logging(config, verbose=False)
    found = discover(config.plugin_dir)
    redaction.configure(config.credential_variables(found.collectors))
    return found


def redacted(text: str) -> str:
    """`text` with every credential value masked, as logs, the store and reports mask them."""
    registry()  # configures the redaction in this process
    return redaction.redact(text)


@st.cache_resource(show_spinner=False)
def check_catalog() -> dict[str, dict[str, Any]]:
    """What each registered check says about itself: the risk (its docstring), the
    remediation and the references. Metadata from code, not a computation."""
    return {
        spec.id: {
            "title": spec.title,
            "mitigation": spec.mitigation,
            "severity": spec.severity,
            "weight": spec.weight,
            "risk": spec.risk,
            "remediation": spec.remediation,
            "references": list(spec.references),
            "origin": spec.origin,
        }
        for spec in registry().checks.values()
    }


@st.cache_resource(show_spinner=False)
def broken_plugins() -> list[str]:
    """Plugins this dashboard could not load (the evaluation records its own)."""
    return [redacted(broken) for broken in registry().broken]


# --- evaluations -----------------------------------------------------------------------------


def _evaluation_dict(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "started_at": evaluation.started_at,
        "finished_at": evaluation.finished_at,
        "overall_score": evaluation.overall_score,
        "band": evaluation.band,
        "check_count": evaluation.check_count,
        "finding_count": evaluation.finding_count,
        "problems": list(evaluation.problems),
    }


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def latest_evaluation(url: str) -> dict[str, Any] | None:
    """The newest evaluation, or None for an empty store."""
    with _session(url) as session:
        evaluation = session.exec(
            select(Evaluation).order_by(Evaluation.started_at.desc(), Evaluation.id.desc())  # type: ignore[attr-defined,union-attr]
        ).first()
        return _evaluation_dict(evaluation) if evaluation else None


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def baseline_evaluation(url: str) -> dict[str, Any] | None:
    """The earlier evaluation closest to seven days before the latest one (None if none)."""
    latest = latest_evaluation(url)
    if latest is None:
        return None
    target = latest["started_at"] - BASELINE_AGE
    with _session(url) as session:
        # Only the nearest candidate on each side of the target can be the closest.
        before = session.exec(
            select(Evaluation).where(Evaluation.started_at <= target).order_by(Evaluation.started_at.desc())  # type: ignore[attr-defined]
        ).first()
        after = session.exec(
            select(Evaluation)
            .where(Evaluation.started_at > target, Evaluation.started_at < latest["started_at"])
            .order_by(Evaluation.started_at.asc())  # type: ignore[attr-defined]
        ).first()
    candidates = [e for e in (before, after) if e is not None]
    if not candidates:
        return None
    closest = min(candidates, key=lambda e: abs(e.started_at - target))
    return _evaluation_dict(closest)


def _mitigation_rows(session: Session, evaluation_id: int) -> dict[str, MitigationScore]:
    rows = session.exec(select(MitigationScore).where(MitigationScore.evaluation_id == evaluation_id)).all()
    return {row.mitigation: row for row in rows}


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def mitigation_scores(url: str) -> pd.DataFrame:
    """One row per mitigation scored in the latest evaluation, with its delta against the
    baseline evaluation (`delta` is None when either side has no score)."""
    columns = [
        "mitigation", "title", "score", "measured", "check_count", "passed", "failed",
        "unknown", "waived", "baseline_score", "delta",
    ]  # fmt: skip
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=columns)
    baseline = baseline_evaluation(url)
    with _session(url) as session:
        current = _mitigation_rows(session, latest["id"])
        previous = _mitigation_rows(session, baseline["id"]) if baseline else {}
    rows = []
    for name in sorted(current, key=lambda m: (MITIGATION_ORDER.get(m, 99), m)):
        score = current[name]
        before = previous.get(name)
        baseline_score = before.score if before is not None and before.measured else None
        measured = bool(score.measured)
        delta = None
        if measured and score.score is not None and baseline_score is not None:
            delta = score.score - baseline_score
        rows.append(
            {
                "mitigation": name,
                "title": mitigation_title(name),
                "score": score.score,
                "measured": measured,
                "check_count": score.check_count,
                "passed": score.passed,
                "failed": score.failed,
                "unknown": score.unknown,
                "waived": score.waived,
                "baseline_score": baseline_score,
                "delta": delta,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(object).where(frame.notna(), None)


def mitigations_present(url: str) -> list[str]:
    """The mitigations that have a score row in the latest evaluation, in display order."""
    return list(mitigation_scores(url)["mitigation"])


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def score_history(url: str, days: int = 90) -> pd.DataFrame:
    """Overall score of the evaluations of the last `days` days before the latest one."""
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=["started_at", "overall_score"])
    since = latest["started_at"] - timedelta(days=days)
    with _session(url) as session:
        rows = session.exec(
            select(Evaluation.started_at, Evaluation.overall_score)
            .where(Evaluation.started_at >= since)
            .order_by(Evaluation.started_at)  # type: ignore[arg-type]
        ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=["started_at", "overall_score"])


# --- checks ----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def check_scores(url: str, mitigation: str | None = None) -> pd.DataFrame:
    """The latest evaluation's check scores (of one mitigation, or all), worst first."""
    columns = [
        "check_id", "title", "mitigation", "severity", "weight", "score", "passed", "failed",
        "unknown", "waived", "skipped",
    ]  # fmt: skip
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=columns)
    query = select(CheckScore).where(CheckScore.evaluation_id == latest["id"])
    if mitigation is not None:
        query = query.where(CheckScore.mitigation == mitigation)
    with _session(url) as session:
        rows = [{name: getattr(row, name) for name in columns} for row in session.exec(query)]
    frame = pd.DataFrame(rows, columns=columns)
    frame["_rank"] = frame["severity"].map(SEVERITY_RANK).fillna(9)
    frame = frame.sort_values(["_rank", "check_id"]).drop(columns="_rank")
    return frame.reset_index(drop=True)


def failing_checks(url: str) -> pd.DataFrame:
    """Checks with failed or unknown resources, ranked by weight x (failed + unknown)."""
    frame = check_scores(url).copy()
    frame["affected"] = frame["failed"] + frame["unknown"]
    frame = frame[frame["affected"] > 0].copy()
    frame["priority"] = frame["weight"] * frame["affected"]
    frame["_rank"] = frame["severity"].map(SEVERITY_RANK).fillna(9)
    frame = frame.sort_values(["priority", "_rank", "check_id"], ascending=[False, True, True])
    return frame.drop(columns="_rank").reset_index(drop=True)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def framework_coverage(url: str) -> dict[str, pd.DataFrame]:
    """The latest evaluation's check scores by standard: {namespace title: controls}."""
    from vaultward.read.frameworks import NAMESPACES, coverage

    latest = latest_evaluation(url)
    if latest is None:
        return {}
    with _session(url) as session:
        scores = session.exec(select(CheckScore).where(CheckScore.evaluation_id == latest["id"])).all()
        grouped = coverage(scores)
    columns = ["control", "title", "score", "passed", "failed", "unknown", "waived", "checks", "measured"]
    return {
        NAMESPACES.get(namespace, namespace): pd.DataFrame(
            [
                {
                    "control": c.control,
                    "title": c.title,
                    "score": c.score,
                    "passed": c.passed,
                    "failed": c.failed,
                    "unknown": c.unknown,
                    "waived": c.waived,
                    "checks": ", ".join(c.checks),
                    "measured": c.measured,
                }
                for c in controls
            ],
            columns=columns,
        )
        for namespace, controls in grouped.items()
    }


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def attack_path(url: str) -> dict[str, pd.DataFrame]:
    """The latest evaluation's check scores along the attack path (`vaultward.read.attack_path`
    scores it): {"stages": one row per stage in attack order, "controls": one row per check
    that stops a stage}. Both empty for an empty store."""
    from vaultward.read.attack_path import score_stages, technique_title

    stage_columns = [
        "stage", "title", "description", "techniques", "technique_titles", "score", "measured",
        "band", "check_count", "passed", "failed", "unknown", "waived",
    ]  # fmt: skip
    control_columns = [
        "stage", "check_id", "title", "mitigation", "weight", "score", "measured", "passed",
        "failed", "unknown", "waived", "cites",
    ]  # fmt: skip
    latest = latest_evaluation(url)
    if latest is None:
        return {
            "stages": pd.DataFrame(columns=stage_columns),
            "controls": pd.DataFrame(columns=control_columns),
        }
    with _session(url) as session:
        scored = score_stages(
            session.exec(select(CheckScore).where(CheckScore.evaluation_id == latest["id"])).all()
        )
    stages = [
        {
            "stage": s.stage.id,
            "title": s.stage.title,
            "description": s.stage.description,
            "techniques": list(s.stage.techniques),
            "technique_titles": [technique_title(t) for t in s.stage.techniques],
            "score": s.score,
            "measured": s.measured,
            "band": s.band,
            "check_count": len(s.controls),
            "passed": s.passed,
            "failed": s.failed,
            "unknown": s.unknown,
            "waived": s.waived,
        }
        for s in scored
    ]
    controls = [
        {
            "stage": s.stage.id,
            **{name: getattr(c, name) for name in control_columns[1:-1]},
            "cites": list(c.cites),
        }
        for s in scored
        for c in s.controls
    ]
    frames = {
        "stages": pd.DataFrame(stages, columns=stage_columns),
        "controls": pd.DataFrame(controls, columns=control_columns),
    }
    return {name: frame.astype(object).where(frame.notna(), None) for name, frame in frames.items()}


# --- waivers ---------------------------------------------------------------------------------

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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def waivers(url: str, now: datetime | None = None) -> pd.DataFrame:
    """Every waiver, soonest expiry first, with its state (active, expires soon, expired)."""
    now = now or datetime.now(UTC)
    with _session(url) as session:
        rows = session.exec(select(Waiver).order_by(Waiver.expires_at)).all()  # type: ignore[arg-type]
        records = [
            {**{name: getattr(w, name) for name in WAIVER_COLUMNS[:-1]}, "state": w.state(now)} for w in rows
        ]
    return pd.DataFrame(records, columns=WAIVER_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def waived_findings(url: str) -> pd.DataFrame:
    """The latest evaluation's waived findings, listed apart from the scored ones."""
    columns = ["check_id", "resource", "message", "status_if_not_waived", "waiver_id", "waiver_reason"]
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=columns)
    with _session(url) as session:
        rows = session.exec(
            select(Finding)
            .where(Finding.evaluation_id == latest["id"], Finding.status == "waived")
            .order_by(Finding.check_id, Finding.resource)  # type: ignore[arg-type]
        ).all()
        records = [
            {
                "check_id": f.check_id,
                "resource": f.resource_name or f.resource,
                "message": f.message,
                "status_if_not_waived": (f.evidence or {}).get("status_if_not_waived", ""),
                "waiver_id": f.waiver_id,
                "waiver_reason": (f.evidence or {}).get("waiver_reason", ""),
            }
            for f in rows
        ]
    return pd.DataFrame(records, columns=columns)


AUDIT_COLUMNS = ["at", "actor", "action", "target", "details"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def audit_events(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest admin actions, newest first; details as JSON text."""
    with _session(url) as session:
        rows = session.exec(
            select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)  # type: ignore[attr-defined,union-attr]
        ).all()
        records = [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "details": json.dumps(e.details, sort_keys=True),
            }
            for e in rows
        ]
    return pd.DataFrame(records, columns=AUDIT_COLUMNS)


def create_waiver(url: str, viewer, check_id: str, resource: str, reason: str, owner: str, expires: str):
    """An admin's waiver, stored with its audit event (raises `WaiverError` naming each
    problem); the cached reads are dropped so every page shows it."""
    from vaultward.store.waivers import create_waiver as store_waiver

    if not viewer.is_admin:
        raise PermissionError("only admins may create waivers")
    waiver = store_waiver(
        engine(url), check_id, resource, reason, owner, expires, check_catalog(), actor=viewer.name
    )
    st.cache_data.clear()
    return waiver


REPORT_COLUMNS = ["id", "iso_week", "evaluation_id", "generated_at", "delivered_to", "files"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def reports(url: str) -> pd.DataFrame:
    """Every recorded report, newest week first."""
    with _session(url) as session:
        rows = session.exec(
            select(Report).order_by(Report.iso_week.desc(), Report.id.desc())  # type: ignore[attr-defined,union-attr]
        ).all()
        records = [
            {
                "id": r.id,
                "iso_week": r.iso_week,
                "evaluation_id": r.evaluation_id,
                "generated_at": r.generated_at,
                "delivered_to": ", ".join(r.delivered_to),
                "files": dict(r.files),
            }
            for r in rows
        ]
    return pd.DataFrame(records, columns=REPORT_COLUMNS)


ALERT_COLUMNS = ["key", "kind", "severity", "title", "opened_at", "delivered_to", "pending", "link_path"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def open_alerts(url: str) -> pd.DataFrame:
    """Alerts not yet recovered (see vaultward/alerting/alerts.py), most severe and newest first;
    `pending` when some configured channel has not accepted the notice yet."""
    with _session(url) as session:
        rows = session.exec(select(AlertState).where(col(AlertState.recovered_at).is_(None))).all()
        records = [
            {
                "key": r.key,
                "kind": r.kind,
                "severity": str(r.details.get("severity", "")),
                "title": str(r.details.get("title", r.subject)),
                "opened_at": r.opened_at,
                "delivered_to": ", ".join(r.delivered_to),
                "pending": r.notified_at is None,
                "link_path": str(r.details.get("link_path", "")),
            }
            for r in rows
        ]
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    records.sort(key=lambda r: (rank.get(r["severity"], len(rank)), -r["opened_at"].timestamp(), r["key"]))
    return pd.DataFrame(records, columns=ALERT_COLUMNS)


DELIVERY_COLUMNS = ["report_id", "iso_week", "target", "status", "attempts", "attempted_at", "error"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def report_deliveries(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest delivery attempts (folder, S3, e-mail), newest first, failed ones included."""
    with _session(url) as session:
        rows = session.exec(
            select(ReportDelivery, Report.iso_week)
            .join(Report, col(Report.id) == col(ReportDelivery.report_id))
            .order_by(col(ReportDelivery.attempted_at).desc(), col(ReportDelivery.id).desc())
            .limit(limit)
        ).all()
        records = [
            {
                "report_id": d.report_id,
                "iso_week": week,
                "target": d.target,
                "status": d.status,
                "attempts": d.attempts,
                "attempted_at": d.attempted_at,
                "error": d.error or "",
            }
            for d, week in rows
        ]
    return pd.DataFrame(records, columns=DELIVERY_COLUMNS)


def reports_dir() -> Path:
    """[report].out_dir, as the weekly job and `vaultward report` use it."""
    from vaultward.reporting.weekly import report_folder

    return report_folder(settings())


def generate_report(url: str, viewer, iso_week: str):
    """An admin's report of `iso_week` (raises `ReportError` when there is nothing to report);
    the cached reads are dropped so the list shows it."""
    from vaultward.reporting.files import dashboard_link_base
    from vaultward.reporting.files import generate_report as write

    if not viewer.is_admin:
        raise PermissionError("only admins may generate reports")
    config = settings()
    result = write(
        engine(url), iso_week, reports_dir(), actor=viewer.name, paper=config.report.paper,
        dashboard_url=dashboard_link_base(config), registry=registry(),
        formats=config.report.formats,
    )  # fmt: skip
    st.cache_data.clear()
    return result


# --- findings --------------------------------------------------------------------------------

FINDING_COLUMNS = [
    "id", "status", "severity", "check_id", "check_title", "resource", "resource_name",
    "scope", "message", "evidence",
]  # fmt: skip


PAGE_SIZE = 200  # findings shown at once; the CSV holds every match


@dataclass(frozen=True)
class FindingFilter:
    """What the findings table is narrowed to; empty means everything."""

    checks: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    text: str = ""


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def finding_facets(url: str, mitigation: str) -> dict[str, Any]:
    """What the latest evaluation's findings of one mitigation can be filtered by: their
    total, check titles, scopes, sources and accounts, counted in the store."""
    latest = latest_evaluation(url)
    checks = check_scores(url, mitigation)
    titles = dict(zip(checks["check_id"], checks["title"], strict=True))
    if latest is None:
        return {"total": 0, "titles": titles, "scopes": [], "sources": [], "accounts": []}
    with _session(url) as session:
        scopes = session.exec(
            select(Finding.scope, func.count())
            .where(Finding.evaluation_id == latest["id"], Finding.mitigation == mitigation)
            .group_by(Finding.scope)
        ).all()
    return {
        "total": sum(count for _, count in scopes),
        "titles": titles,
        "scopes": sorted(scope or "" for scope, _ in scopes),
        "sources": sorted({s for scope, _ in scopes if (s := scope_source(scope or ""))}),
        "accounts": sorted({a for scope, _ in scopes if (a := scope_account(scope or ""))}),
    }


def _finding_conditions(url: str, mitigation: str, chosen: FindingFilter) -> list[Any]:
    """WHERE clauses for the latest evaluation's findings of `mitigation` that `chosen` keeps.
    Sources and accounts are matched on the scopes the facets listed, so the store's
    indexes do the work and a scope is split one way only (scope_source / scope_account)."""
    latest = latest_evaluation(url)
    assert latest is not None
    conditions: list[Any] = [Finding.evaluation_id == latest["id"], Finding.mitigation == mitigation]
    if chosen.checks:
        conditions.append(col(Finding.check_id).in_(chosen.checks))
    if chosen.statuses:
        conditions.append(col(Finding.status).in_(chosen.statuses))
    if chosen.severities:
        conditions.append(col(Finding.severity).in_(chosen.severities))
    facets = finding_facets(url, mitigation)
    if chosen.sources:
        wanted = [s for s in facets["scopes"] if scope_source(s) in chosen.sources]
        conditions.append(col(Finding.scope).in_(wanted))
    if chosen.accounts:
        wanted = [s for s in facets["scopes"] if scope_account(s) in chosen.accounts]
        conditions.append(col(Finding.scope).in_(wanted))
    needle = chosen.text.strip().lower()
    if needle:
        titled = [check for check, title in facets["titles"].items() if needle in title.lower()]
        searched = (Finding.check_id, Finding.resource, Finding.resource_name, Finding.scope, Finding.message)
        conditions.append(
            or_(
                col(Finding.check_id).in_(titled),
                *(func.lower(col(column)).contains(needle, autoescape=True) for column in searched),
            )
        )
    return conditions


def _finding_order() -> list[Any]:
    """Failing first, then by severity, check and resource, as the page lists them."""
    status_rank = case(
        {status: rank for rank, status in enumerate(STATUS_ORDER)}, value=Finding.status, else_=9
    )
    severity_rank = case(SEVERITY_RANK, value=Finding.severity, else_=9)
    return [status_rank, severity_rank, Finding.check_id, Finding.resource, Finding.id]


def _finding_frame(rows: Iterable[Finding], titles: dict[str, str]) -> pd.DataFrame:
    records = [
        {
            "id": row.id,
            "status": row.status,
            "severity": row.severity,
            "check_id": row.check_id,
            "check_title": titles.get(row.check_id, row.check_id),
            "resource": row.resource,
            "resource_name": row.resource_name or row.resource,
            "scope": row.scope,
            "message": row.message,
            "evidence": row.evidence or {},
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=FINDING_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=200)
def findings_page(
    url: str, mitigation: str, chosen: FindingFilter, page: int = 0, page_size: int = PAGE_SIZE
) -> tuple[pd.DataFrame, int]:
    """One page of the latest evaluation's findings of `mitigation` that `chosen` keeps,
    failing first, and how many match in all: filtered, counted and paged in the store, so
    the page costs the same at 100 findings or 500,000."""
    facets = finding_facets(url, mitigation)
    if not facets["total"]:
        return pd.DataFrame(columns=FINDING_COLUMNS), 0
    conditions = _finding_conditions(url, mitigation, chosen)
    with _session(url) as session:
        matching = session.exec(select(func.count()).select_from(Finding).where(*conditions)).one()
        rows = session.exec(
            select(Finding)
            .where(*conditions)
            .order_by(*_finding_order())
            .offset(page * page_size)
            .limit(page_size)
        ).all()
        return _finding_frame(rows, facets["titles"]), matching


def findings_csv_of(url: str, mitigation: str, chosen: FindingFilter, batch: int = 5000) -> bytes:
    """Every finding `chosen` keeps as CSV (made when the download is clicked), read from
    the store in batches."""
    facets = finding_facets(url, mitigation)
    parts: list[bytes] = []
    if facets["total"]:
        conditions = _finding_conditions(url, mitigation, chosen)
        with _session(url) as session:
            result = session.exec(
                select(Finding)
                .where(*conditions)
                .order_by(*_finding_order())
                .execution_options(yield_per=batch)
            )
            for rows in result.partitions():
                chunk = findings_csv(_finding_frame(rows, facets["titles"]))
                parts.append(chunk if not parts else chunk.split(b"\n", 1)[1])
    return b"".join(parts) or findings_csv(pd.DataFrame(columns=FINDING_COLUMNS))


# The check that reports zone conflicts; its failing findings carry each VPC's rules.
ZONE_CONFLICT_CHECK = "segmentation.zone_classification_consistent"
ZONE_CONFLICT_COLUMNS = ["vpc", "scope", "rules", "status"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def zone_conflicts(url: str) -> pd.DataFrame:
    """The latest evaluation's zone conflicts: one row per VPC whose rules of `policy.zones`
    disagree, as its zone-consistency finding recorded them (failing, or since waived or
    turned unknown by stale facts: the rules it found are kept in the evidence)."""
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=ZONE_CONFLICT_COLUMNS)
    with _session(url) as session:
        rows = session.exec(
            select(Finding)
            .where(Finding.evaluation_id == latest["id"], Finding.check_id == ZONE_CONFLICT_CHECK)
            .order_by(Finding.resource)  # type: ignore[arg-type]
        ).all()
        conflicts = [
            {
                "vpc": row.resource_name or row.resource,
                "scope": row.scope,
                "rules": ", ".join(map(str, (row.evidence or {}).get("classifications", []))),
                "status": row.status,
            }
            for row in rows
            if len((row.evidence or {}).get("candidates") or []) > 1
        ]
    return pd.DataFrame(conflicts, columns=ZONE_CONFLICT_COLUMNS)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def account_names(url: str) -> dict[str, str]:
    """AWS account id -> the name people know it by (`vaultward.derived.names`: the Organizations
    name, else the IAM alias), from the facts of each scope's latest usable Run. An account
    without a name is absent: pages show its id."""
    from vaultward.contract.records import CloudAccount, OrgAccount
    from vaultward.derived.names import AccountNames

    newest = (
        select(func.max(Run.id).label("id"))
        .where(
            col(Run.collector).in_(("aws_iam", "aws_organization")), col(Run.status).in_(("ok", "partial"))
        )
        .group_by(Run.collector, Run.scope)
        .subquery()
    )
    query = (
        select(Fact.kind, Fact.key, Fact.scope, Fact.data)
        .join(newest, col(Fact.run_id) == newest.c.id)
        .where(col(Fact.kind).in_((CloudAccount.kind, OrgAccount.kind)))
        .order_by(col(Fact.id))
    )
    org: list[OrgAccount] = []
    cloud: list[CloudAccount] = []
    with _session(url) as session:
        for kind, key, scope, fact in session.exec(query):
            values = {**fact, "key": key, "scope": scope}
            if kind == OrgAccount.kind:
                org.append(OrgAccount.model_validate(values))
            else:
                cloud.append(CloudAccount.model_validate(values))
    return dict(AccountNames.of(org, cloud).names)


def account_label(account: str, names: dict[str, str]) -> str:
    """An account as a filter lists it: `prod-payments (111111111111)`, or the id alone."""
    name = names.get(account)
    return f"{name} ({account})" if name else account


PHISHING_TEST_COLUMNS = [
    "started_at", "test", "label", "delivered", "failures", "percentage", "final", "status", "message",
]  # fmt: skip
PHISHING_PEOPLE_COLUMNS = ["person", "status", "message"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def phishing_programme(url: str) -> dict[str, Any] | None:
    """The latest evaluation's phishing programme, as its three checks judged it
    (vaultward.read.phishing_summary): the phish-prone percentage per test, the repeat clickers
    and the administrators or signers who fell for their latest test; None without tests."""
    from vaultward.read.phishing_summary import CHECKS, phishing_summary

    latest = latest_evaluation(url)
    if latest is None:
        return None
    with _session(url) as session:
        rows = session.exec(
            select(Finding).where(Finding.evaluation_id == latest["id"], col(Finding.check_id).in_(CHECKS))
        ).all()
        summary = phishing_summary(rows)
    if summary is None:
        return None
    tests = pd.DataFrame(
        [
            {
                "started_at": point.started_at, "test": point.name, "label": point.label,
                "delivered": point.delivered, "failures": point.failures, "percentage": point.percentage,
                "final": point.final, "status": point.status, "message": point.message,
            }
            for point in summary.tests
        ],
        columns=PHISHING_TEST_COLUMNS,
    )  # fmt: skip

    def people(lines: list[Any]) -> pd.DataFrame:
        return pd.DataFrame([vars(line) for line in lines], columns=PHISHING_PEOPLE_COLUMNS)

    latest_test = summary.latest
    return {
        "bound": summary.bound,
        "tests": tests,
        "latest": None if latest_test is None else vars(latest_test),
        "repeat_clickers": people(summary.repeat_clickers),
        "privileged_clickers": people(summary.privileged_clickers),
    }


def scope_source(scope: str) -> str:
    """The source family a scope belongs to: `aws` for aws:123/us-east-1, `okta` for okta:acme."""
    return scope.split(":", 1)[0] if ":" in scope else ""


def scope_account(scope: str) -> str:
    """The account or tenant of a scope: 123 for aws:123/us-east-1, acme for okta:acme."""
    return scope.split(":", 1)[1].split("/", 1)[0] if ":" in scope else ""


def download_name(label: str, suffix: str) -> str:
    """A file name for a download: `vaultward-<label>-<suffix>`, the label cut to letters,
    digits, dots, dashes and underscores (no separators, no `..`) and to 40 characters."""
    words = re.findall(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*", label)
    part = "-".join(words)[:40].strip("-.") or "export"
    return f"vaultward-{part}-{suffix}"


def findings_csv(frame: pd.DataFrame) -> bytes:
    """Findings as CSV, evidence as a JSON column; cells that look like formulas neutralised."""
    from vaultward.reporting.files import spreadsheet_safe

    export = frame.copy()
    export["evidence"] = export["evidence"].map(lambda value: json.dumps(value, sort_keys=True, default=str))
    export = export.map(spreadsheet_safe)
    return export.to_csv(index=False).encode("utf-8")


# --- freshness -------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def latest_runs(url: str) -> pd.DataFrame:
    """The latest Run of every collector and scope."""
    columns = ["collector", "scope", "status", "started_at", "finished_at", "item_count", "error"]
    newest = (
        select(Run.collector, Run.scope, func.max(Run.started_at).label("started_at"))
        .group_by(Run.collector, Run.scope)
        .subquery()
    )
    query = (
        select(Run)
        .join(
            newest,
            (Run.collector == newest.c.collector)
            & (Run.scope == newest.c.scope)
            & (Run.started_at == newest.c.started_at),
        )
        .order_by(Run.collector, Run.scope, Run.id.desc())  # type: ignore[union-attr]
    )
    with _session(url) as session:
        rows = [{name: getattr(run, name) for name in columns} for run in session.exec(query)]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.drop_duplicates(["collector", "scope"]).reset_index(drop=True)


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError:  # an unreadable config must not take the dashboard down
        return Settings()


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
        if row.status == "failed":
            states.append("failed")
        elif row.status == "running":
            states.append("running")
        elif stale_reason(configured, row.collector, row.scope, finished, now):
            states.append("stale")
        elif row.status == "partial":
            states.append("partial")
        else:
            states.append("fresh")
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
    frame["account_name"] = [
        names.get(scope_account(scope if isinstance(scope, str) else ""), "") for scope in frame["scope"]
    ]
    return frame


@st.cache_resource(show_spinner=False)
def enabled_sources() -> list[str]:
    """The sources the configuration enables (read from the config, not from the sources)."""
    try:
        return settings().enabled_sources(registry().collectors)
    except ConfigError:
        return []


def format_age(hours: float | None) -> str:
    if hours is None or pd.isna(hours):
        return "not finished"
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min ago"
    if hours < 48:
        return f"{int(hours)} h ago"
    return f"{int(hours // 24)} days ago"


# --- trends ----------------------------------------------------------------------------------

TREND_WINDOWS = (30, 90, 365)
OVERALL = "overall"
TREND_COLUMNS = ["evaluation_id", "started_at", "series", "score"]
CHANGE_COLUMNS = [
    "evaluation_id", "started_at", "checks_added", "checks_removed", "sources_added", "sources_removed",
]  # fmt: skip


def _window_start(url: str, days: int) -> datetime | None:
    latest = latest_evaluation(url)
    return None if latest is None else latest["started_at"] - timedelta(days=days)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def trend_scores(url: str, days: int) -> pd.DataFrame:
    """Overall and per-mitigation scores of the evaluations of the `days` days up to the
    latest one, long form: one row per evaluation and series (`overall` or a mitigation).
    A mitigation without evidence (not measured) has no score: a gap, not a zero."""
    since = _window_start(url, days)
    if since is None:
        return pd.DataFrame(columns=TREND_COLUMNS)
    with _session(url) as session:
        overall = session.exec(
            select(Evaluation.id, Evaluation.started_at, Evaluation.overall_score).where(
                Evaluation.started_at >= since  # type: ignore[operator]
            )
        ).all()
        per_mitigation = session.exec(
            select(
                Evaluation.id,
                Evaluation.started_at,
                MitigationScore.mitigation,
                MitigationScore.score,
                MitigationScore.measured,
            )
            .join(MitigationScore, MitigationScore.evaluation_id == Evaluation.id)  # type: ignore[arg-type]
            .where(Evaluation.started_at >= since)  # type: ignore[operator]
        ).all()
    rows = [(id_, started, OVERALL, score) for id_, started, score in overall]
    rows += [
        (id_, started, name, score if measured else None)
        for id_, started, name, score, measured in per_mitigation
    ]
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS)
    # A mitigation never measured in the window has no line at all rather than an empty one.
    frame = frame[frame.groupby("series")["score"].transform(lambda scores: scores.notna().any())]
    order = {OVERALL: -1, **MITIGATION_ORDER}
    frame["_rank"] = frame["series"].map(order).fillna(99)
    frame = frame.sort_values(["_rank", "series", "started_at", "evaluation_id"]).drop(columns="_rank")
    return frame.reset_index(drop=True)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def trend_changes(url: str, days: int) -> pd.DataFrame:
    """The evaluations of the window whose checks or sources differ from the evaluation
    before them: which check ids appeared or vanished from its check scores, and which
    collectors appeared or vanished from the Runs it used. One query per table, no findings."""
    since = _window_start(url, days)
    if since is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    with _session(url) as session:
        # The last evaluation before the window is the base the first one is compared with.
        base = session.exec(
            select(Evaluation.started_at)
            .where(Evaluation.started_at < since)  # type: ignore[operator]
            .order_by(Evaluation.started_at.desc())  # type: ignore[attr-defined]
        ).first()
        start = base if base is not None else since
        evaluations = session.exec(
            select(Evaluation.id, Evaluation.started_at, Evaluation.runs)
            .where(Evaluation.started_at >= start)  # type: ignore[operator]
            .order_by(Evaluation.started_at, Evaluation.id)  # type: ignore[arg-type]
        ).all()
        check_rows = session.exec(
            select(CheckScore.evaluation_id, CheckScore.check_id)
            .join(Evaluation, CheckScore.evaluation_id == Evaluation.id)  # type: ignore[arg-type]
            .where(Evaluation.started_at >= start)  # type: ignore[operator]
        ).all()
        run_ids = [run_id for _, _, runs in evaluations for run_id in runs or []]
        collectors: dict[int, str] = {}
        if run_ids:
            collectors = dict(
                session.exec(
                    select(Run.id, Run.collector).where(col(Run.id).between(min(run_ids), max(run_ids)))
                ).all()
            )
    checks: dict[int, set[str]] = {}
    for evaluation_id, check_id in check_rows:
        checks.setdefault(evaluation_id, set()).add(check_id)
    rows = []
    previous: tuple[set[str], set[str]] | None = None
    for evaluation_id, started_at, runs in evaluations:
        current = (
            checks.get(evaluation_id, set()),
            {collectors[run_id] for run_id in runs or [] if run_id in collectors},
        )
        if previous is not None and started_at >= since and current != previous:
            rows.append(
                (
                    evaluation_id,
                    started_at,
                    sorted(current[0] - previous[0]),
                    sorted(previous[0] - current[0]),
                    sorted(current[1] - previous[1]),
                    sorted(previous[1] - current[1]),
                )
            )
        previous = current
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def change_label(change: dict[str, Any]) -> str:
    """A change as one short line: `+2 checks, -1 source (okta)`."""
    parts = []
    for key, sign, noun in (
        ("checks_added", "+", "check"),
        ("checks_removed", "-", "check"),
        ("sources_added", "+", "source"),
        ("sources_removed", "-", "source"),
    ):
        names = change[key]
        if names:
            shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            parts.append(f"{sign}{len(names)} {noun}{'' if len(names) == 1 else 's'} ({shown})")
    return "; ".join(parts)


# --- sources ---------------------------------------------------------------------------------

RUN_COLUMNS = [
    "id", "collector", "scope", "status", "started_at", "finished_at", "duration_seconds",
    "item_count", "error",
]  # fmt: skip


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def partial_gaps(url: str, now: datetime | None = None) -> pd.DataFrame:
    """What each scope's latest Run left unknown and how the evaluation treats it (see
    vaultward/read/gap_report.py), a row per gap."""
    from vaultward.read.gap_report import COLUMNS, gap_rows

    rows = gap_rows(settings(), engine(url), registry(), now or datetime.now(UTC))
    return pd.DataFrame([row.cells() for row in rows], columns=list(COLUMNS))


def run_history(url: str, collectors: tuple[str, ...], per_collector: int = 20) -> pd.DataFrame:
    """The last `per_collector` Runs of each collector (all its scopes), newest first, with
    their duration in seconds (None while running). One LIMIT query per collector on the
    (collector, started_at) index, so a long history is never read."""
    rows = []
    with _session(url) as session:
        for collector in collectors:
            runs = session.exec(
                select(Run)
                .where(Run.collector == collector)
                .order_by(col(Run.started_at).desc(), col(Run.id).desc())
                .limit(per_collector)
            )
            rows += [
                {
                    **{name: getattr(run, name) for name in RUN_COLUMNS if name != "duration_seconds"},
                    "duration_seconds": (run.finished_at - run.started_at).total_seconds()
                    if run.finished_at is not None
                    else None,
                }
                for run in runs
            ]
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    frame["error"] = frame["error"].fillna("")
    return frame
