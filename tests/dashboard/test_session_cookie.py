"""The password mode's session cookie: signed, read back only with the same secret, ended by
its lifetime, by idleness and by logging out; the one-time tickets that set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard import login
from vaultward.config import session_cookie
from vaultward.config.session_cookie import SessionBook, new_session, read, session_secret, sign
from vaultward.config.settings import DashboardConfig

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SECRET = "test-secret-5b1d"  # noqa: S105 - the test's own
PASSWORDS = {"viewer": "view-only-9f2", "admin": "admin-7c1e"}


def test_a_signed_session_reads_back_and_a_forged_one_does_not():
    session = new_session("admin", T0)
    value = sign(session, SECRET, PASSWORDS)
    assert read(value, SECRET, PASSWORDS) == session
    assert read(value, "another-secret", PASSWORDS) is None  # another server's, or the secret changed
    assert read(value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), SECRET, PASSWORDS) is None
    viewer = sign(new_session("viewer", T0), SECRET, PASSWORDS)
    signature = value.rpartition(".")[2]
    assert read(viewer.rpartition(".")[0] + "." + signature, SECRET, PASSWORDS) is None  # role swapped
    assert (
        read("", SECRET, PASSWORDS) is None
        and read(None, SECRET, PASSWORDS) is None
        and read("junk", SECRET, PASSWORDS) is None
    )
    assert SECRET not in value and "admin" in read(value, SECRET, PASSWORDS).role
    assert not any(password in value for password in PASSWORDS.values())


def test_a_changed_or_removed_password_ends_its_role_s_sessions():
    admin = new_session("admin", T0)
    value = sign(admin, SECRET, PASSWORDS)
    assert read(value, SECRET, {**PASSWORDS, "viewer": "changed"}) == admin  # another role's change
    assert read(value, SECRET, {**PASSWORDS, "admin": "admin-changed"}) is None
    assert read(value, SECRET, {"viewer": "view-only-9f2"}) is None  # the admin role removed
    assert read(value, SECRET, {}) is None
    fingerprint = session_cookie.fingerprint("admin-7c1e", SECRET)
    assert fingerprint != session_cookie.fingerprint("admin-7c1e", "another-secret")
    assert "admin-7c1e" not in fingerprint and len(fingerprint) == 16


def test_the_role_passwords_come_from_the_environment():
    config = DashboardConfig()
    environ = {"VAULTWARD_DASHBOARD_PASSWORD": "v", "VAULTWARD_DASHBOARD_ADMIN_PASSWORD": ""}
    assert session_cookie.role_passwords(config, environ) == {"viewer": "v"}


def test_the_secret_comes_from_the_environment_else_one_per_process():
    config = DashboardConfig()
    assert session_secret(config, {"VAULTWARD_DASHBOARD_SESSION_SECRET": SECRET}) == SECRET
    assert session_secret(DashboardConfig(session_secret_env="MY_SECRET"), {"MY_SECRET": "x"}) == "x"
    drawn = session_secret(config, {})
    assert drawn == session_secret(config, {}) and len(drawn) >= 32  # stable within the process


def test_a_session_ends_after_its_lifetime_and_after_idleness():
    config = DashboardConfig(session_minutes=60, idle_minutes=10)
    book = SessionBook()
    session = new_session("viewer", T0)
    for minute in (0, 9, 18, 27, 36, 45, 54):  # used every 9 minutes: never idle
        assert book.check(session, T0 + timedelta(minutes=minute), config) is None
    assert "60 minutes after you logged in" in book.check(session, T0 + timedelta(minutes=60), config)
    idle = new_session("viewer", T0)
    assert book.check(idle, T0 + timedelta(minutes=5), config) is None
    assert "10 minutes without activity" in book.check(idle, T0 + timedelta(minutes=15), config)
    unknown = new_session("viewer", T0)  # a restarted server has no record: idle since its login
    assert "without activity" in book.check(unknown, T0 + timedelta(minutes=11), config)


def test_logging_out_refuses_the_session_from_then_on():
    config = DashboardConfig()
    book = SessionBook()
    session = new_session("admin", T0)
    assert book.check(session, T0, config) is None
    book.end(session, T0 + timedelta(minutes=1), config)
    assert book.check(session, T0 + timedelta(minutes=2), config) == "You logged out: log in again."
    assert book.check(new_session("admin", T0), T0 + timedelta(minutes=2), config) is None  # a new login


def test_a_ticket_works_once_and_only_for_a_minute():
    session = new_session("viewer", T0)
    ticket = login.issue_ticket(session, T0)
    assert login.redeem_ticket(ticket, T0 + timedelta(seconds=5)) == session
    assert login.redeem_ticket(ticket, T0 + timedelta(seconds=6)) is None  # spent
    late = login.issue_ticket(session, T0)
    assert login.redeem_ticket(late, T0 + timedelta(seconds=61)) is None
    assert login.redeem_ticket("made-up", T0) is None


def test_only_this_server_s_paths_are_returned_to():
    assert login.safe_next("/access?check=aws.iam.root_mfa") == "/access?check=aws.iam.root_mfa"
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", None, ""):
        assert login.safe_next(elsewhere) == "/"
    assert session_cookie.COOKIE_NAME == "vaultward_session"
