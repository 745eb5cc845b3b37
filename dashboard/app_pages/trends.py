"""Trends: overall and per-mitigation readiness over a window, marked where checks or sources changed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.app_pages.components import band_styles, banded_score, short_title, when
from dashboard.app_pages.tables import show_table

WINDOW_LABELS = {days: f"{days} days" for days in data.TREND_WINDOWS}


def render() -> None:
    url = data.database_url()
    st.title("Trends")
    if data.latest_evaluation(url) is None:
        st.info(
            "No evaluation yet: the trend starts with the first `vaultward evaluate`.", icon=":material/info:"
        )
        return
    days = st.segmented_control(
        "Window",
        options=list(data.TREND_WINDOWS),
        format_func=WINDOW_LABELS.__getitem__,
        default=90,
        key="trend_window",
    )
    days = days or 90  # a segmented control can be cleared: fall back to the default
    trend = data.trend_scores(url, days)
    changes = data.trend_changes(url, days)
    evaluations = trend.loc[trend["series"] == data.OVERALL, "evaluation_id"].nunique()
    st.caption(
        f"{evaluations} evaluation{'' if evaluations == 1 else 's'} in the last {days} days before the latest. "
        "Dotted lines mark where the set of checks or of sources changed: a jump there may be "
        "new measurement, not a change in posture."
    )
    if evaluations < 2:
        _single_evaluation(trend)
        return
    labelled = changes.assign(label=[data.change_label(row) for row in changes.to_dict("records")])
    titles = {m: data.mitigation_title(m) for m in trend["series"].unique()}
    titles[data.OVERALL] = "Overall"
    st.plotly_chart(
        charts.score_lines(trend, labelled, titles),
        width="stretch",
        config={"displayModeBar": False},
        key="trend_chart",
    )
    _changes_table(labelled)


def _single_evaluation(trend: pd.DataFrame) -> None:
    """One evaluation is a dot, not a trend: say so, and give its scores in their bands."""
    if trend.empty:
        st.info("No evaluation in this window: widen it to see the trend.", icon=":material/info:")
        return
    st.info(
        f"Only one evaluation so far ({when(trend['started_at'].iloc[0])}): the trend is drawn from "
        "the second evaluation on. Its scores:",
        icon=":material/info:",
    )
    band_styles()
    points = trend.dropna(subset=["score"]).to_dict("records")
    with st.container(key="cards-trend"):  # wraps where the columns would be too narrow
        _score_cards(points)


def _score_cards(points: list[dict]) -> None:
    for column, point in zip(st.columns(max(1, len(points))), points, strict=False):
        with column:
            series = point["series"]
            title = "Overall" if series == data.OVERALL else short_title(series)  # the navigation's names
            banded_score(
                title,
                point["score"],
                True,
                f"card-trend-{series}",
                border=True,
                help=data.mitigation_title(series) if series != data.OVERALL else None,
            )


def _changes_table(changes: pd.DataFrame) -> None:
    st.subheader("What changed")
    if changes.empty:
        st.caption("Checks and sources stayed the same over this window.")
        return
    table = pd.DataFrame(
        {
            "Evaluation": [when(moment) for moment in changes["started_at"]],
            "Checks added": changes["checks_added"].map(", ".join),
            "Checks removed": changes["checks_removed"].map(", ".join),
            "Sources added": changes["sources_added"].map(", ".join),
            "Sources removed": changes["sources_removed"].map(", ".join),
        }
    )
    show_table(table.iloc[::-1], hide_index=True, width="stretch")
