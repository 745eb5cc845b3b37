"""The read model's choice of evaluations: the latest, a period's, and THE baseline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import add_evaluation
from vaultward.read.evaluations import (
    baseline_evaluation,
    evaluation_in,
    latest_evaluation,
    previous_evaluation,
)

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)  # 2026-W47


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def test_an_empty_store_has_no_latest_and_no_period_evaluation(session):
    assert latest_evaluation(session) is None
    assert evaluation_in(session, MONDAY, MONDAY + timedelta(days=7)) is None


def test_the_latest_is_the_newest_by_start_not_by_id(session):
    newer = add_evaluation(session, MONDAY + timedelta(days=2), overall=50.0)
    add_evaluation(session, MONDAY, overall=10.0)  # stored later, started earlier
    session.commit()
    latest = latest_evaluation(session)
    assert latest is not None and (latest.id, latest.overall_score) == (newer.id, 50.0)


def test_the_baseline_is_the_evaluation_nearest_to_seven_days_before(session):
    add_evaluation(session, MONDAY - timedelta(days=9), overall=10.0)
    near = add_evaluation(session, MONDAY - timedelta(days=6), overall=20.0)  # 1 day after the target
    latest = add_evaluation(session, MONDAY + timedelta(days=1), overall=30.0)
    session.commit()
    row = latest_evaluation(session)
    assert row is not None and row.id == latest.id
    baseline = baseline_evaluation(session, row)
    assert baseline is not None and baseline.id == near.id  # 1 day off beats 2 days off


def test_the_baseline_is_never_the_evaluation_itself_nor_a_later_one(session):
    only = add_evaluation(session, MONDAY, overall=30.0)
    add_evaluation(session, MONDAY + timedelta(days=1), overall=40.0)
    session.commit()
    row = evaluation_in(session, MONDAY, MONDAY + timedelta(hours=1))
    assert row is not None and row.id == only.id
    assert baseline_evaluation(session, row) is None


def test_a_weeks_baseline_is_the_last_evaluation_of_the_week_before(session):
    add_evaluation(session, MONDAY - timedelta(days=6), overall=10.0)
    last_of_w46 = add_evaluation(session, MONDAY - timedelta(days=2), overall=20.0)
    add_evaluation(session, MONDAY + timedelta(days=1), overall=30.0)  # earlier in W47
    reported = add_evaluation(session, MONDAY + timedelta(days=5), overall=40.0)
    session.commit()
    week = (MONDAY, MONDAY + timedelta(days=7))
    row = evaluation_in(session, *week)
    assert row is not None and row.id == reported.id
    baseline = baseline_evaluation(session, row, period=week)
    assert baseline is not None and baseline.id == last_of_w46.id


def test_the_first_weeks_report_has_no_baseline_though_its_week_has_earlier_evaluations(session):
    """Where the rolling rule would pick an earlier evaluation of the same week."""
    early = add_evaluation(session, MONDAY, overall=10.0)
    add_evaluation(session, MONDAY + timedelta(days=4), overall=20.0)
    session.commit()
    week = (MONDAY, MONDAY + timedelta(days=7))
    row = evaluation_in(session, *week)
    assert row is not None
    assert baseline_evaluation(session, row, period=week) is None
    rolling = baseline_evaluation(session, row)
    assert rolling is not None and rolling.id == early.id


def test_an_alert_compares_with_the_evaluation_just_before(session):
    first = add_evaluation(session, MONDAY - timedelta(days=7), overall=10.0)
    second = add_evaluation(session, MONDAY - timedelta(hours=1), overall=20.0)
    session.commit()
    row = latest_evaluation(session)
    assert row is not None and row.id == second.id
    assert previous_evaluation(session, row) == first.id
