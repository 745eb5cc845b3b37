"""Reports: the weekly posture reports recorded so far, their files, and (admins) a report
generated now."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import streamlit as st

from dashboard import auth, data
from vaultward.models import utcnow
from vaultward.report import ReportError, iso_week_of

MIME = {"json": "application/json", "csv": "text/csv", "html": "text/html", "pdf": "application/pdf"}


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
    st.dataframe(
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
    st.subheader("Download")
    for row in reports.itertuples():
        for kind, path in sorted(row.files.items()):
            file = Path(path)
            if file.exists():
                st.download_button(
                    f"{row.iso_week} {kind.upper()}", data=file.read_bytes(), file_name=file.name,
                    mime=MIME.get(kind, "application/octet-stream"), key=f"report_{row.id}_{kind}",
                    icon=":material/download:",
                )  # fmt: skip
            else:
                st.caption(f"{row.iso_week} {kind.upper()}: the file is no longer on this server")


def _generate(url: str, viewer) -> None:
    with st.form("generate_report"):
        week = st.text_input("ISO week", value=iso_week_of(utcnow() - timedelta(days=7)), key="report_week")
        submitted = st.form_submit_button("Generate now", type="primary")
    if submitted:
        try:
            row, new = data.generate_report(url, viewer, week.strip())
        except ReportError as error:
            st.error(str(error))
        else:
            st.success(
                f"Report {row.id} for {row.iso_week} "
                + ("generated." if new else "unchanged: nothing new recorded."),
                icon=":material/check:",
            )
