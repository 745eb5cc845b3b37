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


def test_fix_first_ranks_by_severity_then_weight_times_affected_with_owners(seeded_url):
    at = run_app()
    ranked = [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]
    order = [line.split("`")[1] for line in ranked]
    # Critical first: root_mfa 3x2=6, multisig 5x1=5; then high: privileged 2x(1+3)=8.
    # lure_training failed nothing (10 unknown): it needs data, it is not an action.
    assert order == ["access.root_mfa", "custody.multisig_threshold", "access.privileged_phishing_resistant"]
    affected = [m.value.split("\n")[0] for m in at.markdown if "affected resource" in m.value]
    assert affected == [
        "**2** affected resources  ",
        "**1** affected resource  ",
        "**4** affected resources  ",
    ]
    assert ":red-badge[Critical]" in ranked[0]
    owners = [m.value.rsplit("\n", 1)[1] for m in at.markdown if "affected resource" in m.value]
    assert owners == ["Owner: Cloud platform team", "Owner: :gray[unassigned]", "Owner: :gray[unassigned]"]


def test_fix_first_lists_checks_that_need_data_and_says_what_is_fine(seeded_url):
    at = run_app()
    text = markdown_text(at)
    assert "**Needs data** · 1 check failed nothing" in text
    [needs] = [m.value for m in at.markdown if m.value.startswith("**Signers trained on real lures**")]
    assert "`training.lure_training`" in needs and "10 unknown resources" in needs
    # segmentation.no_admin_ports passes everywhere; the other four have open findings.
    assert (
        "What is fine: 1 of 5 checks pass on every resource they judge, none waived; nothing open in segmentation."
        in text
    )


def test_freshness_lists_every_source_once_in_the_state_of_its_worst_scope(seeded_url):
    at = run_app()
    table = at.dataframe[-1]
    rows = {r.Source: r for r in table.value.itertuples()}
    assert set(rows) == {"aws_iam", "aws_network", "okta", "aws_custody", "aws_detection", "aws_organization"}
    # aws_custody, aws_detection, aws_organization: enabled (no configuration: every AWS source is) but never run
    iam = rows["aws_iam"]
    assert (iam.State, iam.Scopes, iam.Facts, iam._5) == ("fresh", 1, 42, "30 min ago")  # _5: "Last run"
    network = rows["aws_network"]
    assert (network.State, network.Errors) == ("failed", 1)
    assert network._8 == "AccessDenied: ec2:DescribeSecurityGroups"  # "First error"
    okta = rows["okta"]
    assert (okta.State, okta._5) == ("stale", "20 h ago")
    assert (rows["aws_custody"].State, rows["aws_custody"]._5) == ("never collected", "never")
    assert any("5 of 6 sources need attention" in w.value for w in at.warning)


def test_the_freshness_table_is_as_tall_as_its_rows(seeded_url, monkeypatch):
    """Every source shown at once, not ten rows in a scrolling box."""
    import streamlit

    heights = []
    original = streamlit.dataframe

    def spy(data=None, *args, **kwargs):
        heights.append((len(getattr(data, "data", data)), kwargs.get("height")))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", spy)
    run_app()
    rows, height = heights[-1]  # the freshness table is the overview's last
    assert rows == 6
    assert height == 35 * (rows + 1) + 3


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

    at = run_app()  # the overview: a row per source, the accounts it covers by name
    accounts = {r.Source: r.Accounts for r in at.dataframe[-1].value.itertuples()}
    assert accounts["aws_iam"] == "corp-it, prod-payments"  # 333333333333 has no name
    assert accounts["aws_network"] == "prod-payments"
    assert accounts["okta"] == ""

    at = run_page("sources")  # each scope: its account by name, the id beside it
    scopes = next(table.value for table in at.dataframe if "Run status" in table.value.columns)
    labels = {(r.Source, r.Scope) for r in scopes.itertuples()}
    assert {
        ("aws_iam", "prod-payments (111111111111)"),
        ("aws_network", "prod-payments (111111111111) / us-east-1"),
        ("aws_iam", "corp-it (222222222222)"),
        ("aws_iam", "aws:333333333333"),
        ("okta", "okta:acme"),
    } <= labels
    assert not [scope for _, scope in labels if scope.startswith("aws:111111111111")]

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


# --- issue 18: what the CISO sees -------------------------------------------------------------


def block_keys(at: AppTest) -> list[str]:
    """The user keys of every container on the page (`band-<band>-<name>` colour scores)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        identifier = str(getattr(proto, "id", "") or "")
        if identifier.startswith("$$ID-"):
            found.append(identifier.split("-", 2)[2])
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def test_navigation_lists_every_page_without_view_more(seeded_url, monkeypatch):
    import streamlit

    calls = []
    original = streamlit.navigation

    def spy(pages, **kwargs):
        calls.append(kwargs)
        return original(pages, **kwargs)

    monkeypatch.setattr(streamlit, "navigation", spy)
    at = run_app()
    assert calls and calls[-1].get("expanded") is True  # no "View 4 more" in the sidebar
    titles = {info["page_name"] for info in at._registered_pages.values()}
    assert {
        "Overview", "Attack path", "Trends", "People", "Wallets and keys", "Endpoints",
        "Checks and frameworks", "Waivers", "Reports", "Sources",
    } <= titles  # fmt: skip


def test_every_score_on_the_overview_shows_its_band_colour(seeded_url):
    at = run_app()
    keys = block_keys(at)
    # overall 68.25 fair; access 50 weak; custody 80 good; segmentation 75 good; training no data
    for key in (
        "band-fair-card-overall",
        "band-weak-card-access",
        "band-good-card-custody",
        "band-good-card-segmentation",
        "band-unmeasured-card-training",
    ):
        assert key in keys, keys
    text = markdown_text(at)
    assert ":red-badge[Weak]" in text and ":green-badge[Good]" in text
    style = "\n".join(h.proto.body for h in at.get("html"))
    assert '[class*="st-key-band-weak-"] [data-testid="stMetricValue"] { color: #ea580c; }' in style
    assert '[class*="st-key-band-good-"] [data-testid="stMetricValue"] { color: #65a30d; }' in style
    assert "word-break: normal; overflow-wrap: normal" in style  # titles never break mid-word


def test_mitigation_cards_say_they_count_resource_findings(seeded_url):
    at = run_app()
    captions = [c.value for c in at.caption]
    assert "10 resource findings: 4 passed · 3 failed · 3 unknown" in captions  # access
    assert "5 resource findings: 4 passed · 1 failed · 0 unknown" in captions  # custody


def test_the_mitigation_page_header_score_shows_its_band(seeded_url):
    at = run_mitigation_page("access")
    assert any(key.startswith("band-weak-") for key in block_keys(at))
    assert ":red-badge[Weak]" in markdown_text(at)
    at = run_mitigation_page("custody")
    assert any(key.startswith("band-good-") for key in block_keys(at))


def test_check_bars_count_whole_resources(seeded_url):
    import json

    at = run_mitigation_page("access")
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    axis = figure["layout"]["xaxis"]
    assert (axis["tickformat"], axis["rangemode"], axis["dtick"]) == (",d", "tozero", 1)


def test_count_axis_leaves_ticks_to_plotly_past_ten():
    from dashboard.charts import count_axis

    assert count_axis({}, 10) == {"tickformat": ",d", "rangemode": "tozero", "dtick": 1}
    assert count_axis({"title_text": "resources"}, 11) == {
        "title_text": "resources", "tickformat": ",d", "rangemode": "tozero",
    }  # fmt: skip


def test_framework_bars_are_filled_in_each_controls_band(seeded_url):
    import json

    at = run_page("catalog", timeout=TIMEOUT)
    colours = {}
    for element in at.get("plotly_chart"):
        (bars,) = json.loads(element.proto.spec)["data"]
        colours.update(dict(zip(bars["y"], bars["marker"]["color"], strict=True)))
    assert colours["ida-2.1.1"] == "#dc2626"  # 20.0: critical
    assert colours["v8:1.02"] == "#65a30d"  # 80.0: good
    assert colours["M1032"] == "#ea580c"  # (60x3 + 20x2) / 5 = 44.0: weak


WRITE_UP_HEADING = "The write-up's four defences"
DETECTION_HEADING = "Detection (catches the attack in between)"


def test_detection_is_shown_apart_from_the_write_ups_four(engine, database_url, monkeypatch):
    from datetime import UTC, datetime

    from sqlmodel import Session

    from tests.factories import add_evaluation

    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    with Session(engine) as session:
        add_evaluation(session, datetime.now(UTC), overall=30.0, band="critical",
                       mitigation_scores={"access": 0.0, "custody": 95.0, "detection": 66.7})  # fmt: skip
        session.commit()
    at = run_app()
    headings = [h.value for h in at.subheader]
    assert headings.index(WRITE_UP_HEADING) < headings.index(DETECTION_HEADING)
    keys = block_keys(at)
    assert "band-critical-card-access" in keys  # 0.0 never looks like 66.7
    assert "band-fair-card-detection" in keys
    assert "band-strong-card-custody" in keys
    # One evaluation: the right half explains the bands instead of an empty caption.
    scale = next(m.value for m in at.markdown if m.value.startswith("- :green-badge[Strong]"))
    assert ":red-badge[Critical] 0-<40: the attack path is largely open. **← now**" in scale
    assert "First evaluation" in markdown_text(at)


def test_without_detection_there_is_no_detection_section(seeded_url):
    headings = [h.value for h in run_app().subheader]
    assert WRITE_UP_HEADING in headings and DETECTION_HEADING not in headings


def test_the_readme_headline_says_what_the_overview_shows():
    readme = (APP.parents[1] / "README.md").read_text()
    headline = readme.split("## Quick start")[0]
    assert WRITE_UP_HEADING in headline and DETECTION_HEADING in headline
    assert "**detection**" in headline  # the fifth row of the table, apart from the four
