"""benchmarks/findings_page.py in its smoke size: the command runs end to end on both stores
and reports a ratio per view (its timings are not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_findings_page_benchmark_runs_in_its_smoke_size(database_url):
    command = [sys.executable, "benchmarks/findings_page.py", "--smoke"]
    if database_url.startswith("postgresql"):
        command += ["--database-url", database_url]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "200 findings in one evaluation" in lines[0]
    assert any(line.startswith("2,000 findings in one evaluation") for line in lines)
    ratios = [line for line in lines if " ratio 2,000/200: " in line]
    assert [line.split()[0] for line in ratios] == ["unfiltered", "filtered"]
