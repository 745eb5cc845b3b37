"""The dashboard's cached reads of the store, shaped as DataFrames and plain dicts for the pages.

Every query lives in the core's read model (`vaultward.read`), shared with the weekly report,
`vaultward status`, `frameworks` and alerts; this module only caches it per database URL and
reshapes it. It never computes a score and never calls a source. Pages reach the dashboard's
other cached reads through it too (`runtime`, `labels`, `activity`); writes are in `actions`,
the People and Wallets pages read the stored inventories through `inventories`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.activity import (  # noqa: F401 - the pages' one entry point
    OVERALL,
    TREND_WINDOWS,
    account_names,
    audit_events,
    freshness,
    latest_runs,
    open_alerts,
    partial_gaps,
    report_deliveries,
    reports,
    run_history,
    score_history,
    source_summary,
    trend_changes,
    trend_scores,
    waivers,
)
from dashboard.labels import (  # noqa: F401
    EVIDENCE_SOURCES,
    account_label,
    band_floors,
    band_sentence,
    change_label,
    download_name,
    findings_csv,
    format_age,
    mitigation_title,
    score_band,
)
from dashboard.runtime import (  # noqa: F401
    CACHE_TTL,
    baseline_evaluation,
    broken_plugins,
    check_catalog,
    database_url,
    enabled_sources,
    engine,
    latest_evaluation,
    redacted,
    registry,
    session,
    settings,
)
from dashboard.standards import attack_path, framework_coverage, phishing_programme  # noqa: F401
from vaultward.read import actions, finding_sets, findings, scores
from vaultward.read.findings import SEVERITY_RANK, FindingFilter, scope_account, scope_source  # noqa: F401

PAGE_SIZE = 200  # findings shown at once; the CSV holds every match
FINDING_COLUMNS = [
    "id", "status", "severity", "check_id", "check_title", "resource", "resource_name",
    "scope", "message", "evidence",
]  # fmt: skip
MITIGATION_COLUMNS = [
    "mitigation", "title", "score", "measured", "check_count", "passed", "failed",
    "unknown", "waived", "baseline_score", "delta",
]  # fmt: skip
CHECK_COLUMNS = [
    "check_id", "title", "mitigation", "severity", "weight", "score", "passed", "failed",
    "unknown", "waived", "skipped", "owners",
]  # fmt: skip


def _without_nan(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


# --- scores ----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def mitigation_scores(url: str) -> pd.DataFrame:
    """One row per mitigation scored in the latest evaluation, with its delta against the
    baseline evaluation (`delta` is None when either side has no score)."""
    latest, baseline = latest_evaluation(url), baseline_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=MITIGATION_COLUMNS)
    with session(url) as s:
        rows = scores.mitigation_scores(s, latest["id"], baseline["id"] if baseline else None)
    records = [{**asdict(row), "title": mitigation_title(row.mitigation)} for row in rows]
    return _without_nan(pd.DataFrame(records, columns=MITIGATION_COLUMNS))


def mitigations_present(url: str) -> list[str]:
    """The mitigations that have a score row in the latest evaluation, in display order."""
    return list(mitigation_scores(url)["mitigation"])


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def check_scores(url: str, mitigation: str | None = None) -> pd.DataFrame:
    """The latest evaluation's check scores (of one mitigation, or all), worst first."""
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    with session(url) as s:
        rows = [
            {name: getattr(row, name) for name in CHECK_COLUMNS} | {"owners": ", ".join(row.owners or ())}
            for row in scores.check_scores(s, latest["id"], mitigation)
        ]
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    frame["_rank"] = frame["severity"].map(SEVERITY_RANK).fillna(9)
    frame = frame.sort_values(["_rank", "check_id"]).drop(columns="_rank")
    return frame.reset_index(drop=True)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def fix_first(url: str) -> actions.FixFirst:
    """The latest evaluation's ranked actions with owners, the checks that need data and what
    is fine (`vaultward.read.actions`, the weekly report's ranking)."""
    latest = latest_evaluation(url)
    if latest is None:
        return actions.FixFirst([], [], 0, 0, [])
    remediation = {check_id: entry.get("remediation") for check_id, entry in check_catalog().items()}
    with session(url) as s:
        return actions.fix_first(s, latest["id"], remediation)


# --- findings --------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _facets(url: str, mitigation: str) -> findings.FindingFacets:
    latest = latest_evaluation(url)
    if latest is None:
        return findings.FindingFacets()
    with session(url) as s:
        return findings.finding_facets(s, latest["id"], mitigation)


def finding_facets(url: str, mitigation: str) -> dict[str, Any]:
    """What the latest evaluation's findings of one mitigation can be filtered by: their
    total, check titles, scopes, sources and accounts, counted in the store."""
    return asdict(_facets(url, mitigation))


def _finding_frame(rows: Any, titles: dict[str, str]) -> pd.DataFrame:
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
    failing first, and how many match in all (filtered, counted and paged in the store)."""
    facets, latest = _facets(url, mitigation), latest_evaluation(url)
    if latest is None or not facets.total:
        return pd.DataFrame(columns=FINDING_COLUMNS), 0
    with session(url) as s:
        rows, matching = findings.findings_page(s, latest["id"], mitigation, chosen, facets, page, page_size)
        return _finding_frame(rows, facets.titles), matching


def findings_csv_of(url: str, mitigation: str, chosen: FindingFilter, batch: int = 5000) -> bytes:
    """Every finding `chosen` keeps as CSV (made when the download is clicked), read from
    the store in batches."""
    facets, latest = _facets(url, mitigation), latest_evaluation(url)
    parts: list[bytes] = []
    if latest is not None:
        with session(url) as s:
            for rows in findings.finding_batches(s, latest["id"], mitigation, chosen, facets, batch):
                chunk = findings_csv(_finding_frame(rows, facets.titles))
                parts.append(chunk if not parts else chunk.split(b"\n", 1)[1])
    return b"".join(parts) or findings_csv(pd.DataFrame(columns=FINDING_COLUMNS))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def waived_findings(url: str) -> pd.DataFrame:
    """The latest evaluation's waived findings, listed apart from the scored ones."""
    columns = ["check_id", "resource", "message", "status_if_not_waived", "waiver_id", "waiver_reason"]
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=columns)
    with session(url) as s:
        return pd.DataFrame(
            [asdict(row) for row in finding_sets.waived_findings(s, latest["id"])], columns=columns
        )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def zone_conflicts(url: str) -> pd.DataFrame:
    """The latest evaluation's zone conflicts: one row per VPC whose rules of `policy.zones`
    disagree (vaultward.read.finding_sets.zone_conflicts)."""
    columns = ["vpc", "scope", "rules", "status"]
    latest = latest_evaluation(url)
    if latest is None:
        return pd.DataFrame(columns=columns)
    with session(url) as s:
        return pd.DataFrame(
            [asdict(row) for row in finding_sets.zone_conflicts(s, latest["id"])], columns=columns
        )
