"""Dashboard sessions end (after `session_minutes` from login, after `idle_minutes` without
use, in password and OIDC mode), and every admin action checks the role itself and is
audited, whatever buttons the page shows."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard import actions
from dashboard.auth import LOGIN_AT_KEY, SEEN_AT_KEY, SESSION_KEY
from tests.factories import add_evaluation
from vaultward.config.access import Viewer, claims_login_time, session_ended
from vaultward.config.settings import ConfigError, DashboardConfig, parse_settings
from vaultward.reporting.files import iso_week_of
from vaultward.store.db import open_store
from vaultward.store.models import AuditEvent, Report, Waiver

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
ADMIN_PASSWORD = "admin-session-7c1e"  # noqa: S105 - the test's own
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ADMIN = Viewer("password admin", "admin", "password")
VIEWER = Viewer("password viewer", "viewer", "password")


# --- the rules -----------------------------------------------------------------------------


def test_defaults_and_bounds():
    config = DashboardConfig()
    assert (config.session_minutes, config.idle_minutes) == (480, 60)
    with pytest.raises(ConfigError, match="dashboard.idle_minutes"):
        parse_settings({"dashboard": {"idle_minutes": 0}})


def test_a_session_ends_after_its_lifetime_or_when_idle():
    config = DashboardConfig(session_minutes=120, idle_minutes=15)
    assert session_ended(T0, T0 + timedelta(minutes=100), T0 + timedelta(minutes=110), config) is None
    assert session_ended(T0, T0 + timedelta(minutes=110), T0 + timedelta(minutes=120), config) == (
        "Your session ended 120 minutes after you logged in: log in again."
    )
    assert session_ended(T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=20), config) == (
        "Your session ended after 15 minutes without activity: log in again."
    )


def test_the_oidc_login_time_is_the_id_tokens_issue_time():
    issued = int(T0.timestamp())
    assert claims_login_time({"iat": issued, "auth_time": issued - 86400}) == T0  # after single sign-on
    assert claims_login_time({"auth_time": issued}) == T0
    assert claims_login_time({"iat": "yesterday", "auth_time": True}) is None


# --- password mode -------------------------------------------------------------------------


@pytest.fixture
def password_store(engine, database_url, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("VAULTWARD_DASHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("VAULTWARD_DASHBOARD_PASSWORD", raising=False)
    config = tmp_path / "vaultward.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    with Session(engine) as session:
        add_evaluation(session, datetime.now(UTC) - timedelta(days=7), overall=50.0, band="weak",
                       mitigation_scores={"access": 50.0})  # fmt: skip
        session.commit()
    return database_url


def logged_in() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.text_input(key="login_password").input(ADMIN_PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Readiness overview" in [t.value for t in at.title]
    return at


def test_a_password_session_ends_480_minutes_after_login(password_store):
    at = logged_in()
    login = at.session_state[LOGIN_AT_KEY]
    assert datetime.now(UTC) - login < timedelta(minutes=1)
    at.session_state[LOGIN_AT_KEY] = login - timedelta(minutes=479)
    at.run()  # still inside its lifetime, and active
    assert "Readiness overview" in [t.value for t in at.title]
    at.session_state[LOGIN_AT_KEY] = login - timedelta(minutes=481)
    at.run()
    assert [t.value for t in at.title] == ["Vaultward"] and at.text_input(key="login_password")
    assert [i.value for i in at.info] == ["Your session ended 480 minutes after you logged in: log in again."]
    assert SESSION_KEY not in at.session_state and LOGIN_AT_KEY not in at.session_state


def test_a_password_session_ends_after_an_idle_hour_and_activity_keeps_it(password_store):
    at = logged_in()
    at.session_state[SEEN_AT_KEY] = datetime.now(UTC) - timedelta(minutes=59)
    at.run()
    assert "Readiness overview" in [t.value for t in at.title]
    assert datetime.now(UTC) - at.session_state[SEEN_AT_KEY] < timedelta(minutes=1)  # this run counted
    at.session_state[SEEN_AT_KEY] = datetime.now(UTC) - timedelta(minutes=61)
    at.run()
    assert [i.value for i in at.info] == [
        "Your session ended after 60 minutes without activity: log in again."
    ]
    assert "Readiness overview" not in [t.value for t in at.title]
    at.text_input(key="login_password").input(ADMIN_PASSWORD)
    at.button[0].click().run()  # logging in again starts a new session
    assert "Readiness overview" in [t.value for t in at.title]


def test_the_configured_lifetimes_apply(password_store, tmp_path):
    Path(tmp_path / "vaultward.toml").write_text(
        f'[store]\ndata_dir = "{tmp_path / "data"}"\n[dashboard]\nsession_minutes = 30\nidle_minutes = 5\n'
    )
    at = logged_in()
    at.session_state[SEEN_AT_KEY] = datetime.now(UTC) - timedelta(minutes=6)
    at.run()
    assert [i.value for i in at.info] == [
        "Your session ended after 5 minutes without activity: log in again."
    ]


# --- OIDC ----------------------------------------------------------------------------------


def oidc_app(issued: datetime) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"}
    at.user = {"is_logged_in": True, "email": "ciso@acme.example", "iat": int(issued.timestamp())}
    return at


def test_an_oidc_session_ends_when_its_token_is_older_than_the_lifetime(password_store):
    fresh = oidc_app(datetime.now(UTC) - timedelta(minutes=10)).run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert "Readiness overview" in [t.value for t in fresh.title]
    assert "ciso@acme.example" in [t.value for t in fresh.text]

    old = oidc_app(datetime.now(UTC) - timedelta(minutes=481)).run()
    assert not old.exception, [e.value for e in old.exception]
    assert "Readiness overview" not in [t.value for t in old.title]
    assert "ciso@acme.example" not in [t.value for t in old.text]


# --- admin actions -------------------------------------------------------------------------


def _waiver(url: str, viewer: Viewer):
    return actions.create_waiver(url, viewer, "access.root_mfa", "aws:1", "key in the post", "a@b.c", "5d")


def _report(url: str, viewer: Viewer):
    return actions.generate_report(url, viewer, iso_week_of(datetime.now(UTC) - timedelta(days=7)))


# Every admin action of dashboard/actions.py: how to call it, and the audit event it must write.
ADMIN_ACTIONS = {
    "create_waiver": (_waiver, Waiver, "waiver.create", "waiver "),
    "generate_report": (_report, Report, "report.generate", "report "),
}


def test_every_admin_action_is_listed_here():
    """An admin action takes the viewer; one added to actions.py must be added to ADMIN_ACTIONS."""
    taking_a_viewer = {
        name
        for name, function in inspect.getmembers(actions, inspect.isfunction)
        if function.__module__ == actions.__name__ and "viewer" in inspect.signature(function).parameters
    }
    assert taking_a_viewer == set(ADMIN_ACTIONS)


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
def test_a_viewer_is_refused_server_side_and_nothing_is_written(password_store, action):
    call, table, _, _ = ADMIN_ACTIONS[action]
    with pytest.raises(PermissionError, match="only admins may"):
        call(password_store, VIEWER)
    with Session(open_store(password_store)) as session:
        assert session.exec(select(table)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
def test_an_admin_action_is_audited_with_who_did_it(password_store, action):
    call, table, audited_as, target = ADMIN_ACTIONS[action]
    call(password_store, ADMIN)
    with Session(open_store(password_store)) as session:
        written = session.exec(select(table)).one()
        event = session.exec(select(AuditEvent)).one()
    assert (event.actor, event.action) == ("password admin", audited_as)
    assert event.target.startswith(f"{target}{written.id}")
