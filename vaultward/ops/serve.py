"""Launch the Streamlit dashboard as a subprocess pointed at the configured store."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import site
import subprocess
import sys
from pathlib import Path
from types import FrameType

from vaultward.config.settings import Settings, load_settings
from vaultward.store.db import open_store, redact_url

LOOPBACK = "127.0.0.1"


def dashboard_app() -> Path:
    """The dashboard's entry script (server.py: app.py on Streamlit's server with the login's
    cookie routes, its metrics hidden), wherever the `dashboard` package is: a source checkout or an installed
    wheel. Its `.streamlit/config.toml` (theme, headless server) sits beside it, where
    Streamlit reads a script's own defaults whatever the working directory."""
    spec = importlib.util.find_spec("dashboard")  # located, not imported: the core never runs it
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        app = Path(location).resolve() / "server.py"
        if app.is_file():
            return app
    raise RuntimeError(
        f"the Vaultward dashboard (dashboard/server.py) is not installed; looked in {locations}"
    )


def streamlit_command(address: str, port: int) -> list[str]:
    """Streamlit serving the dashboard through dashboard/server.py (app.py with the login's
    cookie routes and its metrics hidden), its table export off whatever other config files
    or STREAMLIT_ variables say."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(dashboard_app()),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.disableDataExport",
        "true",
    ]


def absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute, so the dashboard opens the store this process means."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url
    if Path(database).is_absolute():
        return url
    return parsed.set(database=str(Path(database).resolve())).render_as_string(hide_password=False)


def serve(settings: Settings, address: str | None = None, port: int | None = None) -> int:
    """Run the dashboard until it exits or is told to stop; returns its exit code (2 when it
    may not bind where asked: without a login configured it serves loopback only)."""
    from vaultward.config.access import auth_mode, refuse_address, secrets_have_auth, secrets_paths

    address = address or settings.dashboard.address or LOOPBACK
    port = port or settings.dashboard.port
    app = dashboard_app()
    # Streamlit runs in this working directory, so it reads the same secrets files we judge here.
    working_dir = Path.cwd()
    mode = auth_mode(settings.dashboard, secrets_have_auth(secrets_paths(working_dir, app.parent)))
    refusal = refuse_address(address, mode)
    if refusal:
        print(refusal, file=sys.stderr, flush=True)
        return 2
    url = absolute_sqlite(settings.database_url)
    open_store(url).dispose()  # create or upgrade the schema before the first page view

    env = dict(os.environ, VAULTWARD_DATABASE_URL=url)
    # uvicorn reads X-Forwarded-For from these peers only (its default trusts loopback's)
    env["FORWARDED_ALLOW_IPS"] = ",".join(settings.dashboard.trusted_proxies)
    if settings.source_file is not None:
        env["VAULTWARD_CONFIG"] = str(Path(settings.source_file).resolve())
    host = f"[{address}]" if ":" in address else address
    print(f"Vaultward dashboard: http://{host}:{port}/ (store {redact_url(url)})", flush=True)
    if mode == "local":
        print(
            "No login is configured, so the dashboard serves this machine only (loopback) and "
            "everyone who reaches it is an admin. Configure OIDC or a dashboard password to serve "
            "a network.",
            flush=True,
        )
    else:
        print(f"Login: {'OIDC (st.login)' if mode == 'oidc' else 'dashboard password'}.", flush=True)

    # Streamlit puts the script's folder on the path, not its parent: a source checkout's root
    # goes on PYTHONPATH so `import dashboard` finds the same package; an installed one needs none.
    source_root = app.parent.parent
    if not _is_site_packages(source_root):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source_root), env.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(streamlit_command(address, port), env=env, cwd=working_dir)
    forwarded: set[int] = set()

    def forward(signum: int, _frame: FrameType | None) -> None:
        if process.poll() is None:
            forwarded.add(signum)
            process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = process.wait()
            except KeyboardInterrupt:  # pragma: no cover - SIGINT is forwarded by the handler
                continue
            # Uvicorn (under st.App) stops cleanly, then ends by the signal it was sent: asked to.
            return 0 if -code in forwarded else code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _is_site_packages(folder: Path) -> bool:
    installed = [*site.getsitepackages(), site.getusersitepackages()]
    return any(Path(path).resolve() == folder for path in installed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vaultward.ops.serve", description=__doc__)
    parser.add_argument("--config", type=Path, help="configuration file (vaultward.toml)")
    parser.add_argument("--address", help=f"address to bind (default {LOOPBACK})")
    parser.add_argument("--port", type=int, help="port to listen on (default 8501)")
    args = parser.parse_args(argv)
    return serve(load_settings(args.config), address=args.address, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
