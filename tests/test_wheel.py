"""The wheel works outside the repository: installed into a fresh virtual environment at the
lock's versions and run from an empty folder, `python -m vaultward`, `vaultward demo` and
`vaultward serve` find their migrations, demo fakes, dashboard, templates and Streamlit
defaults inside the installed packages, never in this checkout."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fresh_venv import ROOT, FreshVenv

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory) -> Path:
    """The user's working directory: unrelated to the checkout, and left empty."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def demo(fresh_venv: FreshVenv, empty_dir: Path, tmp_path_factory) -> tuple[str, str]:
    """(output, store URL) of `vaultward demo --no-serve` run from the empty folder."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    done = fresh_venv.run(
        empty_dir, "vaultward", "demo", "--no-serve", "--weeks", "1", "--data-dir", str(data_dir)
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    [store] = re.findall(r"^store: (\S+)$", done.stdout, re.M)
    return output, store


def test_the_wheel_holds_what_runs_and_nothing_private(fresh_venv):
    names = zipfile.ZipFile(fresh_venv.wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"vaultward", "collectors", "checks", "dashboard", "demo", "vaultward-0.1.0.dist-info"}
    for shipped in (
        "vaultward/__main__.py",
        "vaultward/store/migrations/env.py",
        "vaultward/store/migrations/script.py.mako",
        "vaultward/store/migrations/versions/0001_initial_schema.py",
        "vaultward/reporting/templates/report.html.j2",
        "vaultward/reporting/templates/report.css",
        "demo/fakes/okta.py",
        "dashboard/app.py",
        "dashboard/asgi.py",
        "dashboard/app_pages/overview.py",
        "dashboard/.streamlit/config.toml",
    ):
        assert shipped in names, shipped
    versions = {p.name for p in (ROOT / "vaultward" / "store" / "migrations" / "versions").glob("[0-9]*.py")}
    assert versions == {
        n.rsplit("/", 1)[1] for n in names if re.match(r"vaultward/store/migrations/versions/\d", n)
    }
    private = [n for n in names if re.search(r"(^|/)(tests?|benchmarks)/|secrets|\.pyc$|\.env$", n)]
    assert private == []


def test_python_m_vaultward_lists_the_commands(fresh_venv, empty_dir):
    done = fresh_venv.run(empty_dir, "python", "-m", "vaultward", "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: python -m vaultward" in done.stdout
    for command in ("collect", "evaluate", "status", "report", "serve", "worker", "demo", "checks"):
        assert re.search(rf"│ {command}\s", done.stdout), command


def test_nothing_comes_from_the_checkout(fresh_venv, empty_dir):
    script = "import vaultward, dashboard, checks, collectors; print(vaultward.__file__, dashboard.__file__)"
    done = fresh_venv.run(empty_dir, "python", "-c", script)
    assert done.returncode == 0, done.stderr
    for module_file in done.stdout.split():
        assert Path(module_file).is_relative_to(fresh_venv.site_packages()), module_file
        assert not Path(module_file).is_relative_to(ROOT)


def test_the_demo_runs_outside_the_repository(demo):
    output, store = demo
    assert re.search(r"^readiness \d+(\.\d)?/100 \(\w+\): ", output, re.M), output[-3000:]
    assert "database schema upgraded from empty to" in output  # the shipped migrations ran
    assert re.search(r"weekly report \d{4}-W\d\d \(the week so far\): \S+\.pdf", output)  # templates
    assert store.startswith("sqlite:///")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(fresh_venv: FreshVenv, empty_dir: Path, demo, tmp_path) -> Iterator[tuple[str, int]]:
    """`vaultward serve` of the demo's store on a free loopback port: its base URL and pid."""
    _, store = demo
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        ["vaultward", "serve", "--port", str(port)],
        cwd=empty_dir,
        env=fresh_venv.environment(VAULTWARD_DATABASE_URL=store),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: Streamlit's child goes with it
    )
    try:
        deadline = time.monotonic() + 90
        while not healthy(base):
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "not healthy after 90 s"
            time.sleep(0.3)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)  # `vaultward serve` forwards it to Streamlit
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()[-3000:]


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_serve_answers_with_the_shipped_theme(served, fresh_venv, empty_dir):
    base, pid = served
    with urllib.request.urlopen(f"{base}/", timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert '<div id="root">' in response.read().decode()

    # Streamlit runs the installed app, in the user's folder, with nothing of the checkout on its path
    [streamlit] = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    command = Path(f"/proc/{streamlit}/cmdline").read_bytes().decode().split("\0")
    assert str(fresh_venv.site_packages() / "dashboard" / "asgi.py") in command  # app.py, metrics hidden
    assert Path(f"/proc/{streamlit}/cwd").resolve() == empty_dir.resolve()
    environment = Path(f"/proc/{streamlit}/environ").read_bytes().decode(errors="replace")
    assert str(ROOT) not in environment

    session = new_session(base)
    defaults = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert session.custom_theme.primary_color == defaults["theme"]["primaryColor"]
    assert session.custom_theme.background_color == defaults["theme"]["backgroundColor"]
    assert session.config.toolbar_mode == session.config.ToolbarMode.Value("VIEWER")
    assert session.config.gather_usage_stats is False
    assert list(empty_dir.iterdir()) == [], "the user's folder stays untouched"


def new_session(base: str):
    """The NewSession message the server sends a browser that opens the app: it carries the
    theme and client settings Streamlit actually loaded (script-level .streamlit/ included)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    with connect(url, subprotocols=["streamlit"], origin=base, open_timeout=10) as socket_:
        request = BackMsg()
        request.rerun_script.query_string = ""
        socket_.send(request.SerializeToString())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = ForwardMsg()
            message.ParseFromString(socket_.recv(timeout=30))
            if message.WhichOneof("type") == "new_session":
                return message.new_session
    raise AssertionError("no new_session message within 60 s")
