"""Sources: each collector's freshness, what partial runs left unknown, and its recent runs
(status, duration, items, errors)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.app_pages.components import freshness_table

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
    _freshness(freshness)
    _gaps(data.partial_gaps(url))
    size = st.selectbox("Runs per source", HISTORY_SIZES, index=1, key="history_size")
    collectors = tuple(str(name) for name in freshness["collector"].drop_duplicates())
    history = data.run_history(url, collectors, size)
    for collector in collectors:
        _collector_history(collector, history[history["collector"] == collector])


def _freshness(freshness: pd.DataFrame) -> None:
    st.subheader("Freshness")
    st.dataframe(freshness_table(freshness), hide_index=True, width="stretch")


def _gaps(gaps: pd.DataFrame) -> None:
    """Per scope, what a partial Run could not read and how the scores treat it."""
    if gaps.empty:
        return
    st.subheader("What partial runs left unknown")
    st.caption(
        "A listing that broke off never shrinks what is judged: the last complete listing is "
        "carried forward while it is fresh, or the checks reading it are unknown for that scope. "
        "A failed side request leaves only its fields unknown; a configured resource that could "
        "not be read is unknown in every check on it."
    )
    table = gaps.rename(columns=str.capitalize)
    st.dataframe(table, hide_index=True, width="stretch", key="partial_gaps")


def _collector_history(collector: str, runs: pd.DataFrame) -> None:
    st.subheader(collector, anchor=False)
    if runs.empty:
        st.caption("Never collected.")
        return
    failed = int((runs["status"] == "failed").sum())
    durations = runs["duration_seconds"].dropna()
    st.caption(
        f"Last {len(runs)} run{'' if len(runs) == 1 else 's'}: {failed} failed"
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
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Started": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
            "Duration (s)": st.column_config.NumberColumn(format="%.1f"),
        },
    )
