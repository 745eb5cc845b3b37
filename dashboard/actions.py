"""What an admin changes from the dashboard: a waiver, a report generated now. Each checks the
viewer server-side, calls the core, and drops the cached reads so every page shows it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.runtime import check_catalog, engine, registry, settings


def create_waiver(url: str, viewer, check_id: str, resource: str, reason: str, owner: str, expires: str):
    """An admin's waiver, stored with its audit event (raises `WaiverError` naming each
    problem)."""
    from vaultward.store.unit_of_work import unit_of_work
    from vaultward.store.waivers import create_waiver as store_waiver

    if not viewer.is_admin:
        raise PermissionError("only admins may create waivers")
    with unit_of_work(engine(url)) as session:
        waiver = store_waiver(
            session, check_id, resource, reason, owner, expires, check_catalog(), actor=viewer.name
        )
    st.cache_data.clear()
    return waiver


def reports_dir() -> Path:
    """[report].out_dir, as the weekly job and `vaultward report` use it."""
    from vaultward.reporting.weekly import report_folder

    return report_folder(settings())


def generate_report(url: str, viewer, iso_week: str):
    """An admin's report of `iso_week` (raises `ReportError` when there is nothing to report)."""
    from vaultward.reporting.files import dashboard_link_base
    from vaultward.reporting.files import generate_report as write

    if not viewer.is_admin:
        raise PermissionError("only admins may generate reports")
    config = settings()
    result = write(
        engine(url), iso_week, reports_dir(), actor=viewer.name, paper=config.report.paper,
        dashboard_url=dashboard_link_base(config), registry=registry(),
        formats=config.report.formats,
    )  # fmt: skip
    st.cache_data.clear()
    return result
