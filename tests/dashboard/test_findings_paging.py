"""The mitigation page at size: findings filtered, counted and paged in the store, the CSV
holding every match however many pages there are."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.dashboard.apptest import click_row, rendered_markdown, run_page
from tests.factories import add_evaluation

PEOPLE = 450  # more than two pages of 200


@pytest.fixture
def crowded_url(engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """One evaluation with 450 people under one access check (every third failing) and 30
    AWS accounts under another, across two Okta tenants."""
    findings = [
        {"check_id": "access.person_mfa", "severity": "high", "status": "fail" if n % 3 == 0 else "pass",
         "resource": f"okta:{n:05d}", "resource_name": f"person-{n:03d}",
         "scope": f"okta:{'acme' if n % 2 else 'acme-eu'}", "message": f"person {n} factors",
         "evidence": {"n": n}}
        for n in range(PEOPLE)
    ] + [
        {"check_id": "access.root_mfa", "severity": "critical", "status": "unknown",
         "resource": f"aws:{n:012d}", "resource_name": f"account-{n}", "scope": f"aws:{n:012d}",
         "message": "no credential report", "evidence": {}}
        for n in range(30)
    ]  # fmt: skip
    with Session(engine) as session:
        add_evaluation(
            session,
            datetime.now(UTC) - timedelta(hours=1),
            overall=40.0,
            mitigation_scores={"access": 40.0},
            check_scores=[
                {
                    "check_id": "access.person_mfa",
                    "title": "Every person uses MFA",
                    "passed": 300,
                    "failed": 150,
                },
                {
                    "check_id": "access.root_mfa",
                    "title": "Root accounts use MFA",
                    "severity": "critical",
                    "unknown": 30,
                },
            ],  # fmt: skip
            findings=findings,
        )
        session.commit()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url


def test_findings_are_paged_in_the_store_failing_and_most_severe_first(crowded_url):
    at = run_page("mitigation", "access")
    page = at.dataframe[1].value
    assert len(page) == 200
    # Failing first (150 people), then unknown (30 critical accounts), then passes.
    assert list(page["status"][:150]) == ["fail"] * 150 and list(page["status"][150:180]) == ["unknown"] * 30
    assert page["resource_name"].iloc[0] == "person-000"
    assert "480 of 480 findings · showing 1-200" in rendered_markdown(at)

    at.number_input(key="access_page").set_value(3).run()
    last = at.dataframe[1].value
    assert len(last) == 80 and set(last["status"]) == {"pass"}
    assert "showing 401-480" in rendered_markdown(at)
    panel = [t.value for t in at.text]  # the evidence of this page: its first row before a click
    assert f"PASS · high · {last['resource_name'].iloc[0]}" in panel
    click_row(at, 1, 79)
    assert f"PASS · high · {last['resource_name'].iloc[79]}" in [t.value for t in at.text]


def test_a_new_filter_goes_back_to_the_first_page_and_counts_in_the_store(crowded_url):
    at = run_page("mitigation", "access")
    at.number_input(key="access_page").set_value(2).run()
    at.multiselect(key="access_account").set_value(["acme-eu"]).run()
    shown = at.dataframe[1].value
    assert len(shown) == 200 and set(shown["scope"]) == {"okta:acme-eu"}
    assert at.number_input(key="access_page").value == 1
    assert "225 of 480 findings" in rendered_markdown(at)

    at.multiselect(key="access_status").set_value(["fail"]).run()
    assert "75 of 480 findings" in rendered_markdown(at)
    assert not at.number_input  # one page: no page picker


def test_search_matches_check_titles_and_source_text_case_insensitively(crowded_url):
    at = run_page("mitigation", "access")
    at.text_input(key="access_search").input("ROOT ACCOUNTS").run()  # a check title
    assert set(at.dataframe[1].value["check_title"]) == {"Root accounts use MFA"}
    assert "30 of 480 findings" in rendered_markdown(at)
    at.text_input(key="access_search").input("PERSON-44").run()  # resource names 440-449
    assert sorted(at.dataframe[1].value["resource_name"]) == [f"person-{n}" for n in range(440, 450)]
    at.text_input(key="access_search").input("100%_").run()  # LIKE wildcards are text
    assert "0 of 480 findings" in rendered_markdown(at)


def test_the_csv_holds_every_match_beyond_the_page(crowded_url):
    from dashboard import data

    chosen = data.FindingFilter(checks=("access.person_mfa",), sources=("okta",))
    rows = list(
        csv.DictReader(io.StringIO(data.findings_csv_of(crowded_url, "access", chosen, batch=64).decode()))
    )
    assert len(rows) == PEOPLE
    assert [r["status"] for r in rows[:150]] == ["fail"] * 150
    assert len({r["resource"] for r in rows}) == PEOPLE
    assert rows[0]["evidence"] == '{"n": 0}'
    nothing = data.findings_csv_of(crowded_url, "access", data.FindingFilter(text="no such thing"))
    assert nothing.decode().splitlines() == [",".join(data.FINDING_COLUMNS)]
