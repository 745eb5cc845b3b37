"""Vaultward dashboard entry point: wires the pages into st.navigation, nothing else."""

from functools import partial

import streamlit as st

from dashboard import data
from dashboard.app_pages import catalog, mitigation, overview, people, waivers, wallets
from dashboard.app_pages.components import short_title

st.set_page_config(page_title="Vaultward", page_icon=":material/shield_lock:", layout="wide")

mitigation_pages = {
    name: st.Page(
        partial(mitigation.render, name),
        title=short_title(name),
        url_path=name,
        icon=":material/policy:",
    )
    for name in data.mitigations_present(data.database_url())
}
overview_page = st.Page(
    partial(overview.render, mitigation_pages),
    title="Overview",
    icon=":material/dashboard:",
    default=True,
)
pages = {"Readiness": [overview_page]}
if mitigation_pages:
    pages["Mitigations"] = list(mitigation_pages.values())
pages["Inventory"] = [
    st.Page(people.render, title="People", url_path="people", icon=":material/group:"),
    st.Page(wallets.render, title="Wallets and keys", url_path="wallets", icon=":material/key:"),
]
pages["Governance"] = [
    st.Page(catalog.render, title="Checks and frameworks", url_path="checks", icon=":material/fact_check:"),
    st.Page(waivers.render, title="Waivers", url_path="waivers", icon=":material/assignment_late:"),
]

with st.sidebar:
    st.markdown("### :material/shield_lock: Vaultward")
    st.caption("Readiness against Lazarus-style theft")
st.navigation(pages).run()
