"""The printed report read page by page (pdftotext -layout, as a reader sees it): page 1 leads
with the score, the change and the three most important actions with their owners; every
action is listed by page 2; the appendix keeps long check ids whole, headers apart and
badges clear of the text beside them. One PDF per store, shared by the module's tests."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.factories import add_evaluation
from tests.test_report import W47_MONDAY, seed
from vaultward.pipeline.registry import discover
from vaultward.reporting.content import TOP_ACTIONS, Action, FindingLine, WeeklyReport
from vaultward.reporting.files import build_report
from vaultward.reporting.html import render_html
from vaultward.reporting.pdf import render_pdf
from vaultward.store.db import open_store

LONG_IDS = [
    "segmentation.production_admin_ports_closed_to_the_internet_in_every_region",
    "custody.high_value_wallets_need_a_safe_multisig_threshold_and_hsm_signers",
]
LONG_RESOURCE = "arn:aws:iam::111111111111:role/service-role/" + "very-long-role-name-" * 8
UNBROKEN_RESOURCE = "arn:aws:s3:::" + "b" * 150  # no break opportunity at all
OWNERS = {0: "custody-team@example.com", 2: "it-security@example.com"}


def pages(pdf: Path, first: int, last: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def busy(report: WeeklyReport) -> WeeklyReport:
    """The week's report with a full list of actions (two owners set) and an appendix of
    findings with very long check ids and resources."""
    actions = [
        Action(
            f"access.check_number_{n:02d}",
            f"Action {n:02d}: require security keys",
            "access",
            "critical" if n < 3 else "high",
            3.0,
            20 - n,
            3.0 * (20 - n),
            "Enrol a security key for each listed administrator, then require it by policy. " * 2,
            OWNERS.get(n, ""),
        )
        for n in range(TOP_ACTIONS)
    ]
    failing = [
        FindingLine(check_id, check_id.split(".")[0], "critical", resource, resource, status,
                    f"the resource {n} is open to the internet on port 22 and 3389 in production")
        for check_id in LONG_IDS
        for n, (status, resource) in enumerate(
            (("fail", f"{LONG_RESOURCE}0"), ("unknown", f"{LONG_RESOURCE}1"), ("fail", UNBROKEN_RESOURCE))
        )
    ]  # fmt: skip
    return replace(report, actions=actions, failing=failing)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[WeeklyReport, Path, Path]:
    folder = tmp_path_factory.mktemp("pages")
    engine = open_store(f"sqlite:///{folder / 'store.db'}")
    seed(engine)
    report = busy(build_report(engine, "2026-W47", discover(entry_point_groups=False)))
    pdf = folder / "report.pdf"
    pdf.write_bytes(render_pdf(report))
    first = build_report(engine, "2026-W46")  # nothing before it: the first report
    first_pdf = folder / "first.pdf"
    first_pdf.write_bytes(render_pdf(first))
    engine.dispose()
    return report, pdf, first_pdf


@pytest.mark.slow
def test_page_one_leads_with_the_score_the_change_and_three_actions_with_owners(printed):
    report, pdf, _ = printed
    page = pages(pdf, 1, 1)
    flat = " ".join(page.split())
    assert "61.2" in flat and "FAIR" in flat and "+21.2 vs last week" in flat
    assert "OWNER" in page  # the column header (printed in capitals)
    for action in report.actions[:3]:
        assert action.title in flat
    assert report.actions[3].title not in flat  # three, not the whole list
    owners = [line for line in page.splitlines() if "Action 0" in line]
    assert "custody-team@example.com" in owners[0] and "unassigned" in owners[1]
    assert "it-security@example.com" in owners[2]
    assert "[policy.owners]" in flat  # how to assign the unassigned one


@pytest.mark.slow
def test_every_action_with_its_owner_is_listed_by_page_two(printed):
    report, pdf, _ = printed
    head = pages(pdf, 1, 2)
    listed = " ".join(pages(pdf, 2, 2).split())
    assert "1. Actions" in listed
    for action in report.actions:
        assert action.title in listed and action.check_id in head
    rows = [line for line in pages(pdf, 2, 2).splitlines() if re.match(r"\s*\d+ Action \d\d", line)]
    assert len(rows) == TOP_ACTIONS
    assert [("unassigned" in row) for row in rows] == [n not in OWNERS for n in range(TOP_ACTIONS)]
    whole = pages(pdf, 1, page_count(pdf))
    assert whole.index("1. Actions") < whole.index("2. Executive summary") < whole.index("3. Readiness")


@pytest.mark.slow
def test_the_appendix_keeps_ids_whole_headers_apart_and_badges_clear(printed):
    _, pdf, _ = printed
    last = page_count(pdf)
    text = pages(pdf, last - 1, last)
    appendix = text[text.index("Appendix: open findings") :]
    assert re.search(r"RESOURCE\s{2,}STATUS\s{2,}FINDING", appendix), appendix[:400]
    lines = appendix.splitlines()
    for check_id in LONG_IDS:
        assert any(check_id in line for line in lines), check_id  # whole, on one line
    badges = [line for line in lines if re.search(r"\b(FAIL|UNKNOWN)\b", line)]
    assert len(badges) == 2 * 3
    for line in badges:
        assert not re.search(r"\S(FAIL|UNKNOWN)|(FAIL|UNKNOWN)\S", line), line
    # The long resource wraps inside its column: each row's badge stays on the resource's first line.
    assert all(line.split()[0].startswith("arn:aws:") for line in badges)
    unbroken = [line.split()[0] for line in lines if line.split() and set(line.split()[0]) <= {"b"}]
    assert unbroken and all(len(part) < 60 for part in unbroken)  # broken inside its column


@pytest.mark.slow
def test_a_first_report_says_so_instead_of_empty_changes(printed):
    _, _, first_pdf = printed
    page = " ".join(pages(first_pdf, 1, 1).split())
    assert "40.0" in page and "first report: no comparison yet" in page
    assert "vs last week" not in page and "NEW FAILURES" not in page


def test_a_first_report_has_no_deltas_and_no_lone_dot_for_a_trend(engine):
    seed(engine)
    first = build_report(engine, "2026-W46")
    assert first.first_report and first.caveats[-1] == "first report: no comparison yet"
    html = render_html(first)
    assert "trend from next week" in html and "<circle" not in html
    assert "first report: no comparison yet" in html and "n/a vs last week" not in html
    assert '>0</div><div class="kpi-label">New failures' not in html
    later = build_report(engine, "2026-W47")
    assert not later.first_report and "<polyline" in render_html(later)


def test_a_week_after_a_gap_is_not_called_a_first_report(engine):
    seed(engine)
    with Session(engine) as session:  # W48 has no evaluation; W49 has one
        add_evaluation(session, W47_MONDAY + timedelta(weeks=2, days=1), overall=70.0, band="fair")
        session.commit()
    report = build_report(engine, "2026-W49")
    assert report.previous_evaluation_id is None and not report.first_report
    assert report.caveats[-1] == "no evaluation in the week before: no week-over-week comparison"
    html = render_html(report)
    assert "first report" not in html and "no evaluation in the week before" in html


def test_checks_that_need_data_are_listed_after_the_actions(engine):
    seed(engine)
    report = build_report(engine, "2026-W47")
    # Awareness failed nothing and left 4 resources unknown: it needs data, it is no action.
    assert [(n.check_id, n.unknown) for n in report.needs_data] == [("training.awareness_recent", 4)]
    assert "training.awareness_recent" not in [a.check_id for a in report.actions]
    waiting = replace(report.needs_data[0], reason="no successful collection from knowbe4 for knowbe4:us")
    page = " ".join(re.sub(r"<[^>]+>", " ", render_html(replace(report, needs_data=[waiting]))).split())
    section = page[page.index("Needs data") :]
    assert (
        "Awareness training.awareness_recent 4 no successful collection from knowbe4 for knowbe4:us unassigned"
        in section
    )
    assert page.index("1. Actions") < page.index("Needs data") < page.index("2. Executive summary")
    assert "Needs data" not in render_html(replace(report, needs_data=[]))


def test_page_one_counts_every_action_and_never_calls_blind_checks_a_pass(engine):
    seed(engine)
    report = build_report(engine, "2026-W47")
    assert report.action_count == len(report.actions) == 3
    many = " ".join(re.sub(r"<[^>]+>", " ", render_html(replace(report, action_count=25))).split())
    assert "The first 3 of 25 actions with their owners: section 1; 1 check(s) need data" in many
    blind = " ".join(
        re.sub(r"<[^>]+>", " ", render_html(replace(report, actions=[], action_count=0))).split()
    )
    assert "nothing to act on" not in blind
    assert "No check failed a resource, but 1 check(s) could not judge every resource" in blind
