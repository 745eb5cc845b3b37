"""Waivers: accepted risks with their owner and expiry, and the findings they take out."""

from __future__ import annotations

import streamlit as st

from dashboard import data

STATE_STYLES = {
    "expired": "background-color: #fee2e2; color: #991b1b",
    "expires soon": "background-color: #fef3c7; color: #92400e",
    "active": "color: #15803d",
}


def render() -> None:
    url = data.database_url()
    st.title("Waivers")
    st.caption(
        "A waiver accepts a failing finding for a while: it is left out of the score and listed "
        "here. When it expires the finding counts again. Manage them with `vaultward waive`."
    )
    waivers = data.waivers(url)
    if waivers.empty:
        st.info("No waivers: every failing finding counts in the score.", icon=":material/info:")
    else:
        expired = int((waivers["state"] == "expired").sum())
        soon = int((waivers["state"] == "expires soon").sum())
        if expired or soon:
            st.warning(
                f"{expired} expired (their findings count again) · {soon} expire within two weeks.",
                icon=":material/event_busy:",
            )
        table = waivers[["id", "state", "check_id", "resource_pattern", "owner", "expires_at", "reason"]]
        st.dataframe(
            table.style.map(lambda state: STATE_STYLES.get(state, ""), subset=["state"]),
            hide_index=True,
            width="stretch",
            column_config={
                "id": st.column_config.NumberColumn("Id"),
                "state": st.column_config.TextColumn("State"),
                "check_id": st.column_config.TextColumn("Check"),
                "resource_pattern": st.column_config.TextColumn("Resources"),
                "owner": st.column_config.TextColumn("Owner"),
                "expires_at": st.column_config.DatetimeColumn("Expires", format="YYYY-MM-DD"),
                "reason": st.column_config.TextColumn("Reason", width="large"),
            },
        )
    st.subheader("Waived findings in the latest evaluation")
    waived = data.waived_findings(url)
    if waived.empty:
        st.caption("None.")
        return
    st.dataframe(
        waived,
        hide_index=True,
        width="stretch",
        column_config={
            "check_id": st.column_config.TextColumn("Check"),
            "resource": st.column_config.TextColumn("Resource"),
            "message": st.column_config.TextColumn("Message", width="large"),
            "status_if_not_waived": st.column_config.TextColumn("Would be"),
            "waiver_id": st.column_config.NumberColumn("Waiver"),
            "waiver_reason": st.column_config.TextColumn("Reason"),
        },
    )
