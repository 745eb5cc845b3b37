"""The Reports page: recorded reports with their files; only admins generate one, and the
audit log says who did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.factories import add_evaluation
from vaultward.config.access import Viewer
from vaultward.reporting.files import iso_week_of
from vaultward.store.db import open_store
from vaultward.store.models import AuditEvent, Report

ADMIN = Viewer("password admin", "admin", "password")
VIEWER = Viewer("password viewer", "viewer", "password")


@pytest.fixture
def store_with_a_week(engine, database_url, monkeypatch, tmp_path) -> str:
    """One evaluation in last week; reports land in tmp_path via the configured data dir."""
    config = tmp_path / "vaultward.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("VAULTWARD_DASHBOARD_PASSWORD", "x")  # password mode: the session decides the role
    with Session(engine) as session:
        add_evaluation(session, datetime.now(UTC) - timedelta(days=7), overall=50.0, band="weak",
                       mitigation_scores={"access": 50.0})  # fmt: skip
        session.commit()
    return database_url


def page(viewer: Viewer) -> AppTest:
    at = AppTest.from_string("from dashboard.app_pages.reports import render\nrender()\n", default_timeout=30)
    at.session_state["vaultward_viewer"] = viewer
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_viewer_cannot_generate_a_report(store_with_a_week):
    at = page(VIEWER)
    assert not [b for b in at.button if b.label == "Generate now"]
    assert "Viewers cannot generate reports: ask an admin." in [c.value for c in at.caption]
    from dashboard import actions

    with pytest.raises(PermissionError):
        actions.generate_report(store_with_a_week, VIEWER, iso_week_of(datetime.now(UTC) - timedelta(days=7)))


def test_an_admin_generates_last_weeks_report_once_and_can_download_it(store_with_a_week):
    at = page(ADMIN)
    week = iso_week_of(datetime.now(UTC) - timedelta(days=7))
    assert at.text_input(key="report_week").value == week
    next(b for b in at.button if b.label == "Generate now").click().run()
    assert at.success[0].value.endswith(f"for {week} generated.")
    table = at.dataframe[0].value
    assert list(table["iso_week"]) == [week]
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["PDF", "HTML", "CSV", "JSON"]
    assert f"**{week}** :gray[report 1]" in [m.value for m in at.markdown]
    deliveries = at.dataframe[1].value
    assert list(deliveries[["iso_week", "status", "attempts"]].itertuples(index=False, name=None)) == [
        (week, "delivered", 1)
    ]
    assert deliveries["target"][0].startswith("folder:") and deliveries["target"][0].endswith("/data/reports")

    next(b for b in at.button if b.label == "Generate now").click().run()
    assert "unchanged: nothing new recorded" in at.success[0].value
    with Session(open_store(store_with_a_week)) as session:
        assert len(session.exec(select(Report)).all()) == 1
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action) for e in events] == [("password admin", "report.generate")] * 2

    at.text_input(key="report_week").input("2020-W01")
    next(b for b in at.button if b.label == "Generate now").click().run()
    assert "no evaluation in 2020-W01" in at.error[0].value


def test_a_failed_delivery_is_flagged_until_a_later_attempt_succeeds(store_with_a_week):
    import streamlit as st

    from vaultward.reporting.record import DeliveryOutcome, record_delivery
    from vaultward.store.unit_of_work import in_unit_of_work

    at = page(ADMIN)
    next(b for b in at.button if b.label == "Generate now").click().run()
    engine = open_store(store_with_a_week)
    with Session(engine) as session:
        [report] = session.exec(select(Report)).all()
    failure = DeliveryOutcome("email:ciso@example.com", "failed", 3, "SMTP mail:587: SMTPAuthenticationError")
    in_unit_of_work(engine, record_delivery, report.id, failure)
    st.cache_data.clear()  # the worker wrote it: the page sees it once its cache expires
    at = page(VIEWER)
    assert at.warning[0].value.startswith("1 delivery target(s) failed on their last attempt")
    deliveries = at.dataframe[1].value
    assert list(deliveries["status"]) == ["failed", "delivered"]
    assert deliveries["error"][0] == "SMTP mail:587: SMTPAuthenticationError"

    in_unit_of_work(
        engine, record_delivery, report.id, DeliveryOutcome("email:ciso@example.com", "delivered", 1)
    )
    st.cache_data.clear()
    at = page(VIEWER)
    assert not at.warning  # the newest attempt per target decides
    assert list(at.dataframe[1].value["status"]) == ["delivered", "failed", "delivered"]
