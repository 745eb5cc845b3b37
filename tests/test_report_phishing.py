"""The weekly report's training section carries the phishing programme (issue 16): the
organisation's phish-prone percentage per test, repeat clickers and administrators who fell
for their latest test, read back from the week's findings of a real evaluation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser

from tests.factories import make_identity, make_phishing_programme
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.files import build_report, iso_week_of
from vaultward.reporting.html import render_html


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _week_report(engine, records):
    registry = registry_with({"knowbe4:acme": records})
    collect(Settings(), engine, registry)
    evaluate(Settings(), engine, registry)
    return build_report(engine, iso_week_of(datetime.now(UTC)), registry)


def test_the_training_section_reports_the_trend_and_the_clickers(engine):
    report = _week_report(engine, make_phishing_programme())
    phishing = report.phishing
    assert phishing is not None and phishing.bound == 5.0
    assert [(t.name, t.percentage, t.final, t.status) for t in phishing.tests] == [
        ("Fake invoice", 50.0, True, "fail"),
        ("Parcel held at customs", 25.0, True, "fail"),
        ("Recruiter InMail", 75.0, True, "fail"),
        ("Collaborator's whitepaper", 25.0, False, "skipped"),  # still running
    ]
    assert phishing.latest is not None and phishing.latest.name == "Recruiter InMail"
    assert [(line.person, line.status) for line in phishing.repeat_clickers] == [
        ("dev1@acme.example", "fail")
    ]
    assert [(line.person, line.status) for line in phishing.privileged_clickers] == [
        ("admin@acme.example", "fail")
    ]

    data = json.loads(report.to_json())
    assert [t["percentage"] for t in data["phishing"]["tests"]] == [50.0, 25.0, 75.0, 25.0]
    assert data["phishing"]["privileged_clickers"][0]["message"].startswith("fell for Monthly baseline (")

    html = render_html(report)
    parser = Text()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    assert "Phishing programme" in text
    assert "Latest finished test: Monthly baseline" in text and "75.0 % (fail)" in text
    assert (
        "Repeat clickers Person Status Finding dev1@acme.example fail failed 3 of the last 3 finished tests"
        in text
    )
    assert "fell for their latest test Person Status Finding admin@acme.example fail fell for Monthly" in text
    assert "phish-prone percentage per test: Monthly baseline" in html  # the chart's label
    assert 'class="phish-chart"' in html and "(running)" in html


def test_no_phishing_section_without_phishing_tests(engine):
    report = _week_report(engine, [make_identity(key="okta:a", source="okta", email="a@acme.example")])
    assert report.phishing is None and json.loads(report.to_json())["phishing"] is None
    assert "Phishing programme" not in render_html(report)
