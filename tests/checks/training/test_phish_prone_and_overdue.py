from datetime import timedelta

from checks.training.overdue_enrolments import overdue_enrolments
from checks.training.phish_prone_bound import phish_prone_bound
from tests.checks.run import statuses
from tests.factories import NOW
from vaultward.contract.records import PhishProne, TrainingRecord


def test_phish_prone_percentage_against_the_bound():
    records = [
        PhishProne(key="k:1", source="knowbe4", person="A@x.io", percentage=2.5),
        PhishProne(key="k:2", source="knowbe4", person="b@x.io", percentage=12.0),
        PhishProne(key="k:3", source="knowbe4", person="c@x.io", percentage=None),
    ]
    assert statuses(phish_prone_bound, records) == {"a@x.io": "pass", "b@x.io": "fail", "c@x.io": "unknown"}


def _enrolment(
    key: str, status: str, due_days: int | None = None, category: str = "awareness"
) -> TrainingRecord:
    due = NOW + timedelta(days=due_days) if due_days is not None else None
    return TrainingRecord(
        key=key,
        source="knowbe4",
        person="a@x.io",
        module="Awareness",
        category=category,
        status=status,
        due_at=due,
    )


def test_overdue_enrolments():
    records = [
        _enrolment("past", "past_due"),
        _enrolment("late", "in_progress", due_days=-3),
        _enrolment("open", "not_started", due_days=10),
        _enrolment("done", "passed"),
        _enrolment("policy", "not_started", due_days=-3, category="other"),
    ]
    assert statuses(overdue_enrolments, records) == {
        "past": "fail",
        "late": "fail",
        "open": "pass",
        "done": "skipped",
        "policy": "skipped",
    }
