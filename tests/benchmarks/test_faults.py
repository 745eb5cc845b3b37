"""Smoke test of benchmarks/faults.py: three faults on SQLite (a malformed configuration, kill -9
of `collect`, a garbage file at the store's path) against the real CLI; the table has a row
per fault saying what the user saw and what the store kept, and nothing was lost."""

from __future__ import annotations

import re

import pytest

from tests.benchmarks.command import run_benchmark

SUMMARY = re.compile(
    r"faults injected (\d+), ended cleanly (\d+), facts lost (\d+), duplicated (\d+), runs orphaned (\d+), "
    r"half-written (\d+), secrets leaked (\d+)"
)
KEPT = re.compile(r"facts (\d+) → (\d+), lost (\d+), duplicated (\d+); runs left running (\d+)")


def rows(stdout: str) -> dict[str, list[str]]:
    """The table's rows by fault, cells unescaped."""
    found = {}
    for line in stdout.splitlines():
        if line.startswith("| sqlite |"):
            cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            found[cells[1]] = cells
    return found


@pytest.mark.slow
def test_the_fault_campaign_reports_every_fault_and_loses_nothing():
    done = run_benchmark("faults.py")  # exits 0: nothing lost, duplicated, half written or leaked
    summary = SUMMARY.search(done.stdout)
    assert summary, done.stdout
    injected, clean, lost, duplicated, orphaned, half_written, leaked = map(int, summary.groups())
    assert (injected, lost, duplicated, half_written, leaked) == (3, 0, 0, 0, 0)
    table = rows(done.stdout)
    assert len(table) == 3, done.stdout
    malformed, killed, garbage = (
        next(cells for fault, cells in table.items() if words in fault)
        for words in ("malformed TOML", "kill -9 of `collect`", "garbage file")
    )
    for _store, _fault, _seen, verdict, kept in table.values():
        facts_before, facts_after, _lost, _duplicated, left = map(int, KEPT.search(kept).groups())  # type: ignore[union-attr]
        assert facts_after >= facts_before > 0  # the first collection's facts, kept through every fault
        assert verdict == "yes" or verdict.startswith("no: ")
        if left:  # a Run left running is never called clean
            assert verdict.startswith("no: ") and f"{left} run(s) left running" in verdict
    assert sum(cells[3] == "yes" for cells in table.values()) == clean

    # A configuration error: exit 2, named, nothing written.
    assert malformed[2].startswith("collect 2")
    assert malformed[3] == "yes", malformed
    assert "facts " in malformed[4] and "runs left running 0" in malformed[4]

    # kill -9 mid-run: the killed process, then the user's next commands, both succeeding.
    assert killed[2].startswith("collect killed, collect 0, status 0"), killed
    assert "not: a Run was running when killed" not in killed[3]
    assert int(KEPT.search(killed[4]).group(2)) > int(KEPT.search(killed[4]).group(1))  # type: ignore[union-attr]

    # A garbage file where the SQLite store should be: never written over.
    assert "not: the file's bytes unchanged" not in garbage[3], garbage
    assert "traceback" not in garbage[3]

    # Every row ends cleanly: the `collect` after a kill -9 marks the killed Runs failed
    # (none orphaned), and a store that is not a database exits 3 with one line naming it.
    assert orphaned == 0 and killed[3] == "yes", killed
    assert garbage[2].startswith("collect 3, status 3"), garbage
    assert garbage[3] == "yes", garbage
    assert clean == 3
