"""`vaultward demo` run once per test session (twelve weeks of history, the README's main job
as a new user runs it), shared by the demo's end-to-end tests and the browser's page checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VAULTWARD = str(Path(sys.executable).parent / "vaultward")
NOT_INHERITED = ("VAULTWARD_CONFIG", "VAULTWARD_DATABASE_URL", "VAULTWARD_DATA_DIR")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """The demo's folder (its store, reports and key files) and everything it printed."""
    data_dir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    result = subprocess.run(
        [VAULTWARD, "--verbose", "demo", "--no-serve", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir, result.stdout + result.stderr
