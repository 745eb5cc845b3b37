"""The Training page's phishing programme: the organisation's phish-prone percentage test by
test, the repeat clickers, and the administrators or signers who fell for their latest test."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.app_pages.tables import show_table

PEOPLE_COLUMNS = {
    "person": st.column_config.TextColumn("Person", width="medium"),
    "status": st.column_config.TextColumn("Status"),
    "message": st.column_config.TextColumn("Finding", width="large"),
}


def section(url: str) -> None:
    programme = data.phishing_programme(url)
    if programme is None:
        return
    st.subheader("Phishing programme")
    bound = programme["bound"]
    latest = programme["latest"]
    columns = st.columns(3)
    if latest is not None:
        value = "not measured" if latest["percentage"] is None else f"{latest['percentage']:.1f} %"
        columns[0].metric("Latest phish-prone", value, help=latest["label"], border=True)
    columns[1].metric(
        "Repeat clickers", int((programme["repeat_clickers"]["status"] == "fail").sum()), border=True
    )
    columns[2].metric(
        "Admins and signers who fell for it",
        int((programme["privileged_clickers"]["status"] == "fail").sum()),
        border=True,
    )
    st.caption(
        "Phish-prone percentage as KnowBe4 counts it: every failure (click, data entered, attachment "
        "opened, macro enabled, reply, QR code scanned) over the messages delivered, per phishing test"
        + (f"; the dashed line is the bound, {bound:g} %." if bound is not None else ".")
    )
    tests = programme["tests"]
    st.plotly_chart(charts.phish_prone_trend(tests, bound), width="stretch", config={"displayModeBar": False})
    show_table(
        tests[["started_at", "test", "label", "delivered", "failures", "percentage", "status", "message"]],
        hide_index=True,
        width="stretch",
        column_config={
            "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD"),
            "test": st.column_config.TextColumn("Test"),
            "label": st.column_config.TextColumn("Campaign"),
            "delivered": st.column_config.NumberColumn("Delivered"),
            "failures": st.column_config.NumberColumn("Failures"),
            "percentage": st.column_config.NumberColumn("Phish-prone", format="%.1f %%"),
            "status": st.column_config.TextColumn("Trend check"),
            "message": st.column_config.TextColumn("Finding", width="large"),
        },
    )
    st.markdown("**Repeat clickers**")
    _people(programme["repeat_clickers"], "Nobody failed repeatedly in the recent tests.")
    st.markdown("**Administrators and signers who fell for their latest test**")
    _people(programme["privileged_clickers"], "No administrator or signer fell for their latest test.")


def _people(frame, none_text: str) -> None:
    if frame.empty:
        st.caption(none_text)
        return
    show_table(frame, hide_index=True, width="stretch", column_config=PEOPLE_COLUMNS)
