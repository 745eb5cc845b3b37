"""The demo's simulated weeks: when each is collected, and the CLI's bounds on how many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from demo.history import WEEK_END_MARGIN, week_moments
from vaultward.cli.main import app


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC),  # a Monday just after midnight
        datetime(2026, 12, 9, 14, 3, tzinfo=UTC),
        datetime(2026, 12, 13, 23, 59, 30, tzinfo=UTC),  # a Sunday just before midnight
    ],
)
def test_twelve_moments_a_week_apart_each_in_its_own_iso_week_ending_with_nows(now):
    moments = week_moments(now, 12)
    weeks = [moment.isocalendar()[:2] for moment in moments]
    assert len(set(weeks)) == 12 and weeks[-1] == now.isocalendar()[:2]
    assert {later - earlier for earlier, later in zip(moments, moments[1:], strict=False)} == {
        timedelta(weeks=1)
    }
    # room for the week's collection and evaluation before its ISO week ends
    week_end = now - timedelta(days=now.weekday()) + timedelta(days=7)
    assert (
        moments[-1] <= now and week_end.replace(hour=0, minute=0, second=0) - moments[-1] >= WEEK_END_MARGIN
    )


def test_one_week_is_today_only():
    now = datetime(2026, 12, 9, 14, 3, tzinfo=UTC)
    assert week_moments(now, 1) == [now]


def test_the_demo_refuses_fewer_than_one_week(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--weeks", "0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--weeks" in result.output
    assert not (tmp_path / "vaultward.db").exists()  # nothing seeded or collected
