"""Per-mitigation scores with their change against a baseline, in one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import add_evaluation
from vaultward.read.scores import mitigation_scores

DAY = datetime(2026, 11, 16, tzinfo=UTC)


def test_scores_come_in_display_order_with_deltas_only_between_measured_scores(engine):
    with Session(engine) as session:
        before = add_evaluation(
            session, DAY - timedelta(days=7), overall=40.0,
            mitigation_scores={"access": 30.0, "custody": {"score": 0.0, "measured": False}},
        )  # fmt: skip
        now = add_evaluation(
            session, DAY, overall=60.0,
            mitigation_scores={"access": 62.5, "custody": 60.0, "training": {"score": 0.0, "measured": False}},
        )  # fmt: skip
        session.commit()
        rows = {row.mitigation: row for row in mitigation_scores(session, now.id, before.id)}
        order = [row.mitigation for row in mitigation_scores(session, now.id, before.id)]
        alone = mitigation_scores(session, now.id)
    assert order == ["custody", "training", "access"]
    assert rows["access"].delta == pytest.approx(32.5) and rows["access"].baseline_score == 30.0
    assert (rows["custody"].baseline_recorded, rows["custody"].baseline_score, rows["custody"].delta) == (
        0.0,
        None,
        None,
    )  # the baseline had no evidence: no change to claim
    assert (rows["training"].measured_score, rows["training"].delta) == (None, None)
    assert {row.delta for row in alone} == {None}
