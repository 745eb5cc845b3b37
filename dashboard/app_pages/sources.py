"""Sources: a summary row per collector (state, last run, facts, errors), then the detail:
each scope's freshness, what partial runs left unknown, and a chosen source's recent runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.app_pages.components import fit_height, freshness_table, source_summary_table
from dashboard.app_pages.tables import show_table

HISTORY_SIZES = (10, 20, 50)


def render() -> None:
    url = data.database_url()
    st.title("Sources")
    st.caption(
        "Stale means older than twice the source's schedule interval: its facts then count as "
        "unknown. A failed run keeps the last good facts until they go stale."
    )
    freshness = data.freshness(url)
    if freshness.empty:
        st.info(
            "No collector has run yet, and none is enabled. Run `vaultward collect`.", icon=":material/info:"
        )
        return
    summary = data.source_summary(freshness)
    _summary(summary)
    gaps = data.partial_gaps(url)
    scopes_tab, gaps_tab, runs_tab = st.tabs(
        [f"Scopes ({len(freshness)})", f"Gaps ({len(gaps)})", "Recent runs"]
    )
    with scopes_tab:
        _scopes(freshness, summary)
    with gaps_tab:
        _gaps(gaps)
    with runs_tab:
        _runs(url, summary)


def _summary(summary: pd.DataFrame) -> None:
    st.subheader("Summary")
    st.caption(
        "One row per source, in the state of its worst scope. Facts: items its latest runs "
        "collected. The tabs below hold each scope, the gaps of partial runs and the run history."
    )
    show_table(
        source_summary_table(summary),
        hide_index=True,
        width="stretch",
        height=fit_height(len(summary)),
        key="source_summary",
    )


def _scopes(freshness: pd.DataFrame, summary: pd.DataFrame) -> None:
    """Every scope's latest run, of every source or of the one chosen."""
    sources = ["All sources", *summary["collector"]]
    chosen = st.selectbox("Source", sources, key="scopes_source")
    shown = freshness if chosen == "All sources" else freshness[freshness["collector"] == chosen]
    show_table(
        freshness_table(shown.reset_index(drop=True)),
        hide_index=True,
        width="stretch",
        height=fit_height(len(shown)),
        key="scope_freshness",
    )


def _gaps(gaps: pd.DataFrame) -> None:
    """Per scope, what a partial Run could not read and how the scores treat it."""
    st.subheader("What partial runs left unknown")
    if gaps.empty:
        st.caption("Every latest run was complete: nothing is carried forward or unknown for a gap.")
        return
    st.caption(
        "A listing that broke off never shrinks what is judged: the last complete listing is "
        "carried forward while it is fresh, or the checks reading it are unknown for that scope. "
        "A failed side request leaves only its fields unknown; a configured resource that could "
        "not be read is unknown in every check on it."
    )
    table = gaps.rename(columns=str.capitalize)
    show_table(table, hide_index=True, width="stretch", key="partial_gaps")


def _runs(url: str, summary: pd.DataFrame) -> None:
    """The recent runs of the source chosen (all its scopes), newest first."""
    collectors = [str(name) for name in summary["collector"]]
    left, right = st.columns([3, 1])
    collector = left.selectbox("Source", collectors, key="history_source")
    size = right.selectbox("Runs shown", HISTORY_SIZES, index=1, key="history_size")
    runs = data.run_history(url, (collector,), size)
    if runs.empty:
        st.caption("Never collected.")
        return
    failed = int((runs["status"] == "failed").sum())
    durations = runs["duration_seconds"].dropna()
    st.caption(
        f"{collector}: last {len(runs)} run{'' if len(runs) == 1 else 's'}, {failed} failed"
        + (f" · median duration {durations.median():.0f} s" if not durations.empty else "")
    )
    table = pd.DataFrame(
        {
            "Run": runs["id"],
            "Scope": runs["scope"],
            "Status": runs["status"],
            "Started": runs["started_at"],
            "Duration (s)": runs["duration_seconds"],
            "Items": runs["item_count"],
            "Error": runs["error"],
        }
    )
    show_table(
        table,
        hide_index=True,
        width="stretch",
        key="run_history",
        column_config={
            "Started": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
            "Duration (s)": st.column_config.NumberColumn(format="%.1f"),
        },
    )
