"""Waivers: accepted risks with their owner and expiry, and the findings they take out."""

from __future__ import annotations

import streamlit as st

from dashboard import actions, auth, data
from dashboard.app_pages.tables import show_table
from vaultward.store.waivers import WaiverError

STATE_STYLES = {
    "expired": "background-color: #fee2e2; color: #991b1b",
    "expires soon": "background-color: #fef3c7; color: #92400e",
    "active": "color: #15803d",
}


def render() -> None:
    url = data.database_url()
    viewer = auth.current_viewer()
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
        show_table(
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
    if viewer.is_admin:
        _new_waiver(url, viewer)
    else:
        st.caption("Viewers cannot create waivers: ask an admin.")
    _waived_findings(url)
    _audit(url)


def _new_waiver(url: str, viewer) -> None:
    with st.expander("New waiver", icon=":material/add:"), st.form("new_waiver", clear_on_submit=False):
        check_id = st.selectbox("Check", sorted(data.check_catalog()), key="waiver_check")
        resource = st.text_input(
            "Resources",
            placeholder="a resource key, or a pattern such as arn:aws:iam::*:user/bob",
            key="waiver_resource",
        )
        reason = st.text_area("Reason", key="waiver_reason")
        owner = st.text_input("Owner (e-mail)", key="waiver_owner")
        expires = st.text_input(
            "Expires",
            value="30d",
            help="30d, or a date like 2027-03-31 (at most a year)",
            key="waiver_expires",
        )
        submitted = st.form_submit_button("Create waiver", type="primary")
    if submitted:
        try:
            waiver = actions.create_waiver(url, viewer, check_id, resource, reason, owner, expires)
        except WaiverError as error:
            st.error("The waiver was not created:\n" + "\n".join(f"- {p}" for p in error.problems))
        else:
            st.success(
                f"Waiver {waiver.id} created; it applies from the next evaluation.", icon=":material/check:"
            )


def _audit(url: str) -> None:
    st.subheader("Audit log")
    events = data.audit_events(url)
    if events.empty:
        st.caption("No admin action yet.")
        return
    show_table(
        events,
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "actor": st.column_config.TextColumn("Who"),
            "action": st.column_config.TextColumn("What"),
            "target": st.column_config.TextColumn("On"),
            "details": st.column_config.TextColumn("Details", width="large"),
        },
    )


def _waived_findings(url: str) -> None:
    st.subheader("Waived findings in the latest evaluation")
    waived = data.waived_findings(url)
    if waived.empty:
        st.caption("None.")
        return
    show_table(
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
