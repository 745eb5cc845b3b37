"""People: each person's identities across sources, MFA, training, roles and what fails."""

from __future__ import annotations

import streamlit as st

from dashboard import data, inventories, people_pages
from dashboard.app_pages.components import issues_csv, page_picker, paged_findings_table
from dashboard.app_pages.tables import show_table
from dashboard.labels import spreadsheet_csv

COLUMNS = {
    "person": st.column_config.TextColumn("Person", width="medium"),
    "kind": st.column_config.TextColumn("Class", help="employee, guest (external) or machine"),
    "why": st.column_config.TextColumn("Why this class", width="medium"),
    "identities": st.column_config.TextColumn("Identities", width="large"),
    "sources": st.column_config.TextColumn("Sources"),
    "mfa": st.column_config.TextColumn("MFA", help="every active identity enrolled in MFA"),
    "factors": st.column_config.TextColumn("Factors"),
    "phishing_resistant": st.column_config.TextColumn("Phishing-resistant"),
    "awareness_training": st.column_config.TextColumn("Awareness", help="latest passed awareness module"),
    "lure_training": st.column_config.TextColumn("Lure training", help="latest passed lure module"),
    "privileged": st.column_config.TextColumn("Privileged"),
    "roles": st.column_config.TextColumn("Roles"),
    "signer_for": st.column_config.TextColumn("Signs for", width="medium"),
    "open_findings": st.column_config.NumberColumn("Open findings"),
    "failing": st.column_config.TextColumn("Failing checks", width="medium"),
    "id": None,  # hidden: the person's key, to match their findings
    "active": None,  # hidden: counted by class only while some identity is active
}


def render() -> None:
    url = data.database_url()
    st.title("People")
    st.caption(
        "Identities from every source resolved to one person (policy.people), each an employee, a "
        "guest from outside the organisation or a machine identity, as the latest evaluation resolved "
        "them for its checks, with what fails for them."
    )
    evaluation_id = inventories.latest_evaluation(url)
    counted = people_pages.census(url, evaluation_id) if evaluation_id is not None else {}
    if not sum(counted.get(name, 0) for name in ("employees", "guest", "machines", "departed")):
        st.info(
            "No identities in the latest evaluation: connect an identity source and run `vaultward collect` "
            "(an evaluation stored before inventories were shows them after the next evaluation)."
        )
        return
    assert evaluation_id is not None
    counts = st.columns(4)
    counts[0].metric("Employees", counted["employee"])
    counts[1].metric("Guests (external)", counted["guest"])
    counts[2].metric("Machine identities", counted["machine"])
    counts[3].metric("Departed", counted["departed"], help="every identity suspended or deprovisioned")
    text = st.text_input("Search", key="people_search", placeholder="name, e-mail, identity, role or check")
    toggles = st.columns(4)  # a row of their own: beside the search their labels were cut
    chosen = people_pages.PeopleFilter(
        text=text,
        privileged=toggles[0].checkbox("Privileged only", key="people_privileged"),
        signers=toggles[1].checkbox("Signers only", key="people_signers"),
        failing=toggles[2].checkbox("Failing only", key="people_failing"),
        machines=toggles[3].checkbox("Machine accounts", key="people_machines"),
    )
    total = people_pages.count(url, evaluation_id, chosen)
    first = page_picker(total, "people_table")
    shown = people_pages.people(url, evaluation_id, chosen, data.PAGE_SIZE, first)
    st.caption(
        f"{len(shown)} shown"
        + (f" of {total} (rows {first + 1}-{first + len(shown)})" if total > len(shown) else "")
        + f" · {counted['employees']} "
        f"employees, {counted['privileged']} privileged, {counted['signers']} signers, {counted['failing']} with "
        f"open findings · machine accounts: {counted['machines']}"
    )
    show_table(shown, hide_index=True, width="stretch", column_config=COLUMNS, key="people_table")
    st.download_button(
        f"Download CSV ({total} people)",
        data=lambda: people_csv(url, evaluation_id, chosen),  # made on click, not per rerun
        file_name=data.download_name("people", "people.csv"),
        mime="text/csv",
        icon=":material/download:",
        key="people_table_csv",
    )
    paged_findings_table(
        people_pages.issue_count(url, evaluation_id, chosen),
        lambda at: people_pages.issues(url, evaluation_id, chosen, data.PAGE_SIZE, at),
        lambda: issues_csv(people_pages.issues(url, evaluation_id, chosen), "Person"),
        "Person",
        "people_issues",
    )

    outside = people_pages.guests(url, evaluation_id, text)
    st.subheader("Guests from outside the organisation")
    st.caption(
        "Not staff: the people checks (MFA per person, training) leave them out; each guest account "
        "is still judged by the account checks (a B2B guest's MFA may be their home tenant's)."
    )
    if outside.empty:
        st.caption("No guest matches." if text else "No guest account collected.")
    else:
        show_table(outside, hide_index=True, width="stretch", column_config=COLUMNS, key="guests_table")


def people_csv(url: str, evaluation_id: int, chosen: people_pages.PeopleFilter) -> bytes:
    """Every person the filters keep, cells that look like formulas neutralised."""
    everyone = people_pages.people(url, evaluation_id, chosen)
    return spreadsheet_csv(everyone.drop(columns=["id", "active"]))
