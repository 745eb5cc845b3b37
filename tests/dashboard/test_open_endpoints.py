"""What a served dashboard answers before anyone logs in (issue 19): nothing that tells an
outsider how it is used. Streamlit's metrics (sessions, which dashboard functions ran) answer
404; the endpoints left open say nothing of the app."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from streamlit.web.server.starlette import starlette_routes

from tests.dashboard.test_browser import VAULTWARD, free_port, running

PASSWORD = "viewer-pass-7c1d"


def test_streamlit_still_serves_metrics_where_the_dashboard_hides_them():
    # The route this file checks is Streamlit's own: a renamed one would pass unseen.
    assert starlette_routes.ROUTE_METRICS == "_stcore/metrics"


def test_metrics_answer_404_before_and_without_login(seeded_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "VAULTWARD_CONFIG"}
    env.update(VAULTWARD_DATABASE_URL=seeded_url, VAULTWARD_DASHBOARD_PASSWORD=PASSWORD)
    env.pop("VAULTWARD_DASHBOARD_ADMIN_PASSWORD", None)
    base = f"http://127.0.0.1:{port}"
    command = [VAULTWARD, "serve", "--address", "0.0.0.0", "--port", str(port)]
    log_path = tmp_path / "serve.log"
    with running(command, env, tmp_path, log_path, base), httpx.Client(base_url=base, timeout=10) as client:
        assert client.get("/").status_code == 200  # the page shell: the app itself needs a login
        for path in ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore/metrics?families=session_events"):
            for method in ("GET", "HEAD", "OPTIONS"):
                response = client.request(method, path, headers={"Accept": "application/x-protobuf"})
                assert response.status_code == 404, (method, path)
                assert b"session" not in response.content and b"cache" not in response.content
        assert client.get("/_stcore/health").text == "ok"
        # What the shell needs before login: Streamlit's own defaults, nothing of this store or login.
        host_config = client.get("/_stcore/host-config").text
        for secret in (PASSWORD, seeded_url, str(tmp_path)):
            assert secret not in host_config
    assert "Login: dashboard password." in log_path.read_text()
