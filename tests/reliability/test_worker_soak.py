"""A short soak (benchmarks/soak.py): the worker killed and restarted under random collector
failures and slow calls loses and duplicates nothing."""

from __future__ import annotations

from benchmarks.soak import soak


def test_a_short_soak_loses_and_duplicates_nothing(tmp_path, database_url):
    result = soak(tmp_path, database_url, seconds=8, kill_every=3)
    assert result.problems == []
    assert result.workers_started >= 2, "at least one SIGKILL and restart"
    assert result.attempted == result.ok + result.failed + result.recovered
    assert result.ok >= 1 and result.evaluations >= 1
    assert result.lines()[-1] == "nothing lost or duplicated"
