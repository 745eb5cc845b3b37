"""benchmarks/inventory_pages.py in its smoke size: it seeds, renders both pages twice and
reports their times (not asserted) on both stores."""

from __future__ import annotations

import pytest

from tests.benchmarks.command import run_benchmark


@pytest.mark.slow
def test_the_inventory_pages_benchmark_runs_in_its_smoke_size(database_url):
    done = run_benchmark("inventory_pages.py", database_url=database_url)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("500 identities (312 people, 50 wallets): ")
    assert [line.split()[0] for line in lines[1:3]] == ["people", "wallets"]
    assert all("from the cache" in line for line in lines[1:3]) and lines[3].startswith("peak memory")
