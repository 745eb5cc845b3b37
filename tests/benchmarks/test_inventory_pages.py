"""benchmarks/inventory_pages.py in its smoke size: it seeds, renders both pages twice and
reports their times (not asserted) on both stores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_inventory_pages_benchmark_runs_in_its_smoke_size(database_url):
    command = [sys.executable, "benchmarks/inventory_pages.py", "--smoke"]
    if database_url.startswith("postgresql"):
        command += ["--database-url", database_url]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("500 identities (312 people, 50 wallets): ")
    assert [line.split()[0] for line in lines[1:3]] == ["people", "wallets"]
    assert all("from the cache" in line for line in lines[1:3]) and lines[3].startswith("peak memory")
