"""Chart builders for the dashboard pages (plotly figures; no data access here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

STATUS_COLOURS = {
    "passed": "#16a34a",
    "failed": "#dc2626",
    "unknown": "#94a3b8",
    "waived": "#6366f1",
}
ACCENT = "#2563eb"
FONT = dict(family="Inter, -apple-system, Segoe UI, sans-serif", size=12, color="#334155")


def _layout(figure: go.Figure, height: int) -> go.Figure:
    figure.update_layout(
        height=height,
        margin=dict(l=0, r=12, t=8, b=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=FONT,
        showlegend=False,
    )
    return figure


def score_trend(history: pd.DataFrame) -> go.Figure:
    """Overall readiness over time, on a fixed 0-100 axis so small moves stay small."""
    figure = go.Figure(
        go.Scatter(
            x=history["started_at"],
            y=history["overall_score"],
            mode="lines+markers",
            line=dict(color=ACCENT, width=2),
            marker=dict(size=6),
            fill="tozeroy",
            fillcolor="rgba(37, 99, 235, 0.08)",
            hovertemplate="%{x|%d %b %Y %H:%M}<br>%{y:.1f}<extra></extra>",
        )
    )
    figure.update_yaxes(range=[0, 100], gridcolor="#e2e8f0", zeroline=False, ticksuffix=" ")
    # A little room either side so the first and last points are not clipped.
    start, end = history["started_at"].min(), history["started_at"].max()
    pad = (end - start) * 0.03
    figure.update_xaxes(showgrid=False, range=[start - pad, end + pad])
    return _layout(figure, 180)


def check_status_bars(checks: pd.DataFrame) -> go.Figure:
    """One horizontal stacked bar per check: passed / failed / unknown / waived resources."""
    ordered = checks.iloc[::-1]  # plotly draws the first row at the bottom
    figure = go.Figure()
    for column, colour in STATUS_COLOURS.items():
        figure.add_bar(
            y=ordered["title"],
            x=ordered[column],
            name=column,
            orientation="h",
            marker_color=colour,
            hovertemplate=f"%{{y}}<br>{column}: %{{x}}<extra></extra>",
        )
    figure.update_layout(barmode="stack", showlegend=True)
    figure.update_xaxes(gridcolor="#e2e8f0", title_text="resources")
    figure.update_yaxes(automargin=True)
    _layout(figure, max(160, 36 * len(checks) + 60))
    figure.update_layout(
        showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="normal")
    )
    return figure
