"""The People page's queries (vaultward.read.people_pages): the store filters, counts and pages
the people and their open findings as the page's frames of everyone did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from tests.factories import add_evaluation
from vaultward.read import people_pages
from vaultward.read.inventories import people_columns
from vaultward.read.people_pages import PeopleFilter
from vaultward.store.models import InventoryIssue, InventoryPerson


@pytest.fixture
def stored(engine):
    """250 employees (every tenth privileged, every fifth failing), a guest and a machine."""
    with Session(engine) as session:
        evaluation = add_evaluation(session, datetime(2026, 11, 16, tzinfo=UTC), overall=50.0)
        session.flush()
        for n in range(250):
            person = f"p{n:03d}@acme.example"
            session.add(
                InventoryPerson(evaluation_id=evaluation.id, person_id=person, name=person,
                                identity_class="employee", privileged=n % 10 == 0,
                                identities=[f"okta: {person}"], roles=["100%_admin"] if n == 7 else [])
            )  # fmt: skip
            if n % 5 == 0:
                for status, severity in (("unknown", "low"), ("fail", "critical")):
                    session.add(
                        InventoryIssue(evaluation_id=evaluation.id, inventory="person", subject_id=person,
                                       check_id=f"access.{severity}", status=status, severity=severity,
                                       message="m")
                    )  # fmt: skip
        session.add(
            InventoryPerson(evaluation_id=evaluation.id, person_id="g", name="Guest", identity_class="guest")
        )
        session.add(
            InventoryPerson(
                evaluation_id=evaluation.id, person_id="m", name="ci", identity_class="machine", active=False
            )
        )
        session.commit()
        yield session, evaluation.id


def test_the_census_and_counts(stored):
    session, evaluation_id = stored
    assert people_pages.census(session, evaluation_id) == {
        "employee": 250, "guest": 1, "machine": 0, "departed": 0, "employees": 250, "privileged": 25,
        "signers": 0, "failing": 50, "machines": 1,
    }  # fmt: skip
    assert people_pages.count_people(session, evaluation_id, PeopleFilter()) == 250
    assert people_pages.count_people(session, evaluation_id, PeopleFilter(machines=True)) == 251
    assert (
        people_pages.count_people(session, evaluation_id, PeopleFilter(privileged=True, failing=True)) == 25
    )
    assert people_pages.count_issues(session, evaluation_id, PeopleFilter(failing=True)) == 100


def test_pages_and_search(stored):
    session, evaluation_id = stored
    page = people_columns(
        session, evaluation_id, *people_pages.matching(PeopleFilter()), limit=200, offset=200
    )
    assert page["person_id"][0] == "p200@acme.example" and len(page["person_id"]) == 50
    # the search is literal (no LIKE wildcards) and reaches the JSON lists and the check ids
    assert people_pages.count_people(session, evaluation_id, PeopleFilter(text="100%_")) == 1
    assert people_pages.count_people(session, evaluation_id, PeopleFilter(text="10_")) == 0
    assert people_pages.count_people(session, evaluation_id, PeopleFilter(text="OKTA: P24")) == 10
    assert people_pages.count_people(session, evaluation_id, PeopleFilter(text="access.crit")) == 50
    issues = people_pages.issues_page(session, evaluation_id, PeopleFilter(), limit=3, offset=49)
    # worst first: every failing critical, then the unknowns, each in stored order
    assert [(row[0], row[3]) for row in issues] == [
        ("p245@acme.example", "fail"), ("p000@acme.example", "unknown"), ("p005@acme.example", "unknown")
    ]  # fmt: skip
