"""What `vaultward serve` runs (`streamlit run dashboard/server.py`: Streamlit finds the `App`
here): app.py on Streamlit's server, with the password login's cookie routes beside
Streamlit's own, and Streamlit's usage metrics answered with 404.

Streamlit serves /_stcore/metrics to anyone, before any login: how many sessions are open and
which cached dashboard functions ran. No config option turns it off in Streamlit 1.67, so a
middleware does, in front of every other route (whatever `server.baseUrlPath`)."""

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard.login_routes import routes

HIDDEN = "/_stcore/metrics"


class HideMetrics:
    """An ASGI middleware: 404 for Streamlit's metrics, every other request passed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith(HIDDEN):
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = st.App("app.py", routes=routes(), middleware=[Middleware(HideMetrics)])
