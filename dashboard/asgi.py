"""The dashboard as `vaultward serve` runs it (`streamlit run dashboard/asgi.py`): app.py in a
Streamlit st.App whose first middleware answers Streamlit's usage metrics with 404.

Streamlit serves /_stcore/metrics to anyone, before any login: how many sessions are open and
which cached dashboard functions ran. No config option turns it off in Streamlit 1.67, so this
middleware does, in front of every other route (whatever `server.baseUrlPath`)."""

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

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


app = st.App("app.py", middleware=[Middleware(HideMetrics)])
