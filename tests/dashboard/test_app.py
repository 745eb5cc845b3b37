"""The dashboard pages under Streamlit's AppTest, over a seeded store (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.apptest import click_row, run_page
from vaultward.contract.vocabulary import MITIGATION_TITLES

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 30


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_mitigation_page(mitigation: str, **query_params: str) -> AppTest:
    return run_page("mitigation", mitigation, timeout=TIMEOUT, **query_params)


def metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.text])


def test_overall_score_and_band(seeded_url):
    at = run_app()
    overall = metric(at, "Overall readiness")
    assert overall.value == "68.2"  # 68.25 shown with one decimal (round half to even)
    assert overall.delta == "+18.2"  # against the baseline 7 days earlier (50.0)
    text = markdown_text(at)
    assert ":orange-badge[Fair]" in text
    assert "Fair: real gaps an attacker following this playbook could use." in text


def test_mitigation_cards_compare_with_the_evaluation_closest_to_seven_days_before(seeded_url):
    at = run_app()
    # Baseline is latest-7d-2h (access 40, custody 60, segmentation 70), not latest-1d.
    expected = {"access": ("50.0", "+10.0"), "custody": ("80.0", "+20.0"), "segmentation": ("75.0", "+5.0")}
    for mitigation, (value, delta) in expected.items():
        card = metric(at, MITIGATION_TITLES[mitigation])
        assert (card.value, card.delta) == (value, delta), mitigation
    # Detection has no score row in the latest evaluation: no card.
    assert not [m for m in at.metric if m.label == MITIGATION_TITLES["detection"]]


def test_training_without_evidence_says_no_data(seeded_url):
    at = run_app()
    card = metric(at, MITIGATION_TITLES["training"])
    assert card.value == "No data"
    assert not card.delta  # never a score, never a green arrow
    text = markdown_text(at)
    assert "Based on no evidence" in text
    assert "Connect KnowBe4" in text


def test_failing_checks_are_ranked_by_weight_times_affected_resources(seeded_url):
    at = run_app()
    ranked = [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]
    order = [line.split("`")[1] for line in ranked]
    # lure_training 2x10=20, privileged 2x(1+3)=8, root_mfa 3x2=6, multisig 5x1=5
    assert order == [
        "training.lure_training",
        "access.privileged_phishing_resistant",
        "access.root_mfa",
        "custody.multisig_threshold",
    ]
    affected = [m.value.split("\n")[0] for m in at.markdown if "affected resource" in m.value]
    assert affected == [
        "**10** affected resources  ",
        "**4** affected resources  ",
        "**2** affected resources  ",
        "**1** affected resource  ",
    ]
    assert ":red-badge[Critical]" in ranked[2]


def test_freshness_lists_the_latest_run_of_every_source(seeded_url):
    at = run_app()
    table = at.dataframe[-1].value
    rows = {(r.Source, r.Scope): r for r in table.itertuples()}
    assert set(rows) == {
        ("aws_iam", "aws:111111111111"),
        ("aws_network", "aws:111111111111/us-east-1"),
        ("okta", "okta:acme"),
        ("aws_custody", ""),  # enabled (no configuration: every AWS source is) but never run
        ("aws_detection", ""),
        ("aws_organization", ""),
    }
    iam = rows[("aws_iam", "aws:111111111111")]
    assert (iam.State, iam.Items, iam.Finished) == ("fresh", 42, "30 min ago")
    network = rows[("aws_network", "aws:111111111111/us-east-1")]
    assert network.State == "failed"
    assert network.Error == "AccessDenied: ec2:DescribeSecurityGroups"
    okta = rows[("okta", "okta:acme")]
    assert (okta.State, okta.Finished) == ("stale", "20 h ago")
    assert (rows[("aws_custody", "")].State, rows[("aws_custody", "")].Finished) == (
        "never collected",
        "never",
    )
    assert any("5 of 6 sources need attention" in w.value for w in at.warning)


def test_empty_store_explains_what_to_run(database_url, monkeypatch):
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    at = run_app()
    assert not at.metric
    assert "Nothing to show yet" in at.info[0].value
    assert "vaultward collect\nvaultward evaluate" in at.code[0].value
    assert "vaultward demo" in markdown_text(at)


def test_an_evaluation_before_any_collection_shows_every_source_never_collected(
    engine, database_url, monkeypatch
):
    from datetime import UTC, datetime

    from sqlmodel import Session

    from tests.factories import add_evaluation

    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    with Session(engine) as session:  # `vaultward evaluate` run before `vaultward collect`
        add_evaluation(session, datetime.now(UTC), overall=0.0, band="critical",
                       mitigation_scores={"access": {"score": 0.0, "measured": False}})  # fmt: skip
        session.commit()
    at = run_app()
    freshness = at.dataframe[-1].value
    assert len(freshness) > 0 and set(freshness["State"]) == {"never collected"}


def test_navigation_registers_one_page_per_scored_mitigation(seeded_url):
    at = run_app()
    # AppTest.switch_page only knows file pages; its page registry is how to reach callable
    # pages ("" is the default page, the overview).
    url_paths = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert {"", "access", "custody", "segmentation", "training"} <= url_paths
    assert "detection" not in url_paths
    access = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == "access")
    at._page_hash = access
    at.run()
    assert at.title[0].value == MITIGATION_TITLES["access"]


def test_mitigation_page_lists_and_filters_findings(seeded_url):
    at = run_mitigation_page("access")
    assert at.title[0].value == MITIGATION_TITLES["access"]
    score = metric(at, "Score")
    assert (score.value, score.delta) == ("50.0", "+10.0")
    checks = at.dataframe[0].value
    assert list(checks["check_id"]) == ["access.root_mfa", "access.privileged_phishing_resistant"]
    assert list(checks["unknown"]) == [0, 3]

    findings = at.dataframe[1].value
    assert len(findings) == 5
    assert list(findings["status"]) == ["fail", "fail", "fail", "unknown", "pass"]

    at.multiselect(key="access_status").set_value(["unknown"]).run()
    assert list(at.dataframe[1].value["resource_name"]) == ["alice"]

    at.multiselect(key="access_status").set_value([]).run()
    at.multiselect(key="access_severity").set_value(["critical"]).run()
    assert sorted(at.dataframe[1].value["resource_name"]) == ["corp-it", "prod-payments", "treasury"]

    at.text_input(key="access_search").input("treasury").run()
    assert list(at.dataframe[1].value["resource_name"]) == ["treasury"]
    assert "1 of 5 findings" in markdown_text(at)


def test_a_findings_link_opens_the_page_filtered_to_its_check(seeded_url):
    at = run_mitigation_page("access", check="access.privileged_phishing_resistant")
    assert at.multiselect(key="access_checks").value == ["access.privileged_phishing_resistant"]
    shown = at.dataframe[1].value
    assert sorted(shown["resource_name"]) == ["alice", "bob"]  # not root_mfa's three accounts
    assert set(shown["check_title"]) == {"Privileged people use phishing-resistant MFA"}
    assert "2 of 5 findings" in markdown_text(at)
    at.multiselect(key="access_checks").set_value([]).run()  # the filter can be cleared
    assert len(at.dataframe[1].value) == 5


def test_an_unknown_check_in_the_link_filters_nothing(seeded_url):
    at = run_mitigation_page("access", check="<script>alert(1)</script>")
    assert at.multiselect(key="access_checks").value == []
    assert len(at.dataframe[1].value) == 5


def test_mitigation_page_shows_the_evidence_of_the_chosen_finding(seeded_url):
    at = run_mitigation_page("access")
    assert "FAIL · critical · prod-payments" in markdown_text(at)  # the worst, before a click
    bob = list(at.dataframe[1].value["resource_name"]).index("bob")
    click_row(at, 1, bob)
    assert at.json[0].value == '{"factor_kinds": ["sms"], "privileged": true}'
    assert "bob signs with SMS codes only." in markdown_text(at)


def test_mitigation_page_without_evidence_says_what_to_connect(seeded_url):
    at = run_mitigation_page("training")
    assert metric(at, "Score").value == "No data"
    assert "Connect KnowBe4" in markdown_text(at)


@pytest.mark.parametrize("mitigation", ["detection"])
def test_mitigation_page_for_an_unscored_mitigation(seeded_url, mitigation):
    at = run_mitigation_page(mitigation)
    assert "no score for `detection`" in at.info[0].value


def test_evidence_explains_the_risk_and_the_fix_of_a_registered_check(seeded_url):
    from vaultward.pipeline.registry import discover

    root_mfa = discover(entry_point_groups=False).checks["access.root_mfa"]
    at = run_mitigation_page("access")
    click_row(at, 1, list(at.dataframe[1].value["resource_name"]).index("prod-payments"))
    text = markdown_text(at)
    assert root_mfa.risk.startswith("A root user without MFA is one phished")
    assert root_mfa.risk in text
    assert root_mfa.remediation in text


def test_problems_recorded_by_the_evaluation_are_shown(seeded_url):
    for at in (run_app(), run_page("catalog")):
        assert "1 problem(s) with checks" in at.error[0].value
        assert "entry point acme: No module named 'acme_checks'" in at.code[0].value


def test_frameworks_group_the_latest_check_scores_by_standard(seeded_url):
    at = run_page("catalog")
    tabs = {tab.label: tab for tab in at.tabs}
    standards = [tab.label for tab in at.tabs if tab.label not in ("Frameworks", "Catalog")]
    assert standards == [
        "MITRE ATT&CK mitigations",
        "CryptoCurrency Security Standard (CCSS)",
        "CIS Critical Security Controls v8",
        "SEAL Security Frameworks",
    ]
    attack = tabs["MITRE ATT&CK mitigations"].dataframe[0].value.set_index("control")
    # M1032 is cited by root MFA (60, weight 3) and phishing-resistant MFA (20, weight 2)
    assert attack.loc["M1032", "score"] == pytest.approx((60 * 3 + 20 * 2) / 5)
    assert (attack.loc["M1032", "failed"], attack.loc["M1032", "unknown"]) == (3, 3)
    assert attack.loc["M1026", "score"] == 80.0 and attack.loc["M1026", "waived"] == 1
    assert attack.loc["M1032", "title"] == "Multi-factor Authentication"
    cis = tabs["CIS Critical Security Controls v8"].dataframe[0].value
    assert list(cis["control"]) == ["6.5"]


def test_catalog_lists_every_registered_check(seeded_url):
    from vaultward.pipeline.registry import discover

    at = run_page("catalog")
    catalog = next(tab for tab in at.tabs if tab.label == "Catalog").dataframe[0].value
    assert sorted(catalog["check_id"]) == sorted(discover().checks)


def test_waivers_page_flags_expired_and_expiring_waivers_and_lists_waived_findings(seeded_url):
    at = run_page("waivers")
    waivers = at.dataframe[0].value
    assert list(zip(waivers["check_id"], waivers["state"], strict=True)) == [
        ("access.console_user_mfa", "expired"),
        ("access.root_mfa", "expires soon"),
        ("custody.multisig_threshold", "active"),
    ]
    assert "1 expired (their findings count again) · 1 expire within two weeks." in at.warning[0].value
    waived = at.dataframe[1].value
    assert list(waived["resource"]) == ["cold-reserve"] and list(waived["status_if_not_waived"]) == ["fail"]


def test_overview_gives_each_action_its_remediation_and_flags_waivers_due(seeded_url):
    from vaultward.pipeline.registry import discover

    at = run_app()
    root_mfa = discover(entry_point_groups=False).checks["access.root_mfa"]
    assert f"Fix: {root_mfa.remediation}" in [c.value for c in at.caption]
    warning = next(w.value for w in at.warning if w.value.startswith("Waivers:"))
    assert warning.startswith("Waivers: 1 expired (their findings count again), 1 expire within two weeks.")


def test_source_and_account_filters_and_the_csv_of_what_is_shown(seeded_url):
    import csv
    import io

    from dashboard import data

    at = run_mitigation_page("access")
    at.multiselect(key="access_source").set_value(["okta"]).run()
    assert sorted(at.dataframe[1].value["resource_name"]) == ["alice", "bob"]
    at.multiselect(key="access_source").set_value([]).run()
    at.multiselect(key="access_account").set_value(["222222222222"]).run()
    assert list(at.dataframe[1].value["resource_name"]) == ["corp-it"]

    chosen = data.FindingFilter(sources=("okta",), statuses=("fail",))
    rows = list(csv.DictReader(io.StringIO(data.findings_csv_of(seeded_url, "access", chosen).decode())))
    assert [(r["resource_name"], r["status"], r["scope"]) for r in rows] == [("bob", "fail", "okta:acme")]
    assert rows[0]["evidence"] == '{"factor_kinds": ["sms"], "privileged": true}'


def test_accounts_are_shown_by_their_names_in_freshness_and_the_account_filter(seeded_url, engine):
    """Issue 16: the Organizations name (else the IAM alias) beside a bare account id; an
    account with no name, or a tenant, shows its id alone."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session

    from tests.factories import add_run
    from vaultward.contract.records import CloudAccount, OrgAccount
    from vaultward.store.models import Fact

    now = datetime.now(UTC)
    facts = [
        ("aws_organization", "aws:999999999999", OrgAccount(key="aws:111111111111", name="prod-payments",
         account_id="111111111111", parent_id="ou-1", ou_ids=["r-1", "ou-1"], ou_path="Root/Prod")),
        ("aws_iam", "aws:222222222222", CloudAccount(key="aws:222222222222", name="corp-it",
         account_id="222222222222", alias="corp-it")),
        ("aws_iam", "aws:333333333333", CloudAccount(key="aws:333333333333", name="333333333333",
         account_id="333333333333")),  # no alias, no organisation name
    ]  # fmt: skip
    with Session(engine) as session:
        for collector, scope, record in facts:
            run = add_run(session, collector, scope, "ok", now - timedelta(minutes=20), item_count=1)
            session.add(
                Fact(run_id=run.id, kind=record.kind, key=record.key, scope=scope, data=record.data())
            )
        session.commit()

    at = run_app()
    rows = {(r.Source, r.Scope): r.Account for r in at.dataframe[-1].value.itertuples()}
    assert rows[("aws_iam", "aws:111111111111")] == "prod-payments"
    assert rows[("aws_network", "aws:111111111111/us-east-1")] == "prod-payments"
    assert rows[("aws_iam", "aws:222222222222")] == "corp-it"
    assert rows[("aws_iam", "aws:333333333333")] == ""
    assert rows[("okta", "okta:acme")] == ""

    at = run_mitigation_page("access")
    accounts = at.multiselect(key="access_account")
    assert set(accounts.options) >= {"prod-payments (111111111111)", "corp-it (222222222222)", "acme"}
    accounts.set_value(["111111111111"]).run()
    assert list(at.dataframe[1].value["resource_name"]) == ["prod-payments"]


def test_csv_cells_that_look_like_formulas_are_neutralised():
    import pandas as pd

    from dashboard import data

    frame = pd.DataFrame(
        [
            {
                "resource_name": '=HYPERLINK("http://evil")',
                "message": "+1",
                "scope": "@x",
                "note": "-2",
                "evidence": {},
            }
        ]
    )
    text = data.findings_csv(frame).decode()
    assert "'=HYPERLINK" in text and "'+1" in text and "'@x" in text and "'-2" in text
