"""The dashboard's door: who is looking, and whether they may change things.

The rules live in `vaultward.config.access`; this module only asks Streamlit (st.login / st.user for
OIDC, a password form otherwise) and keeps the answer in the session.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import data
from vaultward.config.access import (
    AttemptLimiter,
    Viewer,
    auth_mode,
    claims_login_time,
    password_role,
    role_for_claims,
    session_ended,
)

SESSION_KEY = "vaultward_viewer"
LOGIN_AT_KEY = "vaultward_login_at"  # when this session logged in (password mode)
SEEN_AT_KEY = "vaultward_seen_at"  # this session's latest interaction


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


@st.cache_resource(show_spinner=False)
def _limiter(max_failures: int, minutes: int) -> AttemptLimiter:
    """One limiter per server process: failures count across every browser session."""
    return AttemptLimiter(max_failures, timedelta(minutes=minutes))


def _session_key() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx else "no-session"
    except Exception:
        return "no-session"


def current_viewer() -> Viewer:
    """The viewer, or a login screen and `st.stop()` until there is one."""
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
    for key in (SESSION_KEY, LOGIN_AT_KEY, SEEN_AT_KEY):
        st.session_state.pop(key, None)


def _password(config) -> Viewer:
    viewer = st.session_state.get(SESSION_KEY)
    ended = None
    if isinstance(viewer, Viewer):
        ended = _session_lasts(config, st.session_state.get(LOGIN_AT_KEY))
        if ended is None:
            return viewer
        _end_session()
    limiter = _limiter(config.max_login_attempts, config.lockout_minutes)
    key = _session_key()
    st.title("Vaultward")
    if ended is not None:
        st.info(ended, icon=":material/timer_off:")
    locked = limiter.locked_until(key, datetime.now(UTC))
    if locked is not None:
        st.error(
            f"Too many failed attempts: try again after {locked:%H:%M} UTC.", icon=":material/lock_clock:"
        )
        st.stop()
    with st.form("login"):
        given = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        role = password_role(given, config)
        if role is None:
            limiter.failed(key, datetime.now(UTC))
            st.error("Wrong password.", icon=":material/error:")
        else:
            limiter.succeeded(key)
            now = datetime.now(UTC)
            st.session_state[SESSION_KEY] = Viewer(f"password {role}", role, "password")
            st.session_state[LOGIN_AT_KEY] = st.session_state[SEEN_AT_KEY] = now
            st.rerun()
    st.stop()


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
            _end_session()
            st.rerun()
