"""Chart builders for the dashboard pages (plotly figures; no data access here)."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard.labels import band_floors

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


DAY_MS = 86_400_000


def _band_zones(figure: go.Figure) -> None:
    """Each band's score range tinted in its colour behind the lines, so a point reads as its
    band at a glance (a score of 0 never looks like 66.7)."""
    for band, low, high in band_floors():
        figure.add_hrect(
            y0=low, y1=high, fillcolor=BAND_FILLS[band], opacity=0.08, line_width=0, layer="below"
        )


def _date_axis(figure: go.Figure, starts: pd.Series) -> None:
    """Dates, never times: a label a day apart over ten days or less, else whole weeks
    (Mondays), about eight labels."""
    span_days = (starts.max() - starts.min()).days if len(starts) else 0
    step = 1 if span_days <= 10 else 7 * max(1, round(span_days / 7 / 8))
    figure.update_xaxes(tickformat="%d %b", dtick=step * DAY_MS, tick0="2000-01-03", hoverformat="%d %b %Y")


def count_axis(axis: dict, largest: float) -> dict:
    """A resource-count axis: whole numbers only, from zero; a tick per resource up to ten."""
    return {**axis, "tickformat": ",d", "rangemode": "tozero", **({"dtick": 1} if largest <= 10 else {})}


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
    _date_axis(figure, history["started_at"])
    _band_zones(figure)
    return _layout(figure, 180)


def phish_prone_trend(tests: pd.DataFrame, bound: float | None) -> go.Figure:
    """The organisation's phish-prone percentage test by test: a line through the finished
    tests, hollow markers for tests still running, gaps where a test cannot be measured,
    and the policy bound dashed."""
    finished = tests[tests["final"]]
    running = tests[~tests["final"]]
    figure = go.Figure()
    figure.add_scatter(
        x=finished["started_at"],
        y=finished["percentage"],
        mode="lines+markers",
        connectgaps=False,
        name="finished",
        line=dict(color=ACCENT, width=2),
        marker=dict(size=7),
        # Plotly reads a few HTML tags in text: names are escaped to stay text.
        customdata=[html.escape(label) for label in finished["label"]],
        hovertemplate="%{customdata}<br>%{y:.1f} %<extra></extra>",
    )
    if not running.empty:
        figure.add_scatter(
            x=running["started_at"],
            y=running["percentage"],
            mode="markers",
            name="still running",
            marker=dict(size=8, color="white", line=dict(color=ACCENT, width=2)),
            customdata=[html.escape(label) for label in running["label"]],
            hovertemplate="%{customdata} (still running)<br>%{y:.1f} %<extra></extra>",
        )
    if bound is not None:
        figure.add_hline(y=bound, line=dict(color=STATUS_COLOURS["failed"], width=1, dash="dash"))
    top = max([bound or 0.0, *tests["percentage"].dropna().tolist(), 1.0]) * 1.15
    figure.update_yaxes(range=[0, top], gridcolor="#e2e8f0", zeroline=False, ticksuffix=" %")
    figure.update_xaxes(showgrid=False)
    return _layout(figure, 220)


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
    largest = float(checks[list(STATUS_COLOURS)].sum(axis=1).max()) if len(checks) else 0.0
    figure.update_xaxes(**count_axis(dict(gridcolor="#e2e8f0", title_text="resources"), largest))
    figure.update_yaxes(automargin=True)
    _layout(figure, max(160, 36 * len(checks) + 60))
    figure.update_layout(
        showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="normal")
    )
    return figure


SERIES_COLOURS = {
    "overall": "#0f172a",
    "custody": "#7c3aed",
    "training": "#0891b2",
    "access": "#2563eb",
    "segmentation": "#ea580c",
    "detection": "#16a34a",
}
CHANGE_COLOUR = "#94a3b8"


def score_lines(trend: pd.DataFrame, changes: pd.DataFrame, titles: dict[str, str]) -> go.Figure:
    """One line per series (overall first, thicker) on a 0-100 axis, with a dotted vertical
    line and a short label at each evaluation where the checks or sources changed."""
    figure = go.Figure()
    for series, points in trend.groupby("series", sort=False):
        overall = series == "overall"
        figure.add_scatter(
            x=points["started_at"],
            y=points["score"],
            name=titles.get(str(series), str(series)),
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=SERIES_COLOURS.get(str(series), ACCENT), width=3 if overall else 1.5),
            marker=dict(size=5 if overall else 3),
            hovertemplate="%{x|%d %b %Y}<br>%{fullData.name}: %{y:.1f}<extra></extra>",
        )
    for change in changes.itertuples():
        figure.add_vline(x=change.started_at, line=dict(color=CHANGE_COLOUR, width=1, dash="dot"))
        figure.add_annotation(
            x=change.started_at,
            y=1.0,
            yref="paper",
            # Plotly reads a few HTML tags in text: names are escaped to stay text.
            text=html.escape(change.label),
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font=dict(size=10, color="#475569"),
        )
    figure.update_yaxes(range=[0, 100], gridcolor="#e2e8f0", zeroline=False, title_text="score")
    figure.update_xaxes(showgrid=False)
    _date_axis(figure, trend["started_at"])
    _band_zones(figure)
    _layout(figure, 380)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return figure


# Stage fill by readiness band; an unmeasured stage is grey, never green.
BAND_FILLS = {
    "strong": "#15803d",
    "good": "#65a30d",
    "fair": "#d97706",
    "weak": "#ea580c",
    "critical": "#dc2626",
    "unmeasured": "#94a3b8",
}


def score_bars(rows: pd.DataFrame) -> go.Figure:
    """One horizontal 0-100 bar per row (`label`, `score`, `band`, `measured`), filled in its
    band's colour with the score and band written on it; a row without evidence is a grey
    "No data" stub, never a zero-length bar that reads as 0."""
    ordered = rows.iloc[::-1]  # plotly draws the first row at the bottom
    measured = ordered["measured"].astype(bool)
    figure = go.Figure(
        go.Bar(
            y=[html.escape(str(label)) for label in ordered["label"]],
            # A 0.0 still gets a sliver of its colour, its label beside it: never an empty row.
            x=[
                max(score, 1.0) if ok else 100.0 for score, ok in zip(ordered["score"], measured, strict=True)
            ],
            orientation="h",
            marker_color=[
                BAND_FILLS.get(band, BAND_FILLS["unmeasured"]) if ok else "#e2e8f0"
                for band, ok in zip(ordered["band"], measured, strict=True)
            ],
            text=[
                f"{score:.1f} · {band}" if ok else "No data"
                for score, band, ok in zip(ordered["score"], ordered["band"], measured, strict=True)
            ],
            textposition="auto",
            cliponaxis=False,
            hoverinfo="y+text",
        )
    )
    figure.update_xaxes(range=[0, 100], gridcolor="#e2e8f0", title_text="score")
    figure.update_yaxes(automargin=True)
    return _layout(figure, max(120, 28 * len(rows) + 50))


def attack_path_chain(stages: pd.DataFrame) -> go.Figure:
    """The attack path left to right: one box per stage, filled by its band, with its score
    and ATT&CK technique ids, and an arrow to the next stage."""
    figure = go.Figure()
    width, gap = 1.0, 0.35
    for n, stage in enumerate(stages.itertuples()):
        left = n * (width + gap)
        fill = BAND_FILLS.get(stage.band, BAND_FILLS["unmeasured"])
        figure.add_shape(
            type="rect",
            x0=left,
            x1=left + width,
            y0=0,
            y1=1,
            fillcolor=fill,
            line=dict(width=0),
            layer="below",
        )
        score = f"{stage.score:.1f}" if stage.measured and stage.score is not None else "No data"
        figure.add_annotation(
            x=left + width / 2,
            y=0.5,
            text=(
                f"<b>{'<br>'.join(textwrap.wrap(f'{n + 1}. {stage.title}', 18))}</b><br><br><span style='font-size:22px'><b>{score}</b></span>"
                f"<br>{stage.band}<br><br>{'<br>'.join(stage.techniques)}"
            ),
            showarrow=False,
            font=dict(color="white", size=12),
            width=150,
        )
        if n:
            figure.add_annotation(
                x=left - 0.03, y=0.5, ax=left - gap + 0.03, ay=0.5, xref="x", yref="y", axref="x", ayref="y",
                text="", showarrow=True, arrowhead=3, arrowsize=1.4, arrowwidth=2, arrowcolor="#475569",
            )  # fmt: skip
    # Invisible points carry the hover text: the technique names.
    figure.add_scatter(
        x=[n * (width + gap) + width / 2 for n in range(len(stages))],
        y=[0.5] * len(stages),
        mode="markers",
        marker=dict(size=60, opacity=0),
        hovertext=[
            "<br>".join(f"{technique} {title}" for technique, title in zip(techniques, titles, strict=True))
            for techniques, titles in zip(stages["techniques"], stages["technique_titles"], strict=True)
        ],
        hoverinfo="text",
    )
    figure.update_xaxes(
        visible=False, range=[-0.05, len(stages) * (width + gap) - gap + 0.05], fixedrange=True
    )
    figure.update_yaxes(visible=False, range=[-0.02, 1.02], fixedrange=True)
    return _layout(figure, 250)
