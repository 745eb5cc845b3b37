"""Reports: the weekly posture reports recorded so far, their files, and (admins) a report
generated now."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import streamlit as st

from dashboard import actions, auth, data
from dashboard.app_pages.tables import show_table
from vaultward.reporting.files import ReportError, iso_week_of
from vaultward.store.models import utcnow

MIME = {
    "json": "application/json",
    "csv": "text/csv",
    "html": "text/html",
    "pdf": "application/pdf",
    "ocsf": "application/x-ndjson",
}
FORMAT_ORDER = ["pdf", "html", "csv", "json", "ocsf"]
DOWNLOAD_WEEKS = 12


def render() -> None:
    url = data.database_url()
    viewer = auth.current_viewer()
    st.title("Reports")
    st.caption(
        "The weekly posture report: the last evaluation of an ISO week against the week before. "
        "`vaultward report` writes the same files from the command line."
    )
    if viewer.is_admin:
        _generate(url, viewer)
    else:
        st.caption("Viewers cannot generate reports: ask an admin.")
    reports = data.reports(url)
    if reports.empty:
        st.info("No report yet.", icon=":material/info:")
        return
    show_table(
        reports.drop(columns="files"),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("Id"),
            "iso_week": st.column_config.TextColumn("Week"),
            "evaluation_id": st.column_config.NumberColumn("Evaluation"),
            "generated_at": st.column_config.DatetimeColumn("Generated", format="YYYY-MM-DD HH:mm"),
            "delivered_to": st.column_config.TextColumn("Delivered to"),
        },
    )
    _deliveries(url)
    st.subheader("Download")
    for row in reports.head(DOWNLOAD_WEEKS).itertuples():
        label, *buttons = st.columns([2] + [1] * len(FORMAT_ORDER), vertical_alignment="center")
        label.markdown(f"**{row.iso_week}** :gray[report {row.id}]")
        for column, (kind, path) in zip(buttons, sorted(row.files.items(), key=_format_order), strict=False):
            file = Path(path)
            if file.exists():
                column.download_button(
                    kind.upper(), data=file.read_bytes(), file_name=file.name,
                    mime=MIME.get(kind, "application/octet-stream"), key=f"report_{row.id}_{kind}",
                    icon=":material/download:",
                )  # fmt: skip
            else:
                column.caption(f"{kind.upper()}: no longer on this server")
    if len(reports) > DOWNLOAD_WEEKS:
        st.caption(f"Older reports: in the reports folder ({len(reports) - DOWNLOAD_WEEKS} more).")


def _format_order(item: tuple[str, str]) -> int:
    return FORMAT_ORDER.index(item[0]) if item[0] in FORMAT_ORDER else len(FORMAT_ORDER)


def _deliveries(url: str) -> None:
    st.subheader("Deliveries")
    deliveries = data.report_deliveries(url)
    if deliveries.empty:
        st.caption("Nothing delivered yet.")
        return
    failed = deliveries[deliveries["status"] == "failed"]
    latest = deliveries.drop_duplicates(["report_id", "target"])  # newest attempt per target
    pending = latest[latest["status"] == "failed"]
    if not pending.empty:
        st.warning(
            f"{len(pending)} delivery target(s) failed on their last attempt; the next run of the "
            "weekly job (or `vaultward report --deliver`) tries them again.",
            icon=":material/warning:",
        )
    st.caption(f"{len(deliveries)} attempt(s) shown, {len(failed)} failed.")
    show_table(
        deliveries,
        hide_index=True,
        width="stretch",
        column_config={
            "report_id": st.column_config.NumberColumn("Report"),
            "iso_week": st.column_config.TextColumn("Week"),
            "target": st.column_config.TextColumn("Target", width="large"),
            "status": st.column_config.TextColumn("Status"),
            "attempts": st.column_config.NumberColumn("Attempts"),
            "attempted_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "error": st.column_config.TextColumn("Error", width="large"),  # redacted when recorded
        },
    )


def _generate(url: str, viewer) -> None:
    with st.form("generate_report"):
        week = st.text_input("ISO week", value=iso_week_of(utcnow() - timedelta(days=7)), key="report_week")
        submitted = st.form_submit_button("Generate now", type="primary")
    if submitted:
        try:
            row, new = actions.generate_report(url, viewer, week.strip())
        except ReportError as error:
            st.error(str(error))
        else:
            st.success(
                f"Report {row.id} for {row.iso_week} "
                + ("generated." if new else "unchanged: nothing new recorded."),
                icon=":material/check:",
            )
