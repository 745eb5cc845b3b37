"""Wallets and keys: each wallet, signing key and HSM cluster with its threshold, signers as
people, HSM backing, transfer policy, value tier and what fails."""

from __future__ import annotations

import streamlit as st

from dashboard import data, inventories
from dashboard.app_pages.components import open_findings_table
from dashboard.app_pages.tables import show_table

KINDS = ["wallet", "signing key", "HSM cluster"]
COLUMNS = {
    "name": st.column_config.TextColumn("Name", width="medium"),
    "kind": st.column_config.TextColumn("Kind"),
    "provider": st.column_config.TextColumn("Provider"),
    "threshold": st.column_config.TextColumn(
        "Threshold",
        help=(
            "m-of-n as the vendor defines it: of a Safe's owners, of a BitGo wallet's keys (user, "
            "backup, BitGo) with the admin approvals BitGo asks for; MPC vaults: the transfer policy"
        ),
    ),
    "signers": st.column_config.TextColumn(
        "Signers", width="large", help="who can sign, spend or approve, as people, with their vendor role"
    ),
    "hsm_backing": st.column_config.TextColumn("HSM backing", width="medium"),
    "policy": st.column_config.TextColumn("Transfer policy", width="medium"),
    "value_tier": st.column_config.TextColumn("Value tier"),
    "value_usd": st.column_config.TextColumn(
        "Value (USD)",
        help="From the vendor's balances and the configured price table (policy.custody.prices)",
    ),
    "open_findings": st.column_config.NumberColumn("Open findings"),
    "failing": st.column_config.TextColumn("Failing checks", width="medium"),
    "key": st.column_config.TextColumn("Id"),
}


def render() -> None:
    url = data.database_url()
    st.title("Wallets and keys")
    st.caption(
        "Signers as each vendor defines them (Safe owners, BitGo spenders and admins, Fireblocks "
        "signing roles and policy approvers), resolved to people the way the custody checks do "
        "(policy.people.signers and the identity sources): as the latest evaluation judged them, "
        "with what fails for them."
    )
    everything, issues = inventories.custody(url)
    if everything.empty:
        st.info(
            "No wallets, signing keys or HSM clusters in the latest evaluation: connect a custody source "
            "(an evaluation stored before inventories were shows them after the next evaluation)."
        )
        return
    search, kind_column, failing_column = st.columns([3, 2, 1])
    text = search.text_input("Search", key="custody_search", placeholder="name, id, signer, rule or check")
    kinds = kind_column.multiselect("Kind", KINDS, key="custody_kinds", placeholder="All kinds")
    failing = failing_column.checkbox("Failing only", key="custody_failing")
    shown = inventories.filter_custody(everything, text, kinds, failing)
    counts = everything["kind"].value_counts()
    st.caption(
        f"{len(shown)} shown · {counts.get('wallet', 0)} wallets "
        f"({int((everything['value_tier'] == 'high').sum())} high-value), "
        f"{counts.get('signing key', 0)} signing keys, {counts.get('HSM cluster', 0)} HSM clusters"
    )
    show_table(shown, hide_index=True, width="stretch", column_config=COLUMNS, key="custody_table")
    open_findings_table(issues[issues["subject_id"].isin(shown["key"])], "Wallet or key", "custody_issues")
