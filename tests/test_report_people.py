"""The weekly report counts people by identity class and lists guests apart, from the census
the evaluation stored (the same resolution the checks judged), in the JSON and the HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tests.factories import add_evaluation, make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import parse_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.files import build_report, iso_week_of
from vaultward.reporting.html import render_html
from vaultward.reporting.sections import GuestLine, PeopleLine

GUEST = "vik_audit.example#ext#@acme.onmicrosoft.com"
HOSTILE = "<b>Eve</b> (Partner)"


def okta(name: str, **fields):
    return make_identity(key=f"okta:{name}", scope="okta:acme", source="okta", account="acme", name=name,
                         email=f"{name}@acme.example", **fields)  # fmt: skip


PLAN = {
    "okta:acme": [
        okta("alice", privileged=True),
        okta("bob"),
        okta("svc-reporting", privileged=True, mfa_enrolled=False),  # machine_patterns: svc-*
        okta("carol", suspended=True, console_access=False),  # left: departed
    ],
    "aws:111111111111": [
        make_identity(key="arn:aws:iam::111111111111:user/alice", name="alice", privileged=True),
        # no console password, no MFA device, an access key: a CI user
        make_identity(
            key="arn:aws:iam::111111111111:user/runner",
            name="runner",
            console_access=False,
            mfa_enrolled=False,
            factor_kinds=[],
            programmatic_access=True,
        ),
    ],
    "entra:acme": [
        make_identity(
            key="entra:g1",
            scope="entra:acme",
            source="entra",
            name="Vik (Audit)",
            email=GUEST,
            user_type="guest",
            external=True,
            mfa_enrolled=False,
            factor_kinds=[],
        ),
        make_identity(
            key="entra:g2",
            scope="entra:acme",
            source="entra",
            name=HOSTILE,
            email="eve_partner.example#ext#@acme.onmicrosoft.com",
            user_type="guest",
            external=True,
        ),
    ],
}
SETTINGS = {"policy": {"people": {"aliases": {"arn:aws:iam::111111111111:user/alice": "alice@acme.example"}}}}


def test_the_report_counts_employees_guests_and_machines_and_lists_the_guests(engine):
    settings = parse_settings(SETTINGS)
    registry = registry_with(PLAN)
    collect(settings, engine, registry)
    summary = evaluate(settings, engine, registry)
    report = build_report(engine, iso_week_of(datetime.now(UTC)), registry)
    assert report.evaluation_id == summary.evaluation_id
    assert report.people == PeopleLine(
        employees=2,  # alice (Okta and her aliased IAM user) and bob
        guests=2,
        machines=2,  # svc-reporting and runner
        departed=1,  # carol
        guest_list=[
            GuestLine(
                "eve_partner.example#ext#@acme.onmicrosoft.com",
                "eve_partner.example#ext#@acme.onmicrosoft.com",
                ["entra"],
                [f"entra: {HOSTILE}"],
                "entra says it is a guest (userType guest)",
            ),
            GuestLine(
                GUEST, GUEST, ["entra"], ["entra: Vik (Audit)"], "entra says it is a guest (userType guest)"
            ),
        ],
    )
    stored = json.loads(report.to_json())["people"]
    assert (stored["employees"], stored["guests"], stored["machines"], stored["departed"]) == (2, 2, 2, 1)
    assert [guest["id"] for guest in stored["guest_list"]] == [line.id for line in report.people.guest_list]

    html = render_html(report)
    assert "People by identity class" in html
    assert '<div class="kpi-value">2</div><div class="kpi-label">Guests (external)</div>' in html
    assert "entra: Vik (Audit)" in html
    assert HOSTILE not in html and "&lt;b&gt;Eve&lt;/b&gt; (Partner)" in html  # text, never markup


def test_an_evaluation_stored_before_the_census_has_no_people_section(engine):
    monday = datetime(2026, 11, 16, tzinfo=UTC)
    with Session(engine) as session:
        add_evaluation(session, monday + timedelta(days=1), overall=50.0, band="weak",
                       mitigation_scores={"access": 50.0})  # fmt: skip
        session.commit()
    report = build_report(engine, "2026-W47")
    assert report.people is None
    assert json.loads(report.to_json())["people"] is None
    assert "People by identity class" not in render_html(report)
