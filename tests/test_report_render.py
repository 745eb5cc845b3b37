"""The weekly report's HTML and PDF forms over the two-week store of test_report: the numbers,
every section, no script or external fetch, hostile names kept as text, A4 / Letter pages
numbered, and the same bytes on re-run (pdfinfo, pdftotext, pdftoppm from poppler-utils)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.test_report import seed
from vaultward.pipeline.registry import discover
from vaultward.reporting.files import ReportError, build_report, report_files, write_report
from vaultward.store.models import Evaluation, Finding

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DASHBOARD = "https://vaultward.example.com"
HEADINGS = [
    "1. Actions",
    "2. Executive summary",
    "3. Readiness by mitigation",
    "4. Changes since last week",
    "5. Waivers expiring within 30 days",
    "6. Data-quality caveats",
    "7. Attack path",
    "8. Framework coverage",
    "9. Methodology and scoring",
    "Appendix: open findings (5)",
]
MITIGATION_TITLES = [
    "HSM and multi-signature custody",
    "Social-engineering training",
    "Zero-trust access and strict MFA",
]
# Tags the template writes; anything else in the page came from data and escaped its text.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "section", "div", "h1", "h2", "h3",
    "p", "span", "small", "strong", "a", "br", "code", "table", "thead", "tbody", "tr", "th", "td",
    "svg", "line", "polyline", "circle", "rect", "ol", "ul", "li", "footer", "colgroup", "col",
}  # fmt: skip
INLINE_TAGS = {"a", "span", "strong", "small", "code"}  # text flows through these; other tags separate it
HOSTILE_RESOURCE = "<script>alert(1)</script>"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = '"><svg onload=alert(1)>'


class Page(HTMLParser):
    """The page's tags, attributes, headings and visible text (whitespace collapsed)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None
        self._skip = False
        self._text: list[str] = []
        self.feed(html)
        self.text = " ".join("".join(self._text).split())

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag not in INLINE_TAGS:
            self._text.append(" ")
        self._skip = tag in ("style", "title")
        if tag == "h2":
            self._heading = []

    def handle_endtag(self, tag):
        self._skip = False
        if tag not in INLINE_TAGS:
            self._text.append(" ")
        if tag == "h2" and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if not self._skip:
            self._text.append(data)


def html_of(engine, tmp_path: Path, **options) -> str:
    row, _ = write_report(engine, "2026-W47", ["html"], tmp_path, **options)
    return Path(row.files["html"]).read_text(encoding="utf-8")


def test_the_html_states_the_weeks_numbers_in_every_section(engine, tmp_path):
    seed(engine)
    html = html_of(engine, tmp_path, dashboard_url=DASHBOARD, registry=discover(entry_point_groups=False))
    page = Page(html)
    assert page.headings == HEADINGS
    assert (
        "Overall readiness is 61.2 out of 100, in the fair band, up 21.2 points from the week before (40.0)."
        in page.text
    )
    assert (
        "Since last week 2 findings started failing and 1 was fixed. "
        "The weakest measured area is HSM and multi-signature custody, at 60.0. "
        "No evidence was collected for Social-engineering training: a score of 0 there rests on no data "
        "until a source is connected. "
        "First action: Multisig (2 resources failing or unknown; see section 1)." in page.text
    )
    # executive summary rows: title, score, band, change vs last week, verdict
    assert (
        "HSM and multi-signature custody 60.0 fair +10.0 Real gaps an attacker could use; "
        "2 failing and 0 unknown of 5 resources across 1 check(s)." in page.text
    )
    assert (
        "Social-engineering training n/a unmeasured n/a no scores yet No evidence collected: "
        "connect its sources before relying on this score." in page.text
    )
    assert (
        "Zero-trust access and strict MFA 62.5 fair +32.5 Real gaps an attacker could use; "
        "2 failing and 1 unknown of 8 resources across 2 check(s)." in page.text
    )
    # per check counts: score, pass, fail, unknown, waived
    assert "Console MFA access.console_user_mfa high 2.0 60.0 3 1 1 0" in page.text
    assert "Root MFA access.root_mfa critical 3.0 66.7 2 1 0 0" in page.text
    assert "Total (2 checks) 62.5 5 2 1 0" in page.text
    assert "5 Open findings 2 New failures 1 Fixed this week 1 Waivers expiring" in page.text
    assert "New failures (2)" in page.text and "Fixed (1) Resource Status Finding" in page.text
    assert "access.root_mfa severity high aws:1 fixed aws:1 fail" in page.text  # a check, then its rows
    assert (
        "1 Multisig custody.multisig_threshold critical 2 2 fail, 0 unknown unassigned HSM and multi-signature custody"
        in page.text
    )
    assert "1 Multisig HSM and multi-signature custody critical 2 unassigned" in page.text  # page 1's three
    remediation = discover(entry_point_groups=False).checks["custody.multisig_threshold"].remediation
    assert " ".join(remediation.split()) in page.text
    assert "access.root_mfa * o@x.io 2026-12-01 r" in page.text  # the waiver ending in 10 days
    assert "plugin skipped: entry point acme: No module named 'acme_checks'" in page.text
    assert "Compromised workstation and credentials 64.0 fair" in page.text  # attack-path chain
    assert "6.5 Require MFA for Administrative Access 66.7 fair 2 1 0 access.root_mfa" in page.text
    assert "A resource that could not be judged (unknown) counts as not passing" in page.text
    assert "Based on evaluation" in page.text and "of 2026-11-21 00:00 UTC" in page.text
    links = [dict(attrs)["href"] for tag, attrs in page.tags if tag == "a"]
    assert f"{DASHBOARD}/access?check=access.root_mfa" in links and f"{DASHBOARD}/custody" in links


def test_the_html_runs_nothing_and_fetches_nothing(engine, tmp_path):
    seed(engine)
    html = html_of(engine, tmp_path, dashboard_url=DASHBOARD)
    assert "<script" not in html.lower()
    assert "@import" not in html
    fetched = re.findall(r"""\b(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]+)|url\(\s*["']?([^"')]+)""", html)
    targets = [a or b for a, b in fetched]
    assert targets and all(t.startswith(f"{DASHBOARD}/") for t in targets), targets
    without_links = html_of(engine, tmp_path / "bare")
    assert not re.search(r"\b(?:src|href)\s*=|url\(", without_links)


def test_hostile_names_and_messages_stay_text(engine, tmp_path):
    seed(engine)
    with Session(engine) as session:
        latest = session.exec(select(Evaluation).order_by(col(Evaluation.started_at).desc())).first()
        assert latest is not None and latest.id is not None
        session.add(
            Finding(evaluation_id=latest.id, check_id="access.root_mfa", mitigation="access", severity="critical",
                    resource=HOSTILE_RESOURCE, resource_name=HOSTILE_NAME, status="fail", message=HOSTILE_MESSAGE)
        )  # fmt: skip
        session.commit()
    html = html_of(engine, tmp_path)
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= TEMPLATE_TAGS
    assert not [(tag, name) for tag, attrs in page.tags for name, _ in attrs if name.startswith("on")]
    for hostile in (HOSTILE_RESOURCE, HOSTILE_NAME, HOSTILE_MESSAGE):
        assert hostile not in html
        assert hostile in page.text  # shown as the text it is
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in html


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())
    }


@pytest.mark.slow
def test_the_pdf_is_paged_numbered_and_readable(engine, tmp_path):
    seed(engine)
    row, _ = write_report(
        engine, "2026-W47", ["pdf"], tmp_path / "a4", registry=discover(entry_point_groups=False)
    )
    pdf = Path(row.files["pdf"])
    assert pdf.name == "vaultward-report-2026-W47.pdf" and pdf.read_bytes().startswith(b"%PDF-")
    info = pdfinfo(pdf)
    pages = int(info["Pages"])
    assert pages > 1
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert info["Title"] == "Vaultward weekly security posture report 2026-W47"
    assert info["CreationDate"] == info["ModDate"] == "Sat Nov 21 00:00:00 2026 UTC"  # the evaluation's time
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert (
        "Overall readiness is 61.2 out of 100, in the fair band, up 21.2 points from the week before (40.0)."
        in flat
    )
    for title in MITIGATION_TITLES:
        assert title in flat
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    assert "Week 2026-W47" in flat  # the running header (from page 2)

    stem = tmp_path / "report-2026-W47-page"  # this test's own: the other backend's run may be
    subprocess.run(  # rendering at the same time (pytest-xdist)
        ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 30_000  # a rendered page, not a blank one
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / f"{png.stem}.{os.getpid()}.tmp")
    os.replace(ARTIFACTS / f"{png.stem}.{os.getpid()}.tmp", ARTIFACTS / png.name)  # whole, never half

    letter, _ = write_report(engine, "2026-W47", ["pdf"], tmp_path / "letter", paper="Letter")
    assert pdfinfo(Path(letter.files["pdf"]))["Page size"] == "612 x 792 pts (letter)"


@pytest.mark.slow
def test_the_same_store_gives_the_same_html_and_pdf_bytes(engine, tmp_path):
    seed(engine)
    first, second = (
        write_report(engine, "2026-W47", ["html", "pdf"], tmp_path / name, dashboard_url=DASHBOARD)[0]
        for name in ("first", "second")
    )
    for kind in ("html", "pdf"):
        digests = {hashlib.sha256(Path(row.files[kind]).read_bytes()).hexdigest() for row in (first, second)}
        assert len(digests) == 1, kind
        assert first.checksums[kind] == second.checksums[kind] == digests.pop()
    report = build_report(engine, "2026-W47")
    a4 = report_files(report, ["pdf"])["pdf"][1]
    assert report_files(report, ["pdf"], paper="Letter")["pdf"][1] != a4


def test_bad_paper_and_missing_weasyprint_are_clear_errors(engine, tmp_path, monkeypatch):
    seed(engine)
    with pytest.raises(ReportError, match="paper 'A3': expected A4 or Letter"):
        write_report(engine, "2026-W47", ["html"], tmp_path, paper="A3")
    with pytest.raises(ReportError, match="format docx: expected html, pdf, csv, json"):
        write_report(engine, "2026-W47", ["docx"], tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # what Python does when it is not installed
    with pytest.raises(ReportError, match=r"PDF reports need WeasyPrint: install `vaultward\[pdf\]`"):
        write_report(engine, "2026-W47", ["html", "pdf"], tmp_path)
    assert not (tmp_path / "vaultward-report-2026-W47.html").exists()  # nothing half-written
