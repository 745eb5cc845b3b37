"""Checks and frameworks: the latest scores by standard, the catalog, and what was skipped."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.app_pages.components import COUNT_COLUMNS, when
from dashboard.app_pages.tables import show_table


def render() -> None:
    url = data.database_url()
    st.title("Checks and frameworks")
    latest = data.latest_evaluation(url)
    problems(latest)
    frameworks_tab, catalog_tab = st.tabs(["Frameworks", "Catalog"])
    with frameworks_tab:
        _frameworks(url, latest)
    with catalog_tab:
        _catalog()


def problems(latest: dict | None) -> None:
    """Plugins skipped and checks that raised, as the latest evaluation recorded them (and
    plugins this dashboard cannot load, before any evaluation)."""
    reported = list(latest["problems"]) if latest else []
    reported += [
        f"plugin skipped: {b}" for b in data.broken_plugins() if f"plugin skipped: {b}" not in reported
    ]
    if reported:
        st.error(
            f"**{len(reported)} problem(s) with checks.** Skipped plugins are not scored; a check "
            "that raised scores its resources unknown.",
            icon=":material/extension_off:",
        )
        st.code("\n".join(reported), language=None, wrap_lines=True)  # error text: shown verbatim


def _frameworks(url: str, latest: dict | None) -> None:
    if latest is None:
        st.info("No evaluation yet: run `vaultward evaluate`.", icon=":material/info:")
        return
    st.caption(
        f"Latest evaluation {when(latest['started_at'])}. Each control scores the weighted mean of "
        "the checks that cite it (the same arithmetic as a mitigation); counts are resources."
    )
    coverage = data.framework_coverage(url)
    if not coverage:
        st.caption("No scored check cites a standard.")
        return
    tabs = st.tabs(list(coverage))
    for index, (tab, controls) in enumerate(zip(tabs, coverage.values(), strict=True)):
        with tab:
            unmeasured = int((~controls["measured"]).sum())
            st.caption(
                f"{len(controls)} controls cited"
                + (f", {unmeasured} without evidence yet" if unmeasured else "")
            )
            # Each control's score in its band's colour: bars, the band named in the table.
            bands = [
                data.score_band(score, ok)
                for score, ok in zip(controls["score"], controls["measured"], strict=True)
            ]
            banded = controls.assign(band=bands, label=controls["control"])
            st.plotly_chart(
                charts.score_bars(banded),
                width="stretch",
                config={"displayModeBar": False},
                key=f"framework_bars_{index}",
            )
            show_table(
                banded.drop(columns=["measured", "label"]),
                hide_index=True,
                column_order=["control", "title", "score", "band", *COUNT_COLUMNS, "checks"],
                width="stretch",
                column_config={
                    "control": st.column_config.TextColumn("Control"),
                    "title": st.column_config.TextColumn("Title", width="large"),
                    "score": st.column_config.NumberColumn("Score", format="%.1f"),
                    "band": st.column_config.TextColumn("Band"),
                    **COUNT_COLUMNS,
                    "checks": st.column_config.TextColumn("Checks", width="large"),
                },
            )


def _catalog() -> None:
    catalog = pd.DataFrame(
        [{"check_id": check_id, **about} for check_id, about in sorted(data.check_catalog().items())]
    )
    st.caption(f"{len(catalog)} registered checks: built-in and plugins.")
    catalog["references"] = catalog["references"].map(" ".join)
    show_table(
        catalog[
            ["check_id", "mitigation", "severity", "weight", "title", "references", "origin", "remediation"]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "check_id": st.column_config.TextColumn("Id"),
            "mitigation": st.column_config.TextColumn("Mitigation"),
            "severity": st.column_config.TextColumn("Severity"),
            "weight": st.column_config.NumberColumn("Weight", format="%g"),
            "title": st.column_config.TextColumn("Check", width="large"),
            "references": st.column_config.TextColumn("References"),
            "origin": st.column_config.TextColumn("Origin"),
            "remediation": st.column_config.TextColumn("Remediation", width="large"),
        },
    )
