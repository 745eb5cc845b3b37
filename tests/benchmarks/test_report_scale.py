"""Smoke test of benchmarks/report_scale.py: at smoke size the report's four files are
written, the CSV holds every open finding, and the printed appendix is capped per check with
the rest pointed to the CSV and JSON."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests.benchmarks.command import run_benchmark


@pytest.mark.slow
def test_the_report_benchmark_writes_every_format_with_a_capped_appendix(tmp_path):
    done = run_benchmark("report_scale.py", "--out", str(tmp_path))
    found = re.search(r"([\d,]+) open findings \(([\d,]+) rows printed", done.stdout)
    assert found, done.stdout
    open_count, printed = (int(n.replace(",", "")) for n in found.groups())
    assert re.search(r"PDF \d+ pages", done.stdout)

    files = {path.suffix: path for path in tmp_path.iterdir()}
    assert set(files) == {".json", ".csv", ".html", ".pdf"}
    with files[".csv"].open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == open_count > 500  # every open finding, beyond the printed bound
    assert len(json.loads(files[".json"].read_text())["failing"]) == open_count

    html = files[".html"].read_text()
    assert f"Appendix: open findings ({open_count})" in html
    assert f"all {open_count} rows are in vaultward-findings-" in html
    more = [int(n) for n in re.findall(r"(\d+) more of <code[^>]*>", html)]
    assert more, "a capped check says how many more the files hold"
    shown = html.split('id="appendix"', 1)[1].count('<span class="status status-')
    assert shown + sum(more) == open_count
    assert files[".pdf"].read_bytes().startswith(b"%PDF")
