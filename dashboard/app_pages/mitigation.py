"""One mitigation in detail: its score, its checks, and every finding with its evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.app_pages import phishing
from dashboard.app_pages.components import (
    COUNT_COLUMNS,
    SCORE_COLUMN,
    band_styles,
    banded_score,
    baseline_note,
    no_evidence_note,
    when,
)
from dashboard.app_pages.finding_panel import (
    ROW_HEIGHT,
    anchor_of,
    finding_detail,
    scroll_to,
    selectable_table,
    table_height,
)
from dashboard.app_pages.tables import show_table
from vaultward.contract.vocabulary import SEVERITIES

STATUSES = ["fail", "unknown", "waived", "pass", "skipped"]
STATUS_STYLES = {
    "fail": "color: #b91c1c; font-weight: 600",
    "unknown": "color: #64748b; font-weight: 600",
    "waived": "color: #4f46e5",
    "pass": "color: #15803d",
}
# The findings table fits a 1280 px screen beside the sidebar, every column in view, the
# message widest; a clicked row shows the finding in full below (cells wrap to three lines).
FINDING_COLUMNS = {
    "status": st.column_config.TextColumn("Status", width=72),
    "severity": st.column_config.TextColumn("Severity", width=68),
    "check_title": st.column_config.TextColumn("Check", width=190),
    "resource_name": st.column_config.TextColumn("Resource", width=134),
    "message": st.column_config.TextColumn("Message", width=318),
}


def render(mitigation: str) -> None:
    url = data.database_url()
    st.title(data.mitigation_title(mitigation))
    latest = data.latest_evaluation(url)
    scores = data.mitigation_scores(url)
    match = scores[scores["mitigation"] == mitigation]
    if latest is None or match.empty:
        st.info(
            f"The latest evaluation has no score for `{mitigation}`. Run `vaultward evaluate` "
            "after collecting from its sources.",
            icon=":material/info:",
        )
        return
    row = match.iloc[0].to_dict()
    st.caption(f"`{mitigation}` · latest evaluation {when(latest['started_at'])}")
    _summary(url, row)
    if mitigation == "segmentation":
        _zone_conflicts(url)
    if mitigation == "training":
        phishing.section(url)
    checks = data.check_scores(url, mitigation)
    _checks(checks)
    _findings(url, mitigation)


def _summary(url: str, row: dict) -> None:
    baseline = data.baseline_evaluation(url)
    band_styles()
    columns = st.columns(4)
    with columns[0]:
        banded_score(
            "Score",
            row["score"],
            row["measured"],
            f"card-{row['mitigation']}",
            delta=row["delta"],
            help=baseline_note(baseline) if row["delta"] is not None else "no earlier evaluation",
            border=True,
        )
    columns[1].metric("Checks", row["check_count"], border=True)
    columns[2].metric("Failed resources", row["failed"], border=True)
    columns[3].metric("Unknown resources", row["unknown"], border=True)
    if not row["measured"]:
        st.markdown(no_evidence_note(row["mitigation"]))


def _zone_conflicts(url: str) -> None:
    """VPCs whose zone rules disagree: shown before the scores they lower, never settled."""
    conflicts = data.zone_conflicts(url)
    if conflicts.empty:
        return
    st.subheader("Zone conflicts")
    st.warning(
        f"{len(conflicts)} VPC(s) whose zone rules disagree. Each is judged under every zone it "
        "could be in and the worst verdict is kept, until its tag, CIDR or `policy.zones` is fixed.",
        icon=":material/warning:",
    )
    show_table(
        conflicts,
        hide_index=True,
        width="stretch",
        column_config={
            "vpc": st.column_config.TextColumn("VPC"),
            "scope": st.column_config.TextColumn("Scope"),
            "rules": st.column_config.TextColumn("What each rule says", width="large"),
            "status": st.column_config.TextColumn("Finding"),
        },
    )


def _checks(checks: pd.DataFrame) -> None:
    st.subheader("Checks")
    if checks.empty:
        st.caption("No check of this mitigation was scored.")
        return
    st.plotly_chart(charts.check_status_bars(checks), width="stretch", config={"displayModeBar": False})
    # Every column in view at 1280 px, titles wrapped; the id is in each finding's panel.
    show_table(
        checks[["title", "severity", "score", "passed", "failed", "unknown", "waived", "owners", "check_id"]],
        hide_index=True,
        width="stretch",
        row_height=ROW_HEIGHT,
        height=table_height(len(checks)),
        column_config={
            "title": st.column_config.TextColumn("Check", width=250),
            "check_id": None,
            "owners": st.column_config.TextColumn(
                "Owner", width=120, help="Who must act, from [policy.owners]"
            ),
            "severity": st.column_config.TextColumn("Severity", width=68),
            "score": {**SCORE_COLUMN, "width": 120},
            **{name: {**column, "width": 56} for name, column in COUNT_COLUMNS.items()},
        },
    )


def _findings(url: str, mitigation: str) -> None:
    st.subheader("Findings", anchor=anchor_of(mitigation, "findings"))
    facets = data.finding_facets(url, mitigation)
    if not facets["total"]:
        st.caption("No findings in the latest evaluation.")
        return
    # The check filter has a row of its own: a check's title is a sentence, and a chip
    # narrower than its text is cut.
    check_column = st.container()
    status_column, severity_column, source_column, account_column = st.columns(4)
    titles = facets["titles"]
    check_key = f"{mitigation}_checks"
    linked = st.query_params.get("check")  # from "Findings" links on Overview and Attack path
    if check_key not in st.session_state and linked in titles:
        st.session_state[check_key] = [linked]
    checks = check_column.multiselect(
        "Check", sorted(titles, key=lambda c: titles[c]), format_func=titles.__getitem__, key=check_key,
        placeholder="All checks",
    )  # fmt: skip
    statuses = status_column.multiselect(
        "Status", STATUSES, key=f"{mitigation}_status", placeholder="All statuses"
    )
    severities = severity_column.multiselect(
        "Severity", SEVERITIES, key=f"{mitigation}_severity", placeholder="All severities"
    )
    sources = source_column.multiselect(
        "Source", facets["sources"], key=f"{mitigation}_source", placeholder="All sources"
    )
    names = data.account_names(url)
    accounts = account_column.multiselect(
        "Account", facets["accounts"], key=f"{mitigation}_account", placeholder="All accounts",
        format_func=lambda account: data.account_label(account, names),
    )  # fmt: skip
    text = st.text_input(
        "Search", key=f"{mitigation}_search", placeholder="resource, check, scope or message"
    )
    chosen = data.FindingFilter(
        tuple(checks), tuple(statuses), tuple(severities), tuple(sources), tuple(accounts), text
    )
    if linked is not None and linked in titles:  # a drill-down lands on the findings it asked for
        scroll_to(anchor_of(mitigation, "findings"), linked)
    shown, matching = _page_of(url, mitigation, chosen)
    if shown.empty:
        st.caption("No finding matches the filters.")
        return
    # Scope stays in the data (searched, filtered by account) and is shown in the panel below.
    table = shown[["status", "severity", "check_title", "resource_name", "message", "scope"]]
    clicked = selectable_table(
        table.style.map(lambda status: STATUS_STYLES.get(status, ""), subset=["status"]),
        f"{mitigation}_findings",
        shown["id"],
        height=table_height(len(shown), most=10),
        column_config={**FINDING_COLUMNS, "scope": None},
    )
    st.download_button(
        f"Download CSV ({matching} findings)",
        data=lambda: data.findings_csv_of(url, mitigation, chosen),  # made on click, not per rerun
        file_name=data.download_name(mitigation, "findings.csv"),
        mime="text/csv",
        icon=":material/download:",
        key=f"{mitigation}_csv",
    )
    # Before a click, the worst finding of the page.
    finding_detail(shown.iloc[clicked or 0], anchor_of(mitigation, "evidence"), scroll=clicked is not None)


def _page_of(url: str, mitigation: str, chosen: data.FindingFilter) -> tuple[pd.DataFrame, int]:
    """The page of findings the reader is on, with a page picker once they fill more than
    one, and the "N of M findings" line."""
    total = data.finding_facets(url, mitigation)["total"]
    page_key = f"{mitigation}_page"
    if st.session_state.get(f"{mitigation}_filter") != chosen:  # new filters: back to page 1
        st.session_state[f"{mitigation}_filter"] = chosen
        st.session_state[page_key] = 1
    shown, matching = data.findings_page(url, mitigation, chosen, st.session_state.get(page_key, 1) - 1)
    pages = max(1, -(-matching // data.PAGE_SIZE))
    if pages == 1:
        st.caption(f"{matching} of {total} findings")
        return shown, matching
    if st.session_state[page_key] > pages:  # a newer evaluation has fewer
        st.session_state[page_key] = pages
        shown, matching = data.findings_page(url, mitigation, chosen, pages - 1)
    page = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=page_key))
    first = (page - 1) * data.PAGE_SIZE
    st.caption(f"{matching} of {total} findings · showing {first + 1}-{first + len(shown)}")
    return shown, matching
