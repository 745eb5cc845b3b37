"""Endpoints: people x devices (signers and administrators first) and what fails on each, as the
latest evaluation's access.signer_devices and detection.edr_coverage judged them; devices tied
to no person apart. Also the account-takeover alerts the Overview and the Attack path show."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.app_pages.tables import show_table
from vaultward.read import endpoints
from vaultward.read.evaluations import latest_evaluation_id
from vaultward.read.workstation_report import workstation_stage

DEVICE_COLUMNS = {
    "person": st.column_config.TextColumn("Person", width="medium"),
    "role": st.column_config.TextColumn("Role", width="medium"),
    "group": None,  # hidden: what the role filter picks
    "device": st.column_config.TextColumn("Device", width="medium"),
    "sources": st.column_config.TextColumn("Source(s)"),
    "platform": st.column_config.TextColumn("Platform"),
    "os_version": st.column_config.TextColumn("OS version"),
    "managed": st.column_config.TextColumn("Managed"),
    "encrypted": st.column_config.TextColumn("Encrypted"),
    "edr": st.column_config.TextColumn("EDR running"),
    "last_seen": st.column_config.TextColumn("Last seen (UTC)"),
    "status": st.column_config.TextColumn("Status", help="unknown: the check could not judge it (see why)"),
    "fails": st.column_config.TextColumn("What fails (or why unknown)", width="large"),
    "person_id": None,
    "device_id": None,
}
ALERT_COLUMNS = {
    "who": st.column_config.TextColumn("Who", width="medium"),
    "role": st.column_config.TextColumn("Role"),
    "what": st.column_config.TextColumn("What", width="medium"),
    "at": st.column_config.TextColumn("When (UTC)"),
    "source": st.column_config.TextColumn("Source"),
    "reason": st.column_config.TextColumn("Finding", width="large"),
}
STAGE_DEVICE_COLUMNS = {
    "person": st.column_config.TextColumn("Person", width="medium"),
    "status": st.column_config.TextColumn("Status"),
    "devices": st.column_config.TextColumn("Device(s)", width="medium"),
    "message": st.column_config.TextColumn("What fails (or why unknown)", width="large"),
    "role": st.column_config.TextColumn("Role"),
}
EDR_GAP_COLUMNS = {
    "device": st.column_config.TextColumn("Device", width="medium"),
    "people": st.column_config.TextColumn("Used by", width="medium"),
    "status": st.column_config.TextColumn("Status"),
    "message": st.column_config.TextColumn("Why", width="large"),
}
SIGNER_ROLES = "signers and administrators"
# What fails beside whose device it is: at 1280 px the columns after it need the scroller.
ORDER = ["person", "role", "device", "status", "fails", "sources", "platform", "os_version", "managed",
         "encrypted", "edr", "last_seen"]  # fmt: skip


@st.cache_data(ttl=data.CACHE_TTL, show_spinner=False)
def frames(url: str) -> dict[str, pd.DataFrame]:
    """The latest evaluation's people x devices, unmatched devices and takeover alerts."""
    with data.session(url) as s:
        evaluation_id = latest_evaluation_id(s)
        stored = endpoints.stored_findings(s, evaluation_id) if evaluation_id is not None else []
    devices, unmatched = endpoints.people_devices(stored)
    alerts = endpoints.takeover_alerts(stored)
    device_columns = list(DEVICE_COLUMNS)
    return {
        "devices": pd.DataFrame([asdict(row) for row in devices], columns=device_columns),
        "unmatched": pd.DataFrame([asdict(row) for row in unmatched], columns=device_columns),
        "alerts": pd.DataFrame([asdict(a) for a in alerts], columns=[*ALERT_COLUMNS, "status", "person_id"]),
    }


@st.cache_data(ttl=data.CACHE_TTL, show_spinner=False)
def workstation(url: str) -> dict[str, Any] | None:
    """The latest evaluation's workstation stage as the weekly report shows it: the signers'
    and administrators' people whose devices fail or are unknown, their devices' EDR gaps and
    the EDR tallies; None when its checks did not run."""
    with data.session(url) as s:
        evaluation_id = latest_evaluation_id(s)
        stage = workstation_stage(s, evaluation_id) if evaluation_id is not None else None
    if stage is None:
        return None
    people = [{**asdict(line), "devices": ", ".join(line.devices) or "none known"} for line in stage.devices]
    gaps = [{**asdict(gap), "people": ", ".join(gap.people)} for gap in stage.edr_gaps]
    return {
        "devices": pd.DataFrame(people, columns=list(STAGE_DEVICE_COLUMNS)),
        "edr_gaps": pd.DataFrame(gaps, columns=list(EDR_GAP_COLUMNS)),
        "edr": asdict(stage.edr),
        "edr_privileged": asdict(stage.edr_privileged),
        "devices_passed": stage.devices_passed,
    }


def render() -> None:
    url = data.database_url()
    st.title("Endpoints")
    st.caption(
        "Each signer's and administrator's devices as access.signer_devices judged them (managed, encrypted, "
        "within the supported OS window, seen within the week, EDR running), then everyone else's as "
        "detection.edr_coverage did, from the latest evaluation. A person whose devices are unknown shows "
        "unknown with the reason, never a pass."
    )
    shown = frames(url)
    devices, unmatched = shown["devices"], shown["unmatched"]
    if devices.empty and unmatched.empty:
        st.info(
            "No device in the latest evaluation: connect a device source (Fleet, CrowdStrike, Intune, Jamf "
            "Pro) and run `vaultward collect`.",
            icon=":material/info:",
        )
        return
    search, role_column, failing_column = st.columns([3, 2, 1])
    text = search.text_input(
        "Search", key="endpoints_search", placeholder="person, device, source or problem"
    )
    present = set(devices["group"])
    roles = role_column.multiselect(
        "Role", [g for g in endpoints.GROUPS if g in present], key="endpoints_roles", placeholder="All roles"
    )
    failing = failing_column.checkbox("Failing only", key="endpoints_failing")
    picked = filtered(devices, text, roles, failing)
    people = devices[devices["group"] != "other"]
    st.caption(
        f"{len(picked)} shown · {people['person_id'].nunique()} {SIGNER_ROLES}: "
        f"{people[people['status'] == 'fail']['person_id'].nunique()} failing, "
        f"{people[people['status'] == 'unknown']['person_id'].nunique()} unknown · "
        f"{len(unmatched)} device(s) tied to no person"
    )
    show_table(picked, hide_index=True, width="stretch", column_config=DEVICE_COLUMNS, column_order=ORDER,
               key="endpoints_table")  # fmt: skip
    st.subheader("Devices tied to no person")
    st.caption(
        "No identity source names their user: a signer's or administrator's laptop among them goes "
        "unjudged. Map each user to a person in `policy.people.aliases`."
    )
    if unmatched.empty:
        st.caption("Every device is tied to a person.")
    else:
        show_table(
            unmatched.drop(columns=["person", "role", "group"]),
            hide_index=True,
            width="stretch",
            column_config=DEVICE_COLUMNS,
            column_order=ORDER[2:],
            key="endpoints_unmatched",
        )


def filtered(devices: pd.DataFrame, text: str, roles: list[str], failing: bool) -> pd.DataFrame:
    """The rows the page's filters keep (a new frame: the cached one is shared)."""
    keep = pd.Series(True, index=devices.index)
    if failing:
        keep &= devices["status"] == "fail"
    if roles:
        keep &= devices["group"].isin(roles)
    if text:
        needle = text.lower()
        searched = ["person", "device", "sources", "fails", "platform"]
        keep &= devices[searched].apply(lambda c: c.str.lower().str.contains(needle, regex=False)).any(axis=1)
    return devices[keep]


def takeover_alerts(url: str, pages: dict[str, Any] | None, key: str) -> None:
    """The failing account-takeover signals of signers and administrators as open alerts, and
    whose logs cannot tell (with the reason); nothing when the check judged nobody."""
    alerts = frames(url)["alerts"]
    if alerts.empty:
        return
    st.subheader("Account-takeover alerts")
    signals = alerts[alerts["status"] == "fail"]
    st.caption(
        f"{len(signals)} signal(s) for {signals['person_id'].nunique()} signer(s) or administrator(s) in the "
        f"identity providers' logs; {int((alerts['status'] == 'unknown').sum())} whose logs cannot tell. "
        "Confirm each with the person out of band."
    )
    show_table(
        alerts.drop(columns=["person_id"]),
        hide_index=True,
        width="stretch",
        column_config={**ALERT_COLUMNS, "status": st.column_config.TextColumn("Status")},
        column_order=["who", "what", "at", "source", "status", "reason", "role"],  # the long role last
        key=f"{key}_takeover",
    )
    page = (pages or {}).get("access")
    if page is not None:
        st.page_link(
            page,
            label="The account-takeover findings",
            icon=":material/arrow_forward:",
            query_params={"check": endpoints.TAKEOVER},
        )


def workstation_failures(url: str, key: str) -> None:
    """The Attack path's workstation stage in the words of its checks, as the weekly report
    shows it: whose devices fail or cannot be judged and what fails on which, the EDR coverage
    and the signers' and administrators' devices without a working sensor."""
    stage = workstation(url)
    if stage is None:
        return
    people = stage["devices"]
    st.markdown(f"**Signers' and administrators' devices that fail or are unknown ({len(people)})**")
    if not people.empty:
        show_table(people, hide_index=True, width="stretch", column_config=STAGE_DEVICE_COLUMNS,
                   key=f"{key}_devices")  # fmt: skip
    elif stage["devices_passed"]:
        st.caption(
            f"Every device of the {stage['devices_passed']} signer(s) and administrator(s) judged passes."
        )
    else:
        st.caption("No signer's or administrator's device was judged.")
    edr, mine = stage["edr"], stage["edr_privileged"]
    if not any(edr.values()):
        st.caption("EDR coverage: no device is listed, so it is unmeasured, not complete.")
    else:
        st.caption(
            f"EDR coverage, every device: {edr['covered']} covered, {edr['not_covered']} not covered, "
            f"{edr['unknown']} unknown · signers' and administrators' devices: {mine['covered']} covered, "
            f"{mine['not_covered']} not covered, {mine['unknown']} unknown"
        )
    if not stage["edr_gaps"].empty:
        show_table(stage["edr_gaps"], hide_index=True, width="stretch", column_config=EDR_GAP_COLUMNS,
                   key=f"{key}_edr_gaps")  # fmt: skip
