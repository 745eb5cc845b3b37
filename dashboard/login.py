"""What the password login keeps in the server process, shared by the Streamlit script and the
cookie routes (`dashboard.login_routes`): the failure limiter, the session book, and the
one-time tickets that carry a login from the script to the route that sets the cookie (a script
cannot set an HttpOnly cookie). Also the audit rows every login attempt leaves: a success, a
failure, and the failure that starts a wait (login.lockout). A try while the address waits is
refused before the password is looked at and leaves no row, so a flood cannot fill the table."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import streamlit as st

from vaultward.config.login_limits import LoginLimiter
from vaultward.config.session_cookie import SessionBook, SignedSession

TICKET_LIFETIME = timedelta(seconds=60)
SESSION_ROUTE = "/_vaultward/session"
LOGOUT_ROUTE = "/_vaultward/logout"

BOOK = SessionBook()
_tickets: dict[str, tuple[SignedSession, datetime]] = {}
_tickets_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def limiter(max_failures: int, lockout_minutes: int) -> LoginLimiter:
    """One limiter per server process and configuration."""
    return LoginLimiter(max_failures, timedelta(minutes=lockout_minutes))


def issue_ticket(session: SignedSession, now: datetime) -> str:
    """A one-time ticket for `session`, redeemed by the cookie route within a minute."""
    ticket = secrets.token_urlsafe(32)
    with _tickets_lock:
        for old, (_, issued) in list(_tickets.items()):
            if now - issued >= TICKET_LIFETIME:
                del _tickets[old]
        _tickets[ticket] = (session, now)
    return ticket


def redeem_ticket(ticket: str, now: datetime) -> SignedSession | None:
    with _tickets_lock:
        found = _tickets.pop(ticket, None)
    if found is None or now - found[1] >= TICKET_LIFETIME:
        return None
    return found[0]


def safe_next(target: str | None) -> str:
    """A path on this server to go back to after login; anything else becomes "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@dataclass(frozen=True)
class LoginEvent:
    action: str  # login.success, login.failure, login.lockout
    role: str
    address: str
    wait_seconds: int = 0


def audit(url: str, event: LoginEvent, engine) -> None:
    """One audit row per attempt: the role tried and the address, never the password. A store
    that cannot be written does not stop the login; it is logged."""
    from vaultward.store.models import AuditEvent
    from vaultward.store.unit_of_work import unit_of_work

    details: dict[str, object] = {"role": event.role, "address": event.address}
    if event.wait_seconds:
        details["wait_seconds"] = event.wait_seconds
    actor = f"password {event.role}" if event.action == "login.success" else "anonymous"
    try:
        with unit_of_work(engine(url)) as session:
            session.add(
                AuditEvent(
                    at=datetime.now(UTC),
                    actor=actor,
                    action=event.action,
                    target=f"dashboard {event.role}",
                    details=details,
                )
            )
    except Exception:
        logging.getLogger("dashboard").exception("could not audit %s", event.action)
