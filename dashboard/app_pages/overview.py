"""Overview: overall readiness, one card per mitigation, what to fix first, data freshness."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, data
from dashboard.app_pages import catalog, endpoints
from dashboard.app_pages.components import (
    band_badge,
    band_scale,
    band_styles,
    banded,
    baseline_note,
    delta_text,
    fit_height,
    mitigation_card,
    plain,
    score_text,
    severity_badge,
    source_summary_table,
    when,
)
from dashboard.app_pages.tables import show_table

TOP_CHECKS = 10
# The incident write-up's recommendations; detection goes beyond them (docs: DESIGN, README).
WRITE_UP_FOUR = ("custody", "training", "access", "segmentation")


def render(mitigation_pages: dict[str, Any] | None = None) -> None:
    mitigation_pages = mitigation_pages or {}
    url = data.database_url()
    latest = data.latest_evaluation(url)
    st.title("Readiness overview")
    if latest is None:
        _empty_store(url)
        return
    baseline = data.baseline_evaluation(url)
    st.caption(
        f"Latest evaluation {when(latest['started_at'])} · {latest['check_count']} checks · "
        f"{latest['finding_count']:,} findings"
    )
    catalog.problems(latest)
    _overall(url, latest, baseline)
    _mitigations(url, baseline, mitigation_pages)
    _failing_checks(url, mitigation_pages)
    _open_alerts(url)
    endpoints.takeover_alerts(url, mitigation_pages, "overview")
    _waivers_due(url)
    _freshness(url)


def _empty_store(url: str) -> None:
    st.info(
        "**Nothing to show yet.** Vaultward has not evaluated this store. Collect facts from "
        "your sources, then score them:",
        icon=":material/info:",
    )
    st.code("vaultward collect\nvaultward evaluate", language="bash")
    st.markdown(
        "Or see the whole path on a seeded example organisation with `vaultward demo`. "
        "This page refreshes from the store about once a minute."
    )
    if not data.latest_runs(url).empty:
        st.caption("Facts have been collected; they are waiting for `vaultward evaluate`.")
        _freshness(url)


def _overall(url: str, latest: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    delta = None
    if baseline is not None and None not in (latest["overall_score"], baseline["overall_score"]):
        delta = latest["overall_score"] - baseline["overall_score"]
    band = latest["band"] or data.score_band(latest["overall_score"])  # stored by the evaluation
    band_styles()
    left, right = st.columns([1, 2], gap="large")
    with left, banded(band, "card-overall", border=True):
        # The heading wraps where a metric label would be cut ("Overall readin...") at 1024 px.
        st.markdown("**Overall readiness**", help="Weighted mean of the mitigation scores, 0-100.")
        st.metric(
            "Overall readiness",
            score_text(latest["overall_score"]),
            delta=delta_text(delta),
            label_visibility="collapsed",
        )
        st.caption(baseline_note(baseline) if delta is not None else "no earlier evaluation")
        st.markdown(band_badge(band))
        st.markdown(data.band_sentence(band))
    with right:
        history = data.score_history(url)
        if len(history) > 1:
            st.markdown("**Overall readiness, last 90 days**")
            st.plotly_chart(
                charts.score_trend(history),
                width="stretch",
                config={"displayModeBar": False},
            )
        else:
            # One evaluation: no line to draw yet, so say what the number means instead.
            st.markdown(
                f"**First evaluation, {when(latest['started_at'])}.** The 90-day trend is drawn "
                "from the second evaluation on (the worker evaluates after every collection). "
                "What the bands mean:"
            )
            st.markdown(band_scale(band))


def _mitigations(url: str, baseline: dict[str, Any] | None, pages: dict[str, Any]) -> None:
    scores = data.mitigation_scores(url)
    if scores.empty:
        st.subheader("Mitigations")
        st.caption("The latest evaluation scored no mitigation.")
        return
    rows = scores.to_dict("records")
    four = [row for row in rows if row["mitigation"] in WRITE_UP_FOUR]
    beyond = [row for row in rows if row["mitigation"] not in WRITE_UP_FOUR]
    if four:
        st.subheader("The write-up's four defences")
        st.caption(
            "The incident write-up's recommendations: HSM and multisig custody, social-engineering "
            "training, zero-trust access with MFA, production isolated from corporate."
        )
        _cards("four", four, baseline, pages)
    if beyond:
        detection_only = [row["mitigation"] for row in beyond] == ["detection"]
        st.subheader("Detection (catches the attack in between)" if detection_only else "Beyond the write-up")
        st.caption(
            "Not one of the write-up's four: central logging and threat detection notice the "
            "compromised laptop and the lateral movement while the four defences hold. It is "
            "scored the same way and counts in the overall score."
        )
        _cards("beyond", beyond, baseline, pages)


def _cards(
    name: str, rows: list[dict[str, Any]], baseline: dict[str, Any] | None, pages: dict[str, Any]
) -> None:
    """Up to four cards a row, each a quarter of the width so a lone card stays card-sized;
    two a row where four would be too narrow (components.BAND_STYLE)."""
    with st.container(key=f"cards-{name}"):
        for first in range(0, len(rows), 4):
            columns = st.columns(4)
            for column, row in zip(columns, rows[first : first + 4], strict=False):
                with column:
                    mitigation_card(row, baseline, pages.get(row["mitigation"]))


def _failing_checks(url: str, pages: dict[str, Any]) -> None:
    work = data.fix_first(url)
    st.subheader("Fix first")
    st.caption(f":material/check_circle: What is fine: {work.fine_line()}")
    if not work.actions and work.needs_data:
        st.info(
            "No check failed a resource, but some could not judge every resource: see *Needs data* below "
            "before reading this as a pass.",
            icon=":material/help:",
        )
    elif not work.actions:
        st.success("No check has failed resources.", icon=":material/check_circle:")
    else:
        st.caption(
            "Checks with failed resources, most severe first, then by weight x affected resources "
            "(failed + unknown). Owners come from `[policy.owners]`."
        )
    for rank, action in enumerate(work.actions[:TOP_CHECKS], start=1):
        with st.container(border=True):
            left, middle, right = st.columns([6, 3, 2.2], vertical_alignment="center")
            left.markdown(
                f"**{rank}. {plain(action.title)}** {severity_badge(action.severity)}  \n`{action.check_id}`"
            )
            if action.remediation:
                left.caption(f"Fix: {action.remediation}")
            middle.markdown(
                f"**{action.affected}** affected resource{'' if action.affected == 1 else 's'}  \n"
                f":gray[{action.failed} failed · {action.unknown} unknown · weight {action.weight:g}]  \n"
                f"Owner: {plain(action.owner) if action.owner else ':gray[unassigned]'}"
            )
            _drill_down(right, pages, action.mitigation, action.check_id)
    if len(work.actions) > TOP_CHECKS:
        st.caption(f"{len(work.actions) - TOP_CHECKS} more failing checks on the mitigation pages.")
    if not any(action.owner for action in work.actions):
        st.caption(
            "Nobody owns these yet: name owners per mitigation, check or account in `[policy.owners]`."
        )
    _needs_data(work.needs_data, pages)


def _needs_data(rows: list, pages: dict[str, Any]) -> None:
    """Checks that failed nothing but could not judge everything: what they miss."""
    if not rows:
        return
    st.markdown(f"**Needs data** · {len(rows)} check{'' if len(rows) == 1 else 's'} failed nothing but "
                "could not judge every resource")  # fmt: skip
    for row in rows:
        with st.container(border=True):
            left, right = st.columns([8.8, 2.2], vertical_alignment="center")
            left.markdown(
                f"**{plain(row.title)}** {severity_badge(row.severity)} `{row.check_id}`  \n"
                f":gray[{row.unknown} unknown resource{'' if row.unknown == 1 else 's'}"
                + (f": {plain(row.reason)}]" if row.reason else "]")
            )
            _drill_down(right, pages, row.mitigation, row.check_id)


def _drill_down(column: Any, pages: dict[str, Any], mitigation: str, check_id: str) -> None:
    page = pages.get(mitigation)
    if page is None:
        column.caption(data.mitigation_title(mitigation))
        return
    with column:
        st.page_link(
            page,
            label="Findings",  # short enough for its column at 1280 px; the mitigation is in the help
            icon=":material/arrow_forward:",
            query_params={"check": check_id},
            help=f"{data.mitigation_title(mitigation)}: the findings of {check_id}",
        )


def _open_alerts(url: str) -> None:
    """Alerts sent between reports that have not recovered yet; nothing when alerts are off."""
    alerts = data.open_alerts(url)
    if alerts.empty:
        return
    st.subheader("Open alerts")
    pending = int(alerts["pending"].sum())
    st.caption(
        f"{len(alerts)} open until they recover"
        + (
            f"; {pending} not yet accepted by every channel (retried after the next evaluation)"
            if pending
            else ""
        )
    )
    show_table(
        alerts[["severity", "title", "opened_at", "delivered_to"]],
        hide_index=True,
        width="stretch",
        column_config={
            "severity": st.column_config.TextColumn("Severity"),
            "title": st.column_config.TextColumn("Alert", width="large"),  # may name resources: text only
            "opened_at": st.column_config.DatetimeColumn("Since", format="YYYY-MM-DD HH:mm"),
            "delivered_to": st.column_config.TextColumn("Sent to"),
        },
    )


def _waivers_due(url: str) -> None:
    waivers = data.waivers(url)
    expired = int((waivers["state"] == "expired").sum())
    soon = int((waivers["state"] == "expires soon").sum())
    if expired or soon:
        st.warning(
            f"Waivers: {expired} expired (their findings count again), {soon} expire within two "
            "weeks. Renew or fix them on the Waivers page.",
            icon=":material/event_busy:",
        )


def _freshness(url: str) -> None:
    runs = data.freshness(url)
    st.subheader("Data freshness")
    if runs.empty:
        st.caption("No collector has run yet.")
        return
    summary = data.source_summary(runs)
    attention = summary[summary["state"].isin(["stale", "failed", "partial", "never collected"])]
    if not attention.empty:
        st.warning(
            f"{len(attention)} of {len(summary)} sources need attention (stale, partial, failed or never "
            "collected): "
            "stale facts count as unknown; a failed run keeps the last good facts until they go stale; "
            "a partial run makes checks that need every resource unknown.",
            icon=":material/warning:",
        )
    st.caption("One row per source, in the state of its worst scope; each scope is on the Sources page.")
    show_table(
        source_summary_table(summary), hide_index=True, width="stretch", height=fit_height(len(summary))
    )
