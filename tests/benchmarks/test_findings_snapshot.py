"""What benchmarks/snapshot_estates.py pins or masks so two snapshots of the same code are
identical: the estates' clock, loopback ports, the scratch folder, the order of evidence lists.
(The snapshots themselves take a minute each: benchmarks/README.md.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.snapshot_estates import NOW, canonical, masked, pinned_clock
from demo import seeder
from demo.fakes import knowbe4


def test_the_estates_date_their_records_from_the_pinned_clock():
    with pinned_clock(NOW):
        assert seeder.Seeder(None).now == NOW
        data = knowbe4.demo_knowbe4_data()
    assert seeder.Seeder(None).now > NOW  # the wall clock again
    alice = next(user for user in data["users"] if user["first_name"] == "Alice")
    assert alice["joined_on"].startswith((NOW - timedelta(days=700)).date().isoformat())


def test_ports_and_the_scratch_folder_are_masked():
    folder = Path("/tmp/vaultward-demo-x1y2")
    line = f'["run", "okta", "okta:127.0.0.1:35809", "prowler:{folder}/prowler", "http://localhost:8080/x"]'
    assert masked(line, folder) == (
        '["run", "okta", "okta:127.0.0.1:<port>", "prowler:<data_dir>/prowler", "http://localhost:<port>/x"]'
    )


def test_evidence_lists_are_sorted_at_every_depth():
    evidence = {"identities": ["okta:b", "aws:a"], "by": {"x": [[2, 1], "a", {"k": ["z", "y"]}]}, "n": 3}
    assert canonical(evidence) == {
        "identities": ["aws:a", "okta:b"],
        "by": {"x": ["a", [1, 2], {"k": ["y", "z"]}]},
        "n": 3,
    }


def test_the_pinned_clock_keeps_time_zones():
    with pinned_clock(NOW):
        assert seeder.datetime.now(UTC) == NOW
        assert seeder.datetime.now() == NOW.replace(tzinfo=None)
    assert isinstance(datetime.now(UTC), datetime)
