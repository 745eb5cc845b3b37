"""Running a benchmark script as its README says (`PYTHONPATH=. python benchmarks/<name>.py`),
in its smoke size, for the CI smoke tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(script: str, *args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    """`benchmarks/<script> --smoke [args]` from the repository root, on `database_url`'s
    server when it is PostgreSQL (the benchmark makes a scratch database there); fails the
    test with the script's stderr if it exits non-zero."""
    command = [sys.executable, f"benchmarks/{script}", "--smoke", *args]
    if database_url and database_url.startswith("postgresql"):
        command += ["--database-url", database_url]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done
