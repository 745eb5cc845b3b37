"""The repository stays readable: no module over 400 lines outside tests and migrations."""

from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("vaultward", "collectors", "checks", "dashboard", "demo", "benchmarks")
MAX_LINES = 400


def test_no_module_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines (split them): {too_long}"
