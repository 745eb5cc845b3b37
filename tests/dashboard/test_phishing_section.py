"""The Training page shows the phishing programme (issue 16): the organisation's phish-prone
percentage test by test, the repeat clickers and the administrators who fell for their latest
test, from the findings a real evaluation stored over facts a static collector served."""

from __future__ import annotations

import pytest

from dashboard import charts
from tests.dashboard.apptest import rendered_markdown, run_page
from tests.factories import make_identity, make_phishing_programme
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url


def _evaluated(engine, records) -> None:
    registry = registry_with({"knowbe4:acme": records})
    collect(Settings(), engine, registry)
    evaluate(Settings(), engine, registry)


def test_the_training_page_shows_the_trend_the_repeat_clickers_and_the_admin_who_clicked(engine, store):
    _evaluated(engine, make_phishing_programme())
    at = run_page("mitigation", "training")
    text = rendered_markdown(at)
    assert "Phishing programme" in text and "the dashed line is the bound, 5 %" in text
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Latest phish-prone"] == "75.0 %"
    assert (metrics["Repeat clickers"], metrics["Admins and signers who fell for it"]) == ("1", "1")

    tests = at.dataframe[0].value
    assert list(tests["test"]) == [
        "Fake invoice",
        "Parcel held at customs",
        "Recruiter InMail",
        "Collaborator's whitepaper",
    ]
    # 2 of 4 delivered failed, then 1, then 3 failures (the admin twice) over 4; the open test
    # counts too but is not judged
    assert list(tests["failures"]) == [2, 1, 3, 1]
    assert list(tests["percentage"]) == [50.0, 25.0, 75.0, 25.0]
    assert list(tests["status"]) == ["fail", "fail", "fail", "skipped"]
    assert tests["message"].iloc[2].startswith("Monthly baseline (")
    assert "phish-prone 75.0 % (bound 5 %)" in tests["message"].iloc[2]

    repeat = at.dataframe[1].value
    assert repeat.to_dict("records") == [
        {
            "person": "dev1@acme.example",
            "status": "fail",
            "message": repeat["message"].iloc[0],
        }
    ]
    assert repeat["message"].iloc[0].startswith("failed 3 of the last 3 finished tests")
    privileged = at.dataframe[2].value
    assert list(privileged["person"]) == ["admin@acme.example"]
    assert privileged["message"].iloc[0].endswith(": clicked, data_entered")
    # The checks' findings are on the page like any other.
    findings = at.dataframe[4].value
    assert "Nobody fails phishing tests repeatedly (2 or more of the last 6, by default)" in set(
        findings["check_title"]
    )


def test_the_chart_draws_finished_tests_as_a_line_and_the_running_one_apart(engine, store):
    import dashboard.data as data

    _evaluated(engine, make_phishing_programme())
    programme = data.phishing_programme(store)
    assert programme is not None
    figure = charts.phish_prone_trend(programme["tests"], programme["bound"])
    finished, running = figure.data
    assert list(finished.y) == [50.0, 25.0, 75.0] and finished.mode == "lines+markers"
    assert list(running.y) == [25.0] and running.name == "still running"
    assert [shape.y0 for shape in figure.layout.shapes] == [5.0]  # the bound


def test_no_section_without_phishing_tests(engine, store):
    _evaluated(engine, [make_identity(key="okta:a", source="okta", email="a@acme.example", privileged=True)])
    at = run_page("mitigation", "training")
    assert "Phishing programme" not in rendered_markdown(at)
