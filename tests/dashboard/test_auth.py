"""Who may see and change the dashboard: the access rules, the login screens, admin-only
waivers with their audit trail, and a server that refuses the network without a login."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from vaultward.config.access import (
    Viewer,
    auth_mode,
    password_opens,
    refuse_address,
    role_for_claims,
    secrets_have_auth,
)
from vaultward.config.settings import DashboardConfig, Settings
from vaultward.ops import serve as serve_module
from vaultward.store.db import open_store
from vaultward.store.models import AuditEvent, Waiver

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PASSWORDS = {
    "VAULTWARD_DASHBOARD_PASSWORD": "view-only-9f2",
    "VAULTWARD_DASHBOARD_ADMIN_PASSWORD": "admin-7c1e",
}


# --- the rules -----------------------------------------------------------------------------


def test_passwords_open_their_role_and_nothing_else():
    config = DashboardConfig()
    assert password_opens("view-only-9f2", "viewer", config, PASSWORDS)
    assert password_opens("admin-7c1e", "admin", config, PASSWORDS)
    assert not password_opens("admin-7c1e", "viewer", config, PASSWORDS)  # the role asked for only
    assert not password_opens("view-only-9f2", "admin", config, PASSWORDS)
    assert not password_opens("admin-7c1", "admin", config, PASSWORDS)
    assert not password_opens(
        "", "viewer", config, {"VAULTWARD_DASHBOARD_PASSWORD": ""}
    )  # unset never matches


def test_admins_by_e_mail_or_group_claim():
    config = DashboardConfig(admins=["CISO@acme.example"], admin_groups=["sec-admins"])
    assert role_for_claims({"email": "ciso@acme.example"}, config) == "admin"
    assert role_for_claims({"email": "dev@acme.example", "groups": ["eng", "sec-admins"]}, config) == "admin"
    assert role_for_claims({"email": "dev@acme.example", "groups": "sec-admins"}, config) == "admin"
    assert role_for_claims({"email": "dev@acme.example", "groups": ["eng"]}, config) == "viewer"
    custom = DashboardConfig(admin_group_claim="roles", admin_groups=["admin"])
    assert role_for_claims({"roles": ["admin"]}, custom) == "admin"


def test_modes_and_the_loopback_rule(tmp_path):
    config = DashboardConfig()
    assert auth_mode(config, oidc_configured=True, environ={}) == "oidc"
    assert auth_mode(config, oidc_configured=False, environ=PASSWORDS) == "password"
    assert auth_mode(config, oidc_configured=False, environ={}) == "local"
    assert refuse_address("127.0.0.1", "local") is None
    assert "refusing to serve on 0.0.0.0: no login is configured" in refuse_address("0.0.0.0", "local")
    assert refuse_address("0.0.0.0", "password") is None
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.x]\nurl = "y"\n')
    assert not secrets_have_auth([secrets, tmp_path / "missing.toml"])
    secrets.write_text('[auth]\nredirect_uri = "https://dash/oauth2callback"\nclient_id = "x"\n')
    assert secrets_have_auth([secrets])


# --- the server ----------------------------------------------------------------------------


def test_without_a_login_the_server_refuses_the_network(monkeypatch, capsys, tmp_path):
    for variable in PASSWORDS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr("vaultward.config.access.secrets_paths", lambda *folders: [])
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    started = []
    monkeypatch.setattr(
        serve_module, "streamlit_command", lambda a, p: started.append(a) or [sys.executable, "-c", ""]
    )
    assert serve_module.serve(Settings(), address="0.0.0.0", port=8779) == 2
    assert "refusing to serve on 0.0.0.0: no login is configured" in capsys.readouterr().err
    assert started == []
    monkeypatch.setenv("VAULTWARD_DASHBOARD_PASSWORD", "view-only-9f2")
    assert serve_module.serve(Settings(), address="0.0.0.0", port=8779) == 0
    assert started == ["0.0.0.0"] and "Login: dashboard password." in capsys.readouterr().out


# --- the screens ---------------------------------------------------------------------------


@pytest.fixture
def passwords(monkeypatch):
    from dashboard import login

    for variable, value in PASSWORDS.items():
        monkeypatch.setenv(variable, value)
    login.limiter.clear()  # the limits live in the process: each test starts clean
    yield
    login.limiter.clear()


def log_in(password: str, role: str = "viewer") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    at.radio(key="login_role").set_value(role)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_password_screen_lets_the_right_password_in_for_its_role(seeded_url, passwords):
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert [t.value for t in at.title] == ["Vaultward"] and at.text_input(key="login_password")
    assert at.radio(key="login_role").options == ["viewer", "admin"]
    wrong = log_in("guess")
    assert "Wrong password." in wrong.error[0].value and [t.value for t in wrong.title] == ["Vaultward"]
    assert "Readiness overview" not in [t.value for t in log_in("admin-7c1e", "viewer").title]
    viewer = log_in("view-only-9f2")
    assert "Readiness overview" in [t.value for t in viewer.title]
    assert "password viewer" in [t.value for t in viewer.text]
    admin = log_in("admin-7c1e", "admin")
    assert "password admin" in [t.value for t in admin.text]


def test_one_role_configured_asks_only_its_password(seeded_url, passwords, monkeypatch):
    monkeypatch.delenv("VAULTWARD_DASHBOARD_PASSWORD")
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.radio and at.text_input(key="login_password")


def test_failed_logins_make_the_address_wait_and_are_audited(seeded_url, passwords):
    limit = DashboardConfig().max_login_attempts
    for _ in range(limit - 1):
        assert log_in("guess", "admin").error[0].value == "Wrong password."
    last = log_in("guess", "admin")
    assert last.error[0].value == "Wrong password. Too many failed attempts: try again in 30 seconds."
    refused = log_in("admin-7c1e", "admin")  # even the right password waits
    assert "Too many failed attempts: try again in" in refused.error[0].value
    assert "Readiness overview" not in [t.value for t in refused.title]
    with Session(open_store(seeded_url)) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["login.failure"] * limit + ["login.lockout"]
    assert {e.actor for e in events} == {"anonymous"} and {e.target for e in events} == {"dashboard admin"}
    assert events[0].details == {"role": "admin", "address": "127.0.0.1"}
    assert events[-1].details == {"role": "admin", "address": "127.0.0.1", "wait_seconds": 30}
    assert not any("guess" in str(e.details) or "admin-7c1e" in str(e.details) for e in events)


def test_a_login_is_audited_with_its_role_and_address(seeded_url, passwords):
    at = log_in("view-only-9f2")
    assert "Readiness overview" in [t.value for t in at.title]
    with Session(open_store(seeded_url)) as session:
        event = session.exec(select(AuditEvent)).one()
    assert (event.actor, event.action, event.target) == (
        "password viewer",
        "login.success",
        "dashboard viewer",
    )
    assert event.details == {"role": "viewer", "address": "127.0.0.1"}
    assert event.at > datetime.now(UTC) - timedelta(minutes=1)


def test_oidc_asks_the_identity_provider(seeded_url):
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"}
    at.run()
    assert [b.label for b in at.button] == ["Log in"]
    assert "Readiness overview" not in [t.value for t in at.title]


def waivers_page(viewer: Viewer) -> AppTest:
    at = AppTest.from_string("from dashboard.app_pages.waivers import render\nrender()\n", default_timeout=30)
    at.session_state["vaultward_viewer"] = viewer
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_viewer_cannot_create_a_waiver(seeded_url, passwords):
    at = waivers_page(Viewer("password viewer", "viewer", "password"))
    assert not at.get("form") or all(f.id != "new_waiver" for f in at.get("form"))
    assert "Viewers cannot create waivers: ask an admin." in [c.value for c in at.caption]
    from dashboard import actions

    with pytest.raises(PermissionError):
        actions.create_waiver(
            seeded_url, Viewer("v", "viewer", "password"), "access.root_mfa", "*", "r", "a@b.c", "5d"
        )


def test_an_admin_creates_a_waiver_and_the_audit_log_says_who(seeded_url, passwords):
    at = waivers_page(Viewer("password admin", "admin", "password"))
    at.selectbox(key="waiver_check").select("access.root_mfa")
    at.text_input(key="waiver_resource").input("aws:111111111111")
    at.text_area(key="waiver_reason").input("hardware key arriving Monday")
    at.text_input(key="waiver_owner").input("ciso@acme.example")
    at.text_input(key="waiver_expires").input("10d")
    next(b for b in at.button if b.label == "Create waiver").click().run()
    assert not at.exception and "created" in at.success[0].value
    with Session(open_store(seeded_url)) as session:
        waiver = session.exec(select(Waiver).where(Waiver.reason == "hardware key arriving Monday")).one()
        event = session.exec(select(AuditEvent)).one()
    assert (waiver.check_id, waiver.resource_pattern, waiver.owner) == (
        "access.root_mfa",
        "aws:111111111111",
        "ciso@acme.example",
    )
    assert (event.actor, event.action, event.target) == (
        "password admin",
        "waiver.create",
        f"waiver {waiver.id}",
    )
    audit = at.dataframe[-1].value
    assert list(audit["actor"]) == ["password admin"] and list(audit["action"]) == ["waiver.create"]

    # bad input: every problem named, nothing stored
    at.text_input(key="waiver_owner").input("nobody")
    at.text_input(key="waiver_expires").input("900d")
    next(b for b in at.button if b.label == "Create waiver").click().run()
    assert "owner 'nobody' is not an e-mail address" in at.error[0].value
    assert "expiry '900d' must be in the future and within 365 days" in at.error[0].value
    with Session(open_store(seeded_url)) as session:
        assert len(session.exec(select(AuditEvent)).all()) == 1


def test_logging_out_in_another_tab_signs_this_tab_out(seeded_url, passwords):
    from dashboard import login

    at = log_in("view-only-9f2")
    assert "Readiness overview" in [t.value for t in at.title]
    signed = at.session_state["vaultward_cookie_session"]
    login.BOOK.end(signed, datetime.now(UTC), DashboardConfig())  # what the other tab's Log out does
    at.run()
    assert "Readiness overview" not in [t.value for t in at.title]
    assert [i.value for i in at.info] == ["You logged out: log in again."]
    assert at.text_input(key="login_password")


def test_a_changed_or_removed_password_signs_open_tabs_out(seeded_url, passwords, monkeypatch):
    changed, removed = log_in("admin-7c1e", "admin"), log_in("view-only-9f2")
    assert "password admin" in [t.value for t in changed.text]
    monkeypatch.setenv("VAULTWARD_DASHBOARD_ADMIN_PASSWORD", "admin-rotated-4d")
    monkeypatch.delenv("VAULTWARD_DASHBOARD_PASSWORD")
    for at in (changed.run(), removed.run()):
        assert "Readiness overview" not in [t.value for t in at.title]
        assert [i.value for i in at.info] == ["The password was changed: log in again."]
