"""A new user's first `./dev.sh demo`: a fresh clone of this repository (committed files only,
no `.venv`, no `.uv`) and an empty uv cache, so every package is downloaded as on a new
machine. Times the first line `dev.sh` prints, the end of installing, and the dashboard's
URL; then stops the demo. Prints the figures and the demo's stage lines with their times.

    python3 benchmarks/first_run.py [--repeats 1] [--keep-cache] [--port 8599]

`--keep-cache` reuses this machine's uv cache (what a second clone on the same machine sees).
Needs only git and python3; run it from a checkout whose changes are committed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL_LINE = "Vaultward dashboard: http://"
TIMEOUT = 1200


def first_run(port: int, keep_cache: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="vaultward-first-run-") as scratch:
        clone = Path(scratch) / "vaultward"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "VAULTWARD_", "UV_"))}
        if not keep_cache:
            env["UV_CACHE_DIR"] = str(Path(scratch) / "uv-cache")
            env["PIP_NO_CACHE_DIR"] = "1"
        started = time.monotonic()
        process = subprocess.Popen(
            ["./dev.sh", "demo", "--port", str(port)],
            cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        marks: dict[str, float] = {}
        lines: list[str] = []
        assert process.stdout is not None
        try:
            for line in process.stdout:
                elapsed = time.monotonic() - started
                lines.append(f"{elapsed:7.1f} s  {line.rstrip()}")
                marks.setdefault("first line", elapsed)
                if line.startswith("[1/5]"):
                    marks.setdefault("installed (demo starts)", elapsed)
                if line.startswith(URL_LINE):
                    marks["dashboard URL"] = elapsed
                    break
                if elapsed > TIMEOUT:
                    break
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        print("\n".join(line for line in lines if "INFO" not in line and "WARNING" not in line))
        if "dashboard URL" not in marks:
            sys.exit(f"the demo printed no dashboard URL within {TIMEOUT} s")
        shutil.rmtree(clone / ".venv", ignore_errors=True)
        return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--keep-cache", action="store_true")
    parser.add_argument("--port", type=int, default=8599)
    args = parser.parse_args()
    runs = [first_run(args.port, args.keep_cache) for _ in range(args.repeats)]
    cache = "this machine's uv cache" if args.keep_cache else "an empty uv cache (every package downloaded)"
    print(f"\nfresh clone, {cache}, {os.cpu_count()} cores; median of {len(runs)}:")
    for mark in ("first line", "installed (demo starts)", "dashboard URL"):
        print(f"  {mark:<26} {statistics.median(run[mark] for run in runs):6.1f} s")


if __name__ == "__main__":
    main()
