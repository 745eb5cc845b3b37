"""A score history for the synthetic organisation: daily evaluations and their scores, no
findings (what the dashboard's trends and the weekly report draw)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Engine, insert

from vaultward.contract.vocabulary import MITIGATIONS
from vaultward.store.models import CheckScore, Evaluation, MitigationScore


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row one INSERT added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def seed_history(engine: Engine, days: int, now: datetime, check_ids: Sequence[tuple[str, str]]) -> None:
    """`days` daily evaluations before `now` with their scores (no findings): the trend the
    dashboard and the weekly report draw."""
    evaluations: list[int] = []
    mitigation_scores: list[dict[str, Any]] = []
    check_scores: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for day in range(days, 0, -1):
            started = now - timedelta(days=day)
            score = 50 + 20 * (days - day) / max(days, 1)
            evaluation_id = inserted_id(
                connection.execute(
                    insert(Evaluation).values(
                        started_at=started,
                        finished_at=started + timedelta(minutes=1),
                        overall_score=score,
                        band="fair",
                        check_count=len(check_ids),
                        finding_count=0,
                        runs=[],
                        problems=[],
                    )  # fmt: skip
                )
            )
            evaluations.append(evaluation_id)
            for mitigation in MITIGATIONS:
                mitigation_scores.append(
                    dict(evaluation_id=evaluation_id, mitigation=mitigation, score=score, weight=1.0,
                         check_count=5, passed=10, failed=3, unknown=1, waived=0, measured=True)
                )  # fmt: skip
            for check_id, check_mitigation in check_ids:
                check_scores.append(
                    dict(evaluation_id=evaluation_id, check_id=check_id, mitigation=check_mitigation, title=check_id,
                         severity="high", weight=2.0, score=score, passed=10, failed=3, unknown=1, waived=0,
                         skipped=0, references=[])
                )  # fmt: skip
        if mitigation_scores:
            connection.execute(insert(MitigationScore), mitigation_scores)
            connection.execute(insert(CheckScore), check_scores)
