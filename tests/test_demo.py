"""`vaultward demo` end to end: the AWS emulator and every vendor fake, collected by the real
collectors; training scores from real facts; every source on the freshness panel; and no
credential of any source in the store or the output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from demo.fakes import bitgo, entra, fireblocks, fleet, internal_hr, knowbe4, okta, safe
from demo.saas import DEMO_SECRET
from tests.test_secrets import dump_store

VAULTWARD = str(Path(sys.executable).parent / "vaultward")
ROOT = Path(__file__).parents[1]
SOURCES = {
    "aws_iam",
    "aws_custody",
    "aws_network",
    "aws_detection",
    "aws_organization",
    "okta",
    "google_workspace",
    "entra",
    "knowbe4",
    "training_csv",
    "safe",
    "bitgo",
    "fireblocks",
    "internal_http",
    "prowler_import",
    "intune",
    "jamf",
    "fleet",
    "crowdstrike",
}
# The demo's scopes: the five AWS sources' 17 (accounts and regions) and one per other source.
SCOPES = 17 + len(SOURCES) - 5


def test_every_source_collects_and_training_scores_from_real_facts(demo_run):
    _, output = demo_run
    weeks = re.findall(
        rf"^week (\d{{4}}-W\d\d) \(.*?\): (\d+) facts from {SCOPES} scopes \({SCOPES} ok\)", output, re.M
    )
    assert len(weeks) == 12, output
    [training] = re.findall(r"^\s+training\s+(\d+\.\d)\s+Social-engineering training(.*)$", output, re.M)
    assert float(training[0]) > 0 and "no data" not in training[1]


def test_the_demo_writes_this_weeks_report_in_every_format(demo_run):
    data_dir, output = demo_run
    [week] = re.findall(r"weekly report (\d{4}-W\d\d) \(the week so far\): (\S+\.pdf)", output)[:1] or [None]
    assert week is not None, output
    iso_week, pdf = week
    assert sorted(p.name for p in (data_dir / "reports").iterdir()) == sorted(
        [f"vaultward-report-{iso_week}.{ext}" for ext in ("html", "json", "pdf")]
        + [f"vaultward-findings-{iso_week}.csv"]
    )
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    overall = json.loads((data_dir / "reports" / f"vaultward-report-{iso_week}.json").read_text())["overall"]
    assert f"{overall:.1f}" in text and "Weekly security posture report" in text


def test_freshness_panel_lists_every_source(demo_run, monkeypatch):
    data_dir, _ = demo_run
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{data_dir / 'vaultward.db'}")
    monkeypatch.chdir(data_dir)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value
    assert set(table["Source"]) >= SOURCES
    assert set(table[table["Source"].isin(SOURCES)]["State"]) == {"fresh"}


def test_no_credential_of_any_source_in_store_or_output(demo_run):
    data_dir, output = demo_run
    key = json.loads((data_dir / "google-service-account.json").read_text())
    private_key_body = key["private_key"].splitlines()[1]  # a line of the PEM body
    secrets = {
        "okta token": okta.DEMO_TOKEN,
        "entra client secret": DEMO_SECRET,
        "knowbe4 token": knowbe4.DEMO_TOKEN,
        "google private key": private_key_body,
        "google access token": "ya29.fake-directory-access-token",
        "graph access token": "fake-graph-token",
        "intune graph access token": "fake-intune-token",
        "entra client id": entra.DEMO_CLIENT_ID,
        "safe api key": safe.DEMO_API_KEY,
        "bitgo token": bitgo.DEMO_TOKEN,
        "fireblocks api key": fireblocks.DEMO_API_KEY,
        "fireblocks private key": (data_dir / "fireblocks-api-user.key").read_text().splitlines()[1],
        "internal hr token": internal_hr.DEMO_TOKEN,
        "fleet token": fleet.DEMO_TOKEN,
    }
    everything = output + dump_store(f"sqlite:///{data_dir / 'vaultward.db'}")
    everything += (data_dir / "vaultward.db").read_bytes().decode("utf-8", "replace")
    for report in sorted((data_dir / "reports").iterdir()):  # the weekly report, every format
        if report.suffix == ".pdf":
            everything += subprocess.run(
                ["pdftotext", str(report), "-"], capture_output=True, text=True
            ).stdout
        else:
            everything += report.read_text()
    for name, secret in secrets.items():
        assert secret not in everything, f"the {name} leaked"


def test_the_custody_people_checks_show_a_pass_and_a_fail(demo_run):
    from sqlmodel import Session, create_engine, select

    from vaultward.read.evaluations import latest_evaluation_id
    from vaultward.store.models import Finding

    data_dir, _ = demo_run
    engine = create_engine(f"sqlite:///{data_dir / 'vaultward.db'}")
    with Session(engine) as session:
        latest = latest_evaluation_id(session)
        rows = session.exec(
            select(Finding).where(
                Finding.evaluation_id == latest,
                Finding.check_id.in_(["custody.bitgo_policy_rules", "custody.signers_distinct_mfa_trained"]),  # type: ignore[attr-defined]
            )
        ).all()
    engine.dispose()
    found = {(f.check_id, f.resource_name): (f.status, f.message) for f in rows}
    assert found["custody.bitgo_policy_rules", "Exchange hot wallet"][0] == "pass"
    # 84 BTC at the demo's $97,000: high-value, so one admin approval is not enough either.
    status, message = found["custody.bitgo_policy_rules", "BTC reserve (cold)"]
    assert status == "fail" and message.startswith(
        "1 admin approval(s) required, need 2 for a high-value wallet; no address whitelist rule; "
        "no velocity-limit rule"
    )
    assert found["custody.signers_distinct_mfa_trained", "Exchange hot wallet"][0] == "pass"  # alice, grace
    status, message = found["custody.signers_distinct_mfa_trained", "Treasury"]
    assert status == "fail"
    assert f"signer {safe.BOB} (bob@acme.example): no phishing-resistant factor" in message  # EIP-55


def test_the_wallets_page_shows_each_demo_wallet_as_the_report_does(demo_run, monkeypatch):
    """`vaultward demo` serves the dashboard without its configuration file: the Wallets page
    shows the m-of-n and value tier the evaluation judged under the demo's price table, the
    same as the report, and no demo wallet's tier is unknown (issue 16: an 84 BTC cold wallet
    showed "unknown", a BitGo wallet "2-of-1")."""
    from tests.dashboard.apptest import run_page

    data_dir, _ = demo_run
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{data_dir / 'vaultward.db'}")
    monkeypatch.chdir(data_dir)
    st.cache_data.clear()
    [report] = (data_dir / "reports").glob("vaultward-report-*.json")
    wallets = json.loads(report.read_text())["wallets"]
    at = run_page("wallets")
    page = next(frame.value for frame in at.dataframe if "threshold" in frame.value.columns)
    shown = page[page["kind"] == "wallet"].set_index("key")
    assert sorted(shown.index) == sorted(w["resource"] for w in wallets)
    for wallet in wallets:
        row = shown.loc[wallet["resource"]]
        assert (row["threshold"], row["value_tier"], row["value_usd"]) == (
            wallet["quorum"],
            wallet["value_tier"],
            wallet["value_usd"],
        )
    assert "unknown" not in set(shown["value_tier"]) and not any(
        "-of-1 keys" in t for t in shown["threshold"]
    )
    cold = shown.loc[shown["name"] == "BTC reserve (cold)"].iloc[0]
    assert (cold["threshold"], cold["value_tier"], cold["value_usd"]) == (
        "2-of-3 keys; 1 approval of 2 admins",
        "high",
        "$8,148,000",
    )


def demo_store(data_dir: Path):
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{data_dir / 'vaultward.db'}")


def test_twelve_weeks_each_collected_and_evaluated_inside_its_own_iso_week(demo_run):
    """The history is the real path at a clock set to each week: every Run and evaluation of a
    simulated week started inside that ISO week, one evaluation a week, twelve weeks ending
    with the current one."""
    from sqlmodel import Session, col, select

    from vaultward.reporting.files import iso_week_of
    from vaultward.store.models import Evaluation, Run, utcnow

    engine = demo_store(demo_run[0])
    with Session(engine) as session:
        evaluations = session.exec(select(Evaluation).order_by(col(Evaluation.started_at))).all()
        runs = session.exec(select(Run)).all()
    engine.dispose()
    weeks = [iso_week_of(e.started_at) for e in evaluations]
    assert len(weeks) == len(set(weeks)) == 12
    assert weeks[-1] == iso_week_of(utcnow())
    gaps = {later.started_at - earlier.started_at for earlier, later in pairwise(evaluations)}
    assert all(timedelta(days=6, hours=23) < gap < timedelta(days=7, hours=1) for gap in gaps), gaps
    runs_by_week = Counter(iso_week_of(run.started_at) for run in runs)
    # every source's runs (the scopes and their discovery), every week, inside that week
    assert set(runs_by_week) == set(weeks) and len(set(runs_by_week.values())) == 1, runs_by_week
    assert min(runs_by_week.values()) >= SCOPES


def test_the_report_of_this_week_compares_with_last_week_and_has_twelve_points(demo_run):
    from vaultward.reporting.content import build_report
    from vaultward.reporting.files import iso_week_of
    from vaultward.store.models import utcnow

    engine = demo_store(demo_run[0])
    report = build_report(engine, iso_week_of(utcnow()))
    engine.dispose()
    assert report.previous_evaluation_id is not None and report.delta is not None
    assert all(line.delta is not None for line in report.mitigations)
    assert len(report.history) == 12
    for point in report.history:  # a measured score of every mitigation, every week
        assert point.evaluation_id is not None and None not in point.mitigations.values(), point
    trend = [point.mitigations["training"] for point in report.history]
    assert trend[-1] > trend[0]  # completions and tests arrive over the weeks


def test_the_story_has_fixes_and_a_regression_in_their_weeks(demo_run):
    """Week by week the estate changes through the APIs: the office VPC's peering into the
    custody account's default VPC, removed six weeks ago, is a fix of that week (the VPC's
    failure is gone); this week heidi enrols MFA (a fix) and grace is added to production's
    Admins without MFA (a new failure), so the first report opened has both to show."""
    from vaultward.reporting.content import build_report
    from vaultward.reporting.files import iso_week_of
    from vaultward.store.models import utcnow

    engine = demo_store(demo_run[0])
    reports = {
        back: build_report(engine, iso_week_of(utcnow() - timedelta(weeks=back))) for back in range(11)
    }
    engine.dispose()
    peering_fixed = {
        back
        for back, report in reports.items()
        for line in report.fixes
        if line.check_id == "segmentation.no_corporate_production_path"
    }
    assert peering_fixed == {6}
    grace_failed = {
        back
        for back, report in reports.items()
        for line in report.new_failures
        if line.check_id == "access.privileged_user_mfa" and "grace" in line.resource_name
    }
    assert grace_failed == {0}
    heidi_fixed = {
        back for back, report in reports.items() for line in report.fixes if "heidi" in line.resource_name
    }
    assert heidi_fixed == {0}
    assert reports[0].delta is not None and reports[0].delta != 0


def test_trends_and_the_overview_show_the_twelve_weeks(demo_run, monkeypatch):
    """Issue 18's acceptance on the demo's own store: Trends draws twelve weekly points per
    mitigation (90 days, the default window), and the Overview's cards carry the change since
    last week."""
    from tests.dashboard.apptest import run_page
    from tests.dashboard.test_trends_sources import chart, plotted
    from vaultward.contract.vocabulary import MITIGATION_TITLES

    data_dir, _ = demo_run
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{data_dir / 'vaultward.db'}")
    monkeypatch.chdir(data_dir)
    st.cache_data.clear()
    series = plotted(chart(run_page("trends")))
    for mitigation in ("custody", "training", "access", "segmentation", "detection"):
        points = series[MITIGATION_TITLES[mitigation]]
        assert len(points) == 12, (mitigation, points)
        assert len({date for date, _ in points}) == 12  # one a week, none doubled
    assert len(series["Overall"]) == 12
    st.cache_data.clear()
    overview = run_page("overview")
    deltas = {m.label: m.delta for m in overview.metric}
    assert deltas["Overall readiness"], deltas  # a change since last week, even +0.0
    assert all(deltas[MITIGATION_TITLES[m]] for m in ("custody", "training", "access", "segmentation")), (
        deltas
    )
