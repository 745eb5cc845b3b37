"""benchmarks/inventory_pages.py in its smoke size: it seeds, evaluates, renders every page
twice and reports their times (not asserted) on both stores."""

from __future__ import annotations

import pytest

from benchmarks.inventory_pages import PAGES
from tests.benchmarks.command import run_benchmark


@pytest.mark.slow
def test_the_inventory_pages_benchmark_runs_in_its_smoke_size(database_url):
    done = run_benchmark("inventory_pages.py", database_url=database_url)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("500 identities (312 people, 50 wallets): ")
    assert lines[1].split()[0] == "evaluation"
    pages = lines[2 : 2 + len(PAGES)]
    assert [line.split()[0] for line in pages] == [label for label, _, _ in PAGES]
    assert all("from the cache" in line for line in pages)
    assert lines[-2].startswith("slowest first render") and lines[-1].startswith("peak memory")
