"""The dependency check `./dev.sh lint` runs (deptry over the whole repository): green on
pyproject.toml as it is, red when a dependency that the code imports is taken out of it; and
dev.sh bootstraps the uv release the lock records."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DEPTRY = Path(sys.executable).with_name("deptry")


def deptry(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPTRY), ".", "--config", str(config), "--no-ansi"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_every_import_is_declared_and_every_dependency_used() -> None:
    result = deptry(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("dependency", "imported_in"),
    [("jmespath", "collectors/internal_http/mapper.py"), ("botocore", "collectors/aws/session.py")],
)
def test_removing_a_declared_dependency_fails_the_check(
    tmp_path: Path, dependency: str, imported_in: str
) -> None:
    """Both are installed anyway (boto3 brings them): only the declaration is missing."""
    text = (ROOT / "pyproject.toml").read_text()
    line = re.compile(rf'^\s*"{dependency}[>=<\[].*\n', re.M)
    assert len(line.findall(text)) == 1, f"{dependency} is declared once in pyproject.toml"
    trimmed = tmp_path / "pyproject.toml"
    trimmed.write_text(line.sub("", text))
    result = deptry(trimmed)
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout + result.stderr
    assert re.search(rf"{imported_in}:\d+:\d+: DEP00[13] '{dependency}'", report), report


def test_dev_sh_bootstraps_the_locked_uv() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    [locked] = [p["version"] for p in lock["package"] if p["name"] == "uv"]
    pinned = re.search(r"^UV_VERSION=(\S+)", (ROOT / "dev.sh").read_text(), re.M)
    assert pinned is not None and pinned.group(1) == locked


def test_the_lock_matches_pyproject() -> None:
    from uv import find_uv_bin

    result = subprocess.run(
        [find_uv_bin(), "lock", "--check", "--offline"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "UV_PYTHON_DOWNLOADS": "never", "UV_PYTHON": sys.executable},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
