"""Vaultward dashboard entry point: wires the pages into st.navigation, nothing else."""

import logging
from functools import partial

import streamlit as st

from dashboard import auth, data
from dashboard.app_pages import (
    attack_path,
    catalog,
    endpoints,
    mitigation,
    overview,
    people,
    reports,
    sources,
    trends,
    waivers,
    wallets,
)
from dashboard.app_pages.components import short_title

st.set_page_config(page_title="Vaultward", page_icon=":material/shield_lock:", layout="wide")
viewer = auth.current_viewer()  # a login screen until someone is signed in

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
attack_path_page = st.Page(
    partial(attack_path.render, mitigation_pages),
    title="Attack path",
    url_path="attack-path",
    icon=":material/route:",
)
trends_page = st.Page(trends.render, title="Trends", url_path="trends", icon=":material/trending_up:")
pages = {"Readiness": [overview_page, attack_path_page, trends_page]}
if mitigation_pages:
    pages["Mitigations"] = list(mitigation_pages.values())
pages["Inventory"] = [
    st.Page(people.render, title="People", url_path="people", icon=":material/group:"),
    st.Page(wallets.render, title="Wallets and keys", url_path="wallets", icon=":material/key:"),
    st.Page(endpoints.render, title="Endpoints", url_path="endpoints", icon=":material/laptop_mac:"),
]
pages["Governance"] = [
    st.Page(catalog.render, title="Checks and frameworks", url_path="checks", icon=":material/fact_check:"),
    st.Page(waivers.render, title="Waivers", url_path="waivers", icon=":material/assignment_late:"),
    st.Page(reports.render, title="Reports", url_path="reports", icon=":material/summarize:"),
]
pages["Operations"] = [
    st.Page(sources.render, title="Sources", url_path="sources", icon=":material/cloud_sync:")
]

with st.sidebar:
    st.markdown("### :material/shield_lock: Vaultward")
    st.caption("Readiness against Lazarus-style theft")
auth.sidebar(viewer)
try:
    st.navigation(pages, expanded=True).run()  # every page listed: none behind "View more"
except Exception as error:  # shown redacted: Streamlit's own display would show the raw message
    logging.getLogger("dashboard").exception("page failed")
    st.error(data.redacted(f"This page failed: {type(error).__name__}: {error}"), icon=":material/error:")
