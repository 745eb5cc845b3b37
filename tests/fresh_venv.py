"""A fresh virtual environment holding Vaultward as a user gets it: the wheel built from this
checkout, installed with exactly the versions uv.lock records (the ones this suite tests), and
run from outside the checkout with nothing of the outer environment leaking in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from uv import find_uv_bin

ROOT = Path(__file__).parents[1]
# Variables of the outer environment that would point the fresh one back at this checkout,
# its .venv or the developer's configuration and store (PWD: subprocess never updates it).
LEAKY = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "PWD",
    "OLDPWD",
)
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==")


@dataclass(frozen=True)
class FreshVenv:
    path: Path
    wheel: Path
    home: Path  # HOME for every command run in it: no ~/.streamlit or ~/.aws of the developer

    def site_packages(self) -> Path:
        [folder] = self.path.glob("lib/python3*/site-packages")
        return folder

    def environment(self, **extra: str) -> dict[str, str]:
        clean = {
            name: value
            for name, value in os.environ.items()
            if name not in LEAKY and not name.startswith("VAULTWARD_")
        }
        clean.update(PATH=f"{self.path / 'bin'}{os.pathsep}{clean.get('PATH', '')}", HOME=str(self.home))
        clean.update(COLUMNS="250", **extra)
        return clean

    def run(self, cwd: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), capture_output=True, text=True, cwd=cwd, env=self.environment(**env), timeout=timeout
        )


def uv(*args: str, timeout: float = 600) -> str:
    environment = {name: value for name, value in os.environ.items() if name not in LEAKY}
    done = subprocess.run(
        [find_uv_bin(), *args], capture_output=True, text=True, cwd=ROOT, env=environment, timeout=timeout
    )
    assert done.returncode == 0, f"uv {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


def build_wheel(out_dir: Path) -> Path:
    """The wheel, as `uv build` makes it (an sdist, then the wheel from the sdist), from a copy
    of the files this checkout would commit: what git ignores (build/, *.egg-info whose stale
    SOURCES.txt setuptools would reuse, a developer's .streamlit/secrets.toml) cannot leak in."""
    source = out_dir.parent / "source"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, cwd=ROOT, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # deleted but not yet committed: gone
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    uv("build", "--out-dir", str(out_dir), str(source))
    [wheel] = out_dir.glob("vaultward-*.whl")
    return wheel


def locked_requirements(path: Path, extra: str) -> Path:
    """uv.lock's pins for the project's dependencies and `extra` (the project itself left out)."""
    exported = uv("export", "--frozen", "--no-hashes", "--no-emit-project", "--no-dev",
                  "--extra", extra, "--format", "requirements-txt")  # fmt: skip
    path.write_text(exported)
    return path


def pins(requirements: str) -> dict[str, str]:
    """{normalised name: version} of the `name==version` lines (requirements, `pip freeze`) that
    apply to this interpreter (the lock pins some packages per Python version)."""
    found = {}
    for line in requirements.splitlines():
        if not PIN.match(line.strip()):
            continue
        requirement = Requirement(line.strip())
        if requirement.marker is None or requirement.marker.evaluate():
            [specifier] = requirement.specifier
            found[canonicalize_name(requirement.name)] = specifier.version
    return found


def create_fresh_venv(base: Path) -> FreshVenv:
    """Build the wheel, make a new virtual environment and install into it the wheel with the
    demo extra at the lock's versions, plus pytest at the lock's version (for plugin authors'
    tests); then check that everything installed is what the lock pins."""
    wheel = build_wheel(base / "dist")
    runtime = locked_requirements(base / "requirements-demo.txt", "demo")
    development = locked_requirements(base / "constraints-dev.txt", "dev")  # pins pytest and its deps
    venv = base / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
       "-r", str(runtime), "-c", str(development),
       f"vaultward[demo] @ {wheel.as_uri()}", "pytest")  # fmt: skip
    # Vaultward itself freezes as `vaultward @ file://...`; everything else must be a lock pin.
    locked = pins(development.read_text())
    installed = pins(uv("pip", "freeze", "--python", str(venv / "bin" / "python")))
    unlocked = {name: version for name, version in installed.items() if locked.get(name) != version}
    assert not unlocked, f"installed at versions uv.lock does not record: {unlocked}"
    home = base / "home"
    home.mkdir()
    return FreshVenv(venv, wheel, home)
