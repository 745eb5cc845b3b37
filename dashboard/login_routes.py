"""The two HTTP routes of the password login, served beside Streamlit's own (`dashboard.server`):
one turns a login ticket into the HttpOnly session cookie, the other clears it."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from dashboard import login
from dashboard.runtime import settings
from vaultward.config import session_cookie


async def start_session(request: Request) -> RedirectResponse:
    """`?ticket=…&next=…`: the session cookie for a login just made, then back to the page."""
    config = settings().dashboard
    now = datetime.now(UTC)
    session = login.redeem_ticket(request.query_params.get("ticket", ""), now)
    response = RedirectResponse(login.safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if session is None:  # spent, expired or made up: the page asks for the password again
        return response
    login.BOOK.check(session, now, config)  # its first use: the idle clock starts now
    response.set_cookie(
        session_cookie.COOKIE_NAME,
        session_cookie.sign(
            session, session_cookie.session_secret(config), session_cookie.role_passwords(config)
        ),
        max_age=config.session_minutes * 60,
        path="/",
        httponly=True,
        samesite="lax",  # a shared link opened from mail or chat still carries it
        secure=request.url.scheme == "https",
    )
    return response


async def end_session(request: Request) -> RedirectResponse:
    """Log out: the session id is refused from now on and the cookie cleared."""
    config = settings().dashboard
    value = request.cookies.get(session_cookie.COOKIE_NAME)
    session = session_cookie.read(
        value, session_cookie.session_secret(config), session_cookie.role_passwords(config)
    )
    if session is not None:
        login.BOOK.end(session, datetime.now(UTC), config)
    response = RedirectResponse("/", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(session_cookie.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    return [
        Route(login.SESSION_ROUTE, start_session, methods=["GET"]),
        Route(login.LOGOUT_ROUTE, end_session, methods=["GET"]),
    ]
