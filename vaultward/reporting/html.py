"""The weekly report as one self-contained HTML page (inline CSS and SVG, no scripts, no
fetches), rendered from the package's Jinja2 template with autoescaping on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vaultward.contract.vocabulary import MITIGATION_TITLES, MITIGATIONS
from vaultward.pipeline.scoring import BANDS, band, format_score
from vaultward.reporting.appendix import PER_CHECK, is_capped, printable
from vaultward.reporting.charts import band_colour, phish_prone_chart, score_bar, sparkline
from vaultward.reporting.content import (
    FIRST_REPORT,
    NO_WEEK_BEFORE,
    WAIVERS_WITHIN,
    MitigationLine,
    WeeklyReport,
)
from vaultward.reporting.weeks import week_range

TEMPLATE = "report.html.j2"
SIGNAL_ROWS = 10  # takeover signals per person in the HTML and PDF; the JSON keeps the finding's 100
GUEST_ROWS = 50  # guests listed in the HTML and PDF; the JSON lists every one
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
# What a mitigation's band means, in the executive summary's one line.
BAND_VERDICTS = {
    "strong": "in place and evidenced",
    "good": "mostly in place; close the remaining gaps",
    "fair": "real gaps an attacker could use",
    "weak": "several controls missing",
    "critical": "largely open",
}


def mitigation_verdict(line: MitigationLine) -> str:
    """One plain sentence on a mitigation for the executive summary."""
    if not line.measured:
        return "No evidence collected: connect its sources before relying on this score."
    gaps = f"{line.failed} failing and {line.unknown} unknown of {line.passed + line.failed + line.unknown} resources"
    return (
        f"{BAND_VERDICTS.get(line.band, line.band).capitalize()}; {gaps} across {line.check_count} check(s)."
    )


def _count(number: int, noun: str) -> str:
    """`1 finding`, `2 findings`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_points(report: WeeklyReport) -> list[str]:
    """The executive summary's plain sentences after the headline: what moved, where the
    biggest gap is, what is not measured, what to do first."""
    points = []
    if report.previous_evaluation_id is not None:
        fixed = len(report.fixes)
        points.append(
            f"Since last week {_count(len(report.new_failures), 'finding')} started failing and "
            f"{fixed} {'was' if fixed == 1 else 'were'} fixed."
        )
    else:
        points.append(f"{str(comparison(report)).capitalize()}.")
    measured = [line for line in report.mitigations if line.measured]
    if measured:
        weakest = min(
            measured, key=lambda line: (line.score if line.score is not None else 0.0, line.mitigation)
        )
        points.append(f"The weakest measured area is {weakest.title}, at {format_score(weakest.score)}.")
    unmeasured = [line.title for line in report.mitigations if not line.measured]
    if unmeasured:
        points.append(
            f"No evidence was collected for {', '.join(unmeasured)}: "
            "a score of 0 there rests on no data until a source is connected."
        )
    if report.actions:
        first = report.actions[0]
        points.append(
            f"First action: {first.title} ({_count(first.affected, 'resource')} failing or unknown; see section 1)."
        )
    return points


def comparison(report: WeeklyReport) -> str | None:
    """Why the report compares with nothing, None when it has a week before to compare with."""
    if report.previous_evaluation_id is not None:
        return None
    return FIRST_REPORT if report.first_report else NO_WEEK_BEFORE


def _signed(delta: float | None) -> str:
    """+21.2 / −3.0 / 0.0, one decimal like every score; "n/a" without a comparison."""
    if delta is None:
        return "n/a"
    text = f"{abs(delta):.1f}"
    if text == "0.0":
        return text
    return ("+" if delta > 0 else "\u2212") + text


def _change(delta: float | None) -> str:
    """Plain words for a week-over-week change."""
    if delta is None:
        return "no comparison with the week before"
    text = f"{abs(delta):.1f}"
    if text == "0.0":
        return "unchanged from the week before"
    return f"{'up' if delta > 0 else 'down'} {text} points from the week before"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("vaultward.reporting", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        score=format_score,
        signed=_signed,
        change=_change,
        when=_when,
        colour=band_colour,
        band_name=lambda score: band(score)[0],
    )
    environment.globals.update(sparkline=sparkline, score_bar=score_bar, phish_prone_chart=phish_prone_chart)
    return environment


def _links(dashboard_url: str | None) -> dict[str, Any]:
    """Links to the dashboard (None without a base URL: the report then carries no links)."""
    if not dashboard_url:
        return {"base": None}
    base = dashboard_url.rstrip("/")
    return {
        "base": base + "/",
        "mitigation": {m: f"{base}/{m}" for m in MITIGATIONS},
        "check": lambda mitigation, check_id: f"{base}/{mitigation}?check={quote(check_id, safe='')}",
    }


def render_html(report: WeeklyReport, paper: str = "A4", dashboard_url: str | None = None) -> str:
    """The report page; the same report and arguments give the same text."""
    history = report.history
    trends = {
        line.mitigation: [point.mitigations.get(line.mitigation) for point in history]
        for line in report.mitigations
    }
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            report=report,
            page_size=PAGE_SIZES.get(paper, "A4"),
            links=_links(dashboard_url),
            overall_trend=[point.overall for point in history],
            trends=trends,
            weeks=[point.iso_week for point in history],
            bands=BANDS,
            waiver_days=WAIVERS_WITHIN.days,
            open_count=len(report.failing),
            printed={
                "failing": printable(report.failing),
                "new_failures": printable(report.new_failures),
                "fixes": printable(report.fixes),
                "capped": is_capped(report.failing),
                "per_check": PER_CHECK,
            },
            week_range=week_range,
            verdicts={line.mitigation: mitigation_verdict(line) for line in report.mitigations},
            checks_by_id={c.check_id: c for line in report.mitigations for c in line.checks},
            titles=MITIGATION_TITLES,
            summary_points=summary_points(report),
            guest_rows=GUEST_ROWS,
            signal_rows=SIGNAL_ROWS,
            comparison=comparison(report),
        )
    )
