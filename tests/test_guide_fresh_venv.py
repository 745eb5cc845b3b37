"""The "Writing a check" guide as a plugin author follows it: Vaultward pip-installed into a
fresh virtual environment (nothing from this checkout on the path), then `checks new`, pytest,
the guide's own check, and `checks test` over a records file and over an empty store."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "writing-a-check.md"
SHIPPED = ("pyproject.toml", "README.md", "vaultward", "collectors", "checks", "dashboard")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.S)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A new virtual environment with Vaultward (from a copy of the sources) and pytest."""
    base = tmp_path_factory.mktemp("fresh")
    source = base / "vaultward-src"
    source.mkdir()
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    env_dir = base / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=120)
    installed = subprocess.run(
        [str(env_dir / "bin" / "pip"), "install", "--quiet", str(source), "pytest"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return env_dir


def run(venv: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "VAULTWARD_CONFIG")
    }
    clean.update(PATH=f"{venv / 'bin'}:{clean['PATH']}", COLUMNS="250", **env)
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=clean, timeout=300)


def rows(output: str, check_id: str) -> dict[str, str]:
    """{resource: status} from the table `checks test` prints."""
    found = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) >= 3 and cells[0] == check_id:
            found[cells[1]] = cells[2]
    return found


@pytest.mark.slow
def test_the_guide_end_to_end_in_a_fresh_virtual_environment(venv, tmp_path):
    where = run(venv, tmp_path, "python", "-c", "import vaultward; print(vaultward.__file__)")
    assert str(venv) in where.stdout, "vaultward must come from the fresh environment"

    # 1. scaffold, and the scaffold's own test passes
    created = run(venv, tmp_path, "vaultward", "checks", "new", "signer_has_mfa", "--mitigation", "custody",
                  "--dir", "my_checks")  # fmt: skip
    assert created.returncode == 0, created.stderr
    scaffold = run(venv, tmp_path, "pytest", "-q", "-p", "no:cacheprovider", "my_checks")
    assert scaffold.returncode == 0 and "1 passed" in scaffold.stdout, scaffold.stdout

    # 2-3. the guide's check and test replace the scaffold and pass
    check, test = blocks("python")[:2]
    (tmp_path / "my_checks" / "signer_has_mfa.py").write_text(check)
    (tmp_path / "my_checks" / "test_signer_has_mfa.py").write_text(test)
    tested = run(venv, tmp_path, "pytest", "-q", "-p", "no:cacheprovider", "my_checks")
    assert tested.returncode == 0 and "1 passed" in tested.stdout, tested.stdout

    # 4. checks test over the guide's records file, under the guide's vaultward.toml
    (tmp_path / "r.json").write_text(blocks("json")[0])
    (tmp_path / "vaultward.toml").write_text(blocks("toml")[0])
    tried = run(
        venv, tmp_path, "vaultward", "checks", "test", "my_checks/signer_has_mfa.py", "--records", "r.json"
    )
    assert tried.returncode == 0, tried.stderr
    assert rows(tried.stdout, "custody.signer_has_mfa") == {
        "safe:eth:0x1#0xa": "pass",
        "safe:eth:0x1#0xb": "fail",
        "safe:eth:0x1#0xc": "unknown",
    }

    # ... and over the latest facts of a store that has none: unknown, never a pass
    empty = run(venv, tmp_path, "vaultward", "checks", "test", "my_checks/signer_has_mfa.py",
                VAULTWARD_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}")  # fmt: skip
    assert empty.returncode == 0, empty.stderr
    assert rows(empty.stdout, "custody.signer_has_mfa") == {"(no data)": "unknown"}
