"""benchmarks/findings_page.py in its smoke size: the command runs end to end on both stores
and reports a ratio per view (its timings are not asserted)."""

from __future__ import annotations

import pytest

from tests.benchmarks.command import run_benchmark


@pytest.mark.slow
def test_the_findings_page_benchmark_runs_in_its_smoke_size(database_url):
    done = run_benchmark("findings_page.py", database_url=database_url)
    lines = done.stdout.splitlines()
    assert "200 findings in one evaluation" in lines[0]
    assert any(line.startswith("2,000 findings in one evaluation") for line in lines)
    ratios = [line for line in lines if " ratio 2,000/200: " in line]
    assert [line.split()[0] for line in ratios] == ["unfiltered", "filtered"]
