"""The command line as a user runs it: config errors, collect/evaluate/status, no secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def vaultward(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vaultward.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_malformed_config_exits_non_zero_naming_the_file(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[aws\nregions = 1\n")
    result = vaultward("--config", str(config), "status")
    assert result.returncode == 2
    assert f"{config}: not valid TOML" in result.stderr


def test_unknown_key_exits_non_zero_naming_the_key(tmp_path):
    config = tmp_path / "vaultward.toml"
    config.write_text("[aws]\nregionz = ['us-east-1']\n")
    result = vaultward("status", env={"VAULTWARD_CONFIG": str(config)})
    assert result.returncode == 2
    assert f"{config}: aws.regionz: unknown key" in result.stderr


def test_unknown_source_is_named(tmp_path, database_url):
    config = tmp_path / "vaultward.toml"
    config.write_text("[sources.okta_typo]\nenabled = true\n")
    result = vaultward("--config", str(config), "collect", env={"VAULTWARD_DATABASE_URL": database_url})
    assert result.returncode == 2
    assert "sources.okta_typo: unknown source" in result.stderr + result.stdout


def test_db_upgrade_and_status_on_empty_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgraded = vaultward("db", "upgrade", env={"VAULTWARD_DATABASE_URL": url})
    assert upgraded.returncode == 0, upgraded.stderr
    assert "schema upgraded from empty to" in upgraded.stdout
    again = vaultward("db", "upgrade", env={"VAULTWARD_DATABASE_URL": url})
    assert "schema is current" in again.stdout
    status = vaultward("status", env={"VAULTWARD_DATABASE_URL": url})
    assert status.returncode == 0
    assert "No collection has run yet" in status.stdout


@pytest.mark.parametrize(
    "command", [["--help"], ["collect", "--help"], ["worker", "--help"], ["demo", "--help"]]
)
def test_help(command):
    result = vaultward(*command)
    assert result.returncode == 0 and "Usage" in result.stdout


def test_unreachable_store_is_a_clear_error_without_its_password():
    """Through `python -m vaultward.cli.main`; tests/test_cli_store_failures.py has every command."""
    url = "postgresql+psycopg://vaultward:hunter2-db-password@127.0.0.1:1/vaultward"
    for command in (["db", "upgrade"], ["status"]):
        result = vaultward(*command, env={"VAULTWARD_DATABASE_URL": url})
        assert result.returncode == 3
        output = result.stdout + result.stderr
        assert "postgresql+psycopg://vaultward:***@127.0.0.1:1/vaultward" in output
        assert "hunter2-db-password" not in output and "Traceback" not in output
