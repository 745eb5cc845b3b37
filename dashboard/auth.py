"""The dashboard's door: who is looking, and whether they may change things.

The rules live in `vaultward.config.access`; this module only asks Streamlit (st.login / st.user for
OIDC, a password form otherwise) and keeps the answer in the session and, for a password login,
in the signed cookie that `dashboard.login_routes` sets (the script hands it a one-time ticket).
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import data, login
from dashboard.runtime import engine
from vaultward.config import session_cookie
from vaultward.config.access import (
    Role,
    Viewer,
    auth_mode,
    claims_login_time,
    password_opens,
    role_for_claims,
    session_ended,
)

SESSION_KEY = "vaultward_viewer"
LOGIN_AT_KEY = "vaultward_login_at"  # when this session logged in (password mode)
PENDING_REDIRECT_KEY = "vaultward_redirect"  # where the next run sends the browser
RETURN_PATH_KEY = "vaultward_return_path"  # the page this session opened with (password mode)
SEEN_AT_KEY = "vaultward_seen_at"  # this session's latest interaction
COOKIE_SESSION_KEY = "vaultward_cookie_session"  # the signed session behind this browser's cookie
FINGERPRINT_KEY = "vaultward_password_print"  # fingerprint of the password this tab signed in with
CHANGED_MESSAGE = "The password was changed: log in again."


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_viewer() -> Viewer:
    """The viewer, or a login screen and `st.stop()` until there is one."""
    pending = st.session_state.pop(PENDING_REDIRECT_KEY, None)
    if isinstance(pending, str):
        _redirect(pending)
    config = data.settings().dashboard
    mode = auth_mode(config, _oidc_configured())
    if mode == "local":
        return Viewer("local user", "admin", "local")
    if mode == "oidc":
        return _oidc(config)
    return _password(config)


def _session_lasts(config, logged_in_at: datetime | None) -> str | None:
    """Why this browser session's login is over, or None (and the interaction counted). A
    session without a recorded login time (a viewer put there in-process) starts its clock."""
    now = datetime.now(UTC)
    logged_in_at = logged_in_at or st.session_state.setdefault(LOGIN_AT_KEY, now)
    ended = session_ended(logged_in_at, st.session_state.get(SEEN_AT_KEY, now), now, config)
    if ended is None:
        st.session_state[SEEN_AT_KEY] = now
    return ended


def _oidc(config) -> Viewer:
    if not getattr(st.user, "is_logged_in", False):  # absent until the provider answers
        st.title("Vaultward")
        st.write("Sign in with your organisation's account to see the readiness dashboard.")
        st.button("Log in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    claims = st.user.to_dict()
    ended = _session_lasts(config, claims_login_time(claims))
    if ended is not None:  # Streamlit's identity cookie would last 30 days: end it now
        _end_session()
        st.logout()
        st.stop()
    name = str(claims.get("email") or claims.get("name") or "signed-in user")
    return Viewer(name, role_for_claims(claims, config), "oidc")


def _end_session() -> None:
    for key in (SESSION_KEY, LOGIN_AT_KEY, SEEN_AT_KEY, COOKIE_SESSION_KEY, FINGERPRINT_KEY):
        st.session_state.pop(key, None)


def _client_address() -> str:
    """The browser's address as the server saw it: the connection's peer, or what a trusted
    proxy put in X-Forwarded-For (uvicorn reads it for the proxies in
    `dashboard.trusted_proxies`, which `vaultward serve` hands it). Loopback reads as such."""
    address = st.context.ip_address  # None on loopback (and no string under AppTest)
    return address if isinstance(address, str) and address else "127.0.0.1"


def _cookie_viewer(config) -> Viewer | str | None:
    """The viewer this browser's session cookie signs in, why it no longer does, or None."""
    value = st.context.cookies.get(session_cookie.COOKIE_NAME)
    signed = session_cookie.read(
        value if isinstance(value, str) else None,
        session_cookie.session_secret(config),
        session_cookie.role_passwords(config),
    )
    if signed is None:
        return None
    ended = login.BOOK.check(signed, datetime.now(UTC), config)
    if ended is not None:
        return ended
    st.session_state[COOKIE_SESSION_KEY] = signed
    st.session_state[FINGERPRINT_KEY] = _password_print(config, signed.role)
    return Viewer(f"password {signed.role}", signed.role, "password")


def _password_print(config, role: Role) -> str | None:
    """The fingerprint of `role`'s current password, or None when it has none."""
    password = session_cookie.role_passwords(config).get(role)
    return session_cookie.fingerprint(password, session_cookie.session_secret(config)) if password else None


def _tab_ended(config) -> str | None:
    """Why this tab's own login is over, or None: its signed session was logged out (in any
    tab) or expired, its role's password changed or was removed, else this tab's clock ran out."""
    viewer = st.session_state.get(SESSION_KEY)
    signed_with = st.session_state.get(FINGERPRINT_KEY)
    if (
        isinstance(viewer, Viewer)
        and signed_with is not None
        and signed_with != _password_print(config, viewer.role)
    ):
        return CHANGED_MESSAGE
    signed = st.session_state.get(COOKIE_SESSION_KEY)
    if isinstance(signed, session_cookie.SignedSession):
        ended = login.BOOK.check(signed, datetime.now(UTC), config)
        if ended is not None:
            return ended
    return _session_lasts(config, st.session_state.get(LOGIN_AT_KEY))


def _return_path() -> str:
    """The page and query string this browser session opened with, to come back to once the
    cookie is set. Read at the session's first run and kept: the login screen registers no
    pages, so by the time the form is sent the browser may already show "/"."""
    if RETURN_PATH_KEY not in st.session_state:
        st.session_state[RETURN_PATH_KEY] = _current_path()
    return str(st.session_state[RETURN_PATH_KEY])


def _current_path() -> str:
    url = st.context.url
    path = urlsplit(url if isinstance(url, str) else "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def _redirect_after_rerun(url: str) -> None:
    """Rerun (the page shows the login's outcome at once), then send the browser to `url`: a
    redirect queued before `st.rerun` can be dropped, since a new run clears what the browser
    has not been sent yet."""
    st.session_state[PENDING_REDIRECT_KEY] = url
    st.rerun()


def _redirect(url: str) -> None:
    """Send the browser to `url` on this server, as `st.login` does."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        message = ForwardMsg()
        message.auth_redirect.url = url
        ctx.enqueue(message)


def _roles(config) -> list[Role]:
    return [
        role  # type: ignore[misc]
        for role, variable in (("viewer", config.password_env), ("admin", config.admin_password_env))
        if os.environ.get(variable)
    ]


def _password(config) -> Viewer:
    from_cookie = _cookie_viewer(config)
    if isinstance(from_cookie, Viewer):
        st.session_state[SESSION_KEY] = from_cookie
        return from_cookie
    ended = from_cookie  # why the cookie's session is over (logged out, expired), or None
    viewer = st.session_state.get(SESSION_KEY)
    if isinstance(viewer, Viewer):
        ended = ended or _tab_ended(config)
        if ended is None:
            return viewer
        _end_session()  # logged out in another tab, or over: this tab is signed out too
    _return_path()  # remembered now, while the browser still shows the page it opened
    st.title("Vaultward")
    if ended is not None:
        st.info(ended, icon=":material/timer_off:")
    roles = _roles(config)
    with st.form("login"):
        if len(roles) > 1:
            role = st.radio("Sign in as", roles, key="login_role", horizontal=True)
        else:
            role = roles[0]
        given = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        _attempt(config, role, given)
    st.stop()


def _attempt(config, role: Role, given: str) -> None:
    """Check one login: refused while this address must wait, audited either way."""
    address = _client_address()
    limits = login.limiter(config.max_login_attempts, config.lockout_minutes)
    now = datetime.now(UTC)
    wait = limits.attempt(role, address, now)  # counted as a failure until it proves right
    if wait:
        st.error(_wait_message(wait), icon=":material/lock_clock:")
        return
    url = data.database_url()
    if not password_opens(given, role, config):
        earned = limits.wait(role, address, now)
        login.audit(url, login.LoginEvent("login.failure", role, address), engine)
        if earned:
            seconds = math.ceil(earned.total_seconds())
            login.audit(url, login.LoginEvent("login.lockout", role, address, seconds), engine)
        st.error("Wrong password." + (f" {_wait_message(earned)}" if earned else ""), icon=":material/error:")
        return
    limits.succeeded(role, address, now)
    login.audit(url, login.LoginEvent("login.success", role, address), engine)
    st.session_state[SESSION_KEY] = Viewer(f"password {role}", role, "password")
    st.session_state[LOGIN_AT_KEY] = st.session_state[SEEN_AT_KEY] = now
    signed = session_cookie.new_session(role, now)
    st.session_state[COOKIE_SESSION_KEY] = signed
    st.session_state[FINGERPRINT_KEY] = _password_print(config, role)
    ticket = login.issue_ticket(signed, now)
    _redirect_after_rerun(f"{login.SESSION_ROUTE}?{urlencode({'ticket': ticket, 'next': _return_path()})}")


def _wait_message(wait: timedelta) -> str:
    return f"Too many failed attempts: try again in {math.ceil(wait.total_seconds())} seconds."


def sidebar(viewer: Viewer) -> None:
    """Who is signed in, and the way out."""
    with st.sidebar:
        badge = ":violet-badge[admin]" if viewer.is_admin else ":gray-badge[viewer]"
        if viewer.mode == "local":
            st.caption(f"Local access (no login configured) {badge}")
            return
        st.caption(f"Signed in {badge}")
        st.text(viewer.name)  # from the identity provider: shown as text
        if viewer.mode == "oidc":
            st.button("Log out", on_click=st.logout, icon=":material/logout:")
        elif st.button("Log out", icon=":material/logout:"):
            signed = st.session_state.get(COOKIE_SESSION_KEY)
            if isinstance(signed, session_cookie.SignedSession):
                login.BOOK.end(signed, datetime.now(UTC), data.settings().dashboard)
            _end_session()
            _redirect_after_rerun(login.LOGOUT_ROUTE)  # the route clears the cookie
