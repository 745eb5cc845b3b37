"""The dashboard launcher: loopback by default, the store URL handed to the subprocess."""

from __future__ import annotations

import sys

from vaultward.config.settings import Settings
from vaultward.ops import serve as serve_module
from vaultward.ops.serve import absolute_sqlite, dashboard_app, serve, streamlit_command


def test_command_runs_the_app_headless_without_usage_stats_or_table_export():
    command = streamlit_command("127.0.0.1", 8765)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4].endswith("dashboard/server.py")
    assert command[5:] == [
        "--server.address", "127.0.0.1", "--server.port", "8765",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--client.disableDataExport", "true",
    ]  # fmt: skip


def test_relative_sqlite_paths_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert absolute_sqlite("sqlite:///data/store.db") == f"sqlite:///{tmp_path}/data/store.db"
    assert absolute_sqlite("sqlite:////srv/store.db") == "sqlite:////srv/store.db"
    url = "postgresql+psycopg://u:secret@db/vaultward"
    assert absolute_sqlite(url) == url


def test_serve_passes_the_store_and_returns_the_exit_code(database_url, monkeypatch, capsys):
    if database_url.startswith("postgresql"):
        # trust auth ignores the password, so it can be one the output must never show
        database_url = database_url.replace("://postgres@", "://postgres:pw-must-not-leak-42@")
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    seen = []

    def fake_command(address: str, port: int) -> list[str]:
        seen.append((address, port))
        script = (
            f"import os, sys; sys.exit(3 if os.environ['VAULTWARD_DATABASE_URL'] == {database_url!r} else 1)"
        )
        return [sys.executable, "-c", script]

    monkeypatch.setattr(serve_module, "streamlit_command", fake_command)
    assert serve(Settings(), port=8777) == 3
    assert seen == [("127.0.0.1", 8777)]
    output = capsys.readouterr().out
    assert "http://127.0.0.1:8777/" in output
    assert "loopback" in output and "No login is configured" in output
    assert "pw-must-not-leak-42" not in output


def test_the_dashboard_runs_where_serve_is_run_and_reads_its_secrets_there(tmp_path, monkeypatch, capfd):
    """An `[auth]` section in ./.streamlit/secrets.toml of the folder `vaultward serve` runs in
    (where Streamlit, started in that same folder, reads it) turns on OIDC, installed or not."""
    for variable in ("VAULTWARD_DASHBOARD_PASSWORD", "VAULTWARD_DASHBOARD_ADMIN_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    work = tmp_path / "work"
    (work / ".streamlit").mkdir(parents=True)
    (work / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n')
    monkeypatch.chdir(work)
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setattr(
        serve_module,
        "streamlit_command",
        lambda a, p: [sys.executable, "-c", "import os; print(os.getcwd())"],
    )
    assert serve(Settings(), address="0.0.0.0", port=8778) == 0
    output = capfd.readouterr().out
    assert "Login: OIDC (st.login)." in output
    assert output.splitlines()[-1] == str(work)


def test_the_dashboard_app_is_found_with_its_streamlit_defaults_beside_it():
    app = dashboard_app()
    assert app.name == "server.py" and (app.parent / ".streamlit" / "config.toml").is_file()


def test_a_stop_asked_for_is_a_clean_exit(tmp_path, monkeypatch):
    """Under st.App, uvicorn stops cleanly and then ends by the SIGTERM it was sent: `vaultward
    serve` (which forwarded it) exits 0, as it did when Streamlit caught the signal itself."""
    import os
    import signal
    import threading

    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    ready = tmp_path / "ready"
    script = f"import pathlib, time; pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    monkeypatch.setattr(serve_module, "streamlit_command", lambda a, p: [sys.executable, "-c", script])

    def stop() -> None:
        while not ready.exists():
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # as `docker stop` does

    threading.Thread(target=stop, daemon=True).start()
    assert serve(Settings(), port=8779) == 0
