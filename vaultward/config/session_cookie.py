"""The password mode's session cookie: who signed in as what role, and when, signed.

The cookie holds a random session id, the role, the login time and a fingerprint of the role's
password (an HMAC under the secret, never the password), signed with itsdangerous
(HMAC) under the secret in the environment variable `dashboard.session_secret_env`. Without one,
each server process draws its own random secret, so sessions end when the server restarts. The
secret is never stored or logged. Its lifetimes are `session_ended`'s: `session_minutes` from
the login, `idle_minutes` from the latest use; the latest use and the ids logged out live in
the server process (`SessionBook`), so after a restart a session counts as idle since its login.
Changing or removing a role's password ends its sessions: the fingerprint no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer

from vaultward.config.access import Role, session_ended
from vaultward.config.settings import DashboardConfig

COOKIE_NAME = "vaultward_session"
_SALT = "vaultward.dashboard.session"
_PROCESS_SECRET = secrets.token_urlsafe(32)  # when none is configured: sessions die with the process


@dataclass(frozen=True)
class SignedSession:
    sid: str
    role: Role
    login_at: datetime


def session_secret(config: DashboardConfig, environ: Mapping[str, str] = os.environ) -> str:
    """The configured signing secret, else this process's own random one."""
    return environ.get(config.session_secret_env) or _PROCESS_SECRET


def role_passwords(config: DashboardConfig, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Each configured role's current password (a role without one is absent)."""
    passwords = {
        "viewer": environ.get(config.password_env, ""),
        "admin": environ.get(config.admin_password_env, ""),
    }
    return {role: password for role, password in passwords.items() if password}


def fingerprint(password: str, secret: str) -> str:
    """A short HMAC of `password` under `secret`: tells a changed password, reveals nothing."""
    return hmac.new(secret.encode("utf-8"), password.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def new_session(role: Role, now: datetime) -> SignedSession:
    return SignedSession(secrets.token_urlsafe(24), role, now)


def sign(session: SignedSession, secret: str, passwords: Mapping[str, str]) -> str:
    """The cookie value for `session`, bound to its role's password in `passwords`."""
    payload = {
        "sid": session.sid,
        "role": session.role,
        "at": int(session.login_at.timestamp()),
        "pw": fingerprint(passwords.get(session.role, ""), secret),
    }
    return URLSafeSerializer(secret, salt=_SALT).dumps(payload)


def read(value: str | None, secret: str, passwords: Mapping[str, str]) -> SignedSession | None:
    """The session a cookie value signs, or None (absent, forged, from another secret, or for a
    role whose password has since changed or been removed)."""
    if not value:
        return None
    try:
        payload = URLSafeSerializer(secret, salt=_SALT).loads(value)
    except BadData:
        return None
    if not isinstance(payload, dict):
        return None
    sid, role, at = payload.get("sid"), payload.get("role"), payload.get("at")
    if not isinstance(sid, str) or role not in ("viewer", "admin") or not isinstance(at, int):
        return None
    password = passwords.get(role)
    if not password or not hmac.compare_digest(str(payload.get("pw")), fingerprint(password, secret)):
        return None
    return SignedSession(sid, role, datetime.fromtimestamp(at, UTC))


class SessionBook:
    """Each signed-in session's latest use, and the sessions logged out, in this process."""

    def __init__(self) -> None:
        self._seen: dict[str, datetime] = {}
        self._ended: dict[str, datetime] = {}  # sid -> its login time (kept until it would expire)
        self._lock = threading.Lock()

    def check(self, session: SignedSession, now: datetime, config: DashboardConfig) -> str | None:
        """Why `session` is over (logged out, too old, idle), or None, and this use counted."""
        with self._lock:
            if session.sid in self._ended:
                return "You logged out: log in again."
            last_seen = self._seen.get(session.sid, session.login_at)
            ended = session_ended(session.login_at, last_seen, now, config)
            if ended is None:
                self._seen[session.sid] = now
            else:
                self._seen.pop(session.sid, None)
            return ended

    def end(self, session: SignedSession, now: datetime, config: DashboardConfig) -> None:
        """Logged out: the id is refused from now on (until it would have expired anyway)."""
        with self._lock:
            self._seen.pop(session.sid, None)
            self._ended[session.sid] = session.login_at
            lifetime = timedelta(minutes=config.session_minutes)
            for sid, login_at in list(self._ended.items()):
                if now - login_at >= lifetime:
                    del self._ended[sid]
