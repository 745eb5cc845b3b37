from datetime import timedelta

from checks.training.awareness_recent import awareness_recent
from checks.training.lure_training_privileged import lure_training_privileged
from tests.checks.run import statuses
from tests.factories import NOW, make_identity
from vaultward.records import TrainingRecord


def _training(person: str, category: str, days_ago: int, status: str = "passed") -> TrainingRecord:
    return TrainingRecord(
        key=f"{person}/{category}/{days_ago}",
        source="csv",
        person=person,
        module=category,
        category=category,
        status=status,
        completed_at=NOW - timedelta(days=days_ago),
    )


def test_no_training_source_is_unknown_never_pass():
    people = [make_identity(key="a@x.io", email="a@x.io")]
    assert statuses(awareness_recent, people) == {"training": "unknown"}
    assert statuses(lure_training_privileged, people) == {"training": "unknown"}


def test_awareness_within_a_year():
    records = [
        make_identity(key="a@x.io", email="a@x.io"),
        make_identity(key="b@x.io", email="b@x.io"),
        make_identity(key="c@x.io", email="c@x.io"),
        _training("a@x.io", "awareness", 30),
        _training("b@x.io", "awareness", 400),
        _training("c@x.io", "awareness", 10, status="failed"),
    ]
    assert statuses(awareness_recent, records) == {"a@x.io": "pass", "b@x.io": "fail", "c@x.io": "fail"}


def test_lure_training_for_privileged_within_six_months():
    records = [
        make_identity(key="admin1@x.io", email="admin1@x.io", privileged=True),
        make_identity(key="admin2@x.io", email="admin2@x.io", privileged=True),
        make_identity(key="dev@x.io", email="dev@x.io", privileged=False),
        _training("admin1@x.io", "lure", 100),
        _training("admin2@x.io", "lure", 200),
    ]
    assert statuses(lure_training_privileged, records) == {"admin1@x.io": "pass", "admin2@x.io": "fail"}


def test_results_carry_the_identity_scope_so_staleness_applies():
    from tests.checks.run import run

    records = [make_identity(key="a", email="a@x.io", scope="okta:acme"), _training("a@x.io", "awareness", 3)]
    [result] = run(awareness_recent, records)
    assert (result.resource, result.scope, result.status) == ("a", "okta:acme", "pass")
