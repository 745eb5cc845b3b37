"""Which address a login counts against: the connection's peer, or, behind a proxy listed in
`dashboard.trusted_proxies`, the right-most X-Forwarded-For hop that is not a trusted proxy.
`vaultward serve` hands the list to uvicorn (FORWARDED_ALLOW_IPS), which reads the header;
these run the real uvicorn on loopback with what serve hands it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.dashboard.test_browser import free_port
from vaultward.config.settings import ConfigError, DashboardConfig, Settings, parse_settings
from vaultward.ops import serve as serve_module

ECHO = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["client"][0].encode()})
"""


def handed_to_uvicorn(settings: Settings, monkeypatch, tmp_path: Path) -> str:
    """FORWARDED_ALLOW_IPS as `vaultward serve` starts the dashboard with it."""
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # whatever the caller's environment says
    seen = tmp_path / "seen.txt"
    script = f"import os; open({str(seen)!r}, 'w').write(os.environ['FORWARDED_ALLOW_IPS'])"
    monkeypatch.setattr(serve_module, "streamlit_command", lambda a, p: [sys.executable, "-c", script])
    assert serve_module.serve(settings, port=8790) == 0
    return seen.read_text()


def client_seen(allow: str, forwarded_for: str, tmp_path: Path) -> str:
    (tmp_path / "echo_app.py").write_text(ECHO)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "echo_app:app", "--host", "127.0.0.1", "--port", str(port)]
    env = {"PATH": "/usr/bin:/bin", "FORWARDED_ALLOW_IPS": allow}
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": forwarded_for})
                return response.text
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("uvicorn did not start")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_without_trusted_proxies_a_spoofed_header_is_ignored(monkeypatch, tmp_path):
    allow = handed_to_uvicorn(Settings(), monkeypatch, tmp_path)
    assert allow == ""  # not even uvicorn's default trust of loopback
    assert client_seen(allow, "203.0.113.9", tmp_path) == "127.0.0.1"


def test_an_untrusted_client_s_header_is_ignored(monkeypatch, tmp_path):
    settings = Settings(dashboard=DashboardConfig(trusted_proxies=["10.0.0.0/8"]))
    allow = handed_to_uvicorn(settings, monkeypatch, tmp_path)
    assert allow == "10.0.0.0/8"
    assert client_seen(allow, "203.0.113.9", tmp_path) == "127.0.0.1"  # the peer itself


def test_behind_trusted_proxies_the_right_most_untrusted_hop_counts(monkeypatch, tmp_path):
    settings = Settings(dashboard=DashboardConfig(trusted_proxies=["127.0.0.1", "10.0.0.0/8"]))
    allow = handed_to_uvicorn(settings, monkeypatch, tmp_path)
    assert allow == "127.0.0.1,10.0.0.0/8"
    # the client put a made-up hop first; the proxies appended the real one, then themselves
    assert client_seen(allow, "198.51.100.1, 203.0.113.9, 10.1.2.3", tmp_path) == "203.0.113.9"


def test_trusted_proxies_must_be_addresses_or_networks():
    assert DashboardConfig(trusted_proxies=[" 10.0.0.0/8", "::1"]).trusted_proxies == ["10.0.0.0/8", "::1"]
    with pytest.raises(ConfigError) as error:
        parse_settings({"dashboard": {"trusted_proxies": ["10.0.0.0/8", "proxy.internal"]}}, "vaultward.toml")
    assert "trusted_proxies" in str(error.value) and "'proxy.internal'" in str(error.value)
