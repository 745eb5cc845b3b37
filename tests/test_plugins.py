"""A third-party plugin package, pip-installed: its check is listed, evaluated and scored;
a broken plugin in the same package is reported and skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select
from uv import find_uv_bin

from tests.factories import make_account, make_identity
from tests.fake_collectors import StaticCollector
from vaultward.store.models import CheckScore, Evaluation

ROOT = Path(__file__).parents[1]
PLUGIN = ROOT / "tests" / "plugins" / "sample_plugin"
VAULTWARD = str(Path(sys.executable).parent / "vaultward")


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory) -> str:
    """The sample package installed into its own folder (kept off the test venv) by uv, the
    installer of the lock (the test venv has no pip)."""
    target = tmp_path_factory.mktemp("site")
    installed = subprocess.run(
        [find_uv_bin(), "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
         "--target", str(target), str(PLUGIN)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return str(target)


def cli(plugin_path: str, *args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": plugin_path, "COLUMNS": "250"}
    env.pop("VAULTWARD_CONFIG", None)
    if url:
        env["VAULTWARD_DATABASE_URL"] = url
    return subprocess.run([VAULTWARD, *args], capture_output=True, text=True, env=env, timeout=120)


def test_checks_list_shows_the_plugin_and_reports_the_broken_one(plugin_path):
    result = cli(plugin_path, "checks", "list", "--mitigation", "access")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "access.break_glass_admins_few" in line)
    assert "entry point sample" in row
    assert (
        "plugin skipped: entry point broken: vaultward_sample_checks.broken needs a library" in result.stderr
    )


def test_the_plugin_check_is_evaluated_and_scored(plugin_path, engine, monkeypatch):
    monkeypatch.syspath_prepend(plugin_path)  # as if installed: entry points are found there
    from vaultward.config.settings import Settings
    from vaultward.pipeline.collection import collect
    from vaultward.pipeline.evaluation import evaluate
    from vaultward.pipeline.registry import discover

    registry = discover()
    assert registry.checks["access.break_glass_admins_few"].origin == "entry point sample"
    assert any(entry.startswith("entry point broken:") for entry in registry.broken)
    plan = {
        "aws:1": [
            make_account(account_id="111111111111"),
            *[make_identity(key=f"admin{n}", account="111111111111", privileged=True) for n in range(3)],
        ]
    }
    registry.collectors = {"static": type("Planned", (StaticCollector,), {"plan": plan})}
    collect(Settings(), engine, registry)
    summary = evaluate(Settings(), engine, registry)
    with Session(engine) as session:
        score = session.exec(
            select(CheckScore).where(
                CheckScore.evaluation_id == summary.evaluation_id,
                CheckScore.check_id == "access.break_glass_admins_few",
            )
        ).one()
        evaluation = session.get(Evaluation, summary.evaluation_id)
    assert (score.failed, score.passed, score.score) == (1, 0, 0.0)  # three administrators
    assert any(p.startswith("plugin skipped: entry point broken:") for p in evaluation.problems)
