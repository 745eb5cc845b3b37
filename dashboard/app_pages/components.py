"""Small UI pieces shared by the pages: score text, band badges, mitigation cards."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import charts, data
from dashboard.labels import spreadsheet_csv

BAND_COLOURS = {
    "strong": "green",
    "good": "green",
    "fair": "orange",
    "weak": "red",
    "critical": "red",
}
# The band's colour on a score, a card's edge and a bar: the attack path chart's palette.
BAND_HEX = charts.BAND_FILLS
# Once per page: a container keyed `band-<band>-...` colours its scores and its left edge; card
# titles wrap between words, never inside one (a narrow column broke "multi-signature" mid-word).
BAND_STYLE = "\n".join(
    [
        *(
            f'[class*="st-key-band-{band}-"] [data-testid="stMetricValue"] {{ color: {colour}; }}\n'
            f'[class*="st-key-band-{band}-card"] {{ border-left: 6px solid {colour} !important; }}'
            for band, colour in charts.BAND_FILLS.items()
        ),
        '[class*="-card-"] [data-testid="stMarkdownContainer"] p '
        "{ word-break: normal; overflow-wrap: normal; hyphens: manual; }",
        # A row of cards wraps to two a row where four would be too narrow (1024 px with the sidebar).
        '[class*="st-key-cards-"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }',
        '[class*="st-key-cards-"] [data-testid="stColumn"] '
        "{ min-width: 14rem !important; flex: 1 1 14rem !important; }",
    ]
)
SEVERITY_COLOURS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}
SCORE_COLUMN = st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.1f")
COUNT_COLUMNS = {
    "passed": st.column_config.NumberColumn("Pass"),
    "failed": st.column_config.NumberColumn("Fail"),
    "unknown": st.column_config.NumberColumn("Unknown"),
    "waived": st.column_config.NumberColumn("Waived"),
}
STATE_STYLES = {
    "failed": "background-color: #fee2e2; color: #991b1b",
    "stale": "background-color: #fef3c7; color: #92400e",
    "partial": "background-color: #fef3c7; color: #92400e",
    "running": "color: #1d4ed8",
    "fresh": "color: #15803d",
    "never collected": "background-color: #fee2e2; color: #991b1b",
}
NO_DATA = "No data"
NOT_SCORED = "Not scored"


# Markdown punctuation a check title (a plugin's too) could use to render as something else.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def plain(text: str) -> str:
    """Text shown through st.markdown as the characters it holds, never as markup."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def score_text(score: float | None, measured: bool = True) -> str:
    """A score as shown everywhere: one decimal, or why there is no number."""
    if not measured:
        return NO_DATA
    if score is None:
        return NOT_SCORED
    return f"{score:.1f}"


def delta_text(delta: float | None) -> str | None:
    return None if delta is None else f"{delta:+.1f}"


def when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC") if moment is not None else "unknown time"


def band_badge(band: str) -> str:
    colour = BAND_COLOURS.get(band, "gray")
    return f":{colour}-badge[{(band or 'unbanded').capitalize()}]"


def band_styles() -> None:
    """The band colours of scores and cards on this page (see BAND_STYLE)."""
    st.html(f"<style>{BAND_STYLE}</style>")


def banded(band: str, name: str, border: bool = False) -> Any:
    """A container whose scores show in `band`'s colour (and, for a `card`, its left edge);
    `name` keeps its key unique on the page."""
    return st.container(border=border, key=f"band-{band or 'unmeasured'}-{name}")


def banded_score(
    label: str, score: float | None, measured: bool, name: str, delta: float | None = None, **metric: Any
) -> str:
    """A score as a metric in its band's colour with the band's badge (both inside the border
    when `border`); returns the band."""
    band = data.score_band(score, measured)
    with banded(band, name, border=bool(metric.pop("border", False))):
        st.metric(label, score_text(score, measured), delta=delta_text(delta) if measured else None, **metric)
        if measured:
            st.markdown(band_badge(band))
    return band


def band_scale(current: str | None = None) -> str:
    """The bands as one markdown line each: badge, the scores it covers, the scorer's sentence
    (the band `current` marked as where this score is)."""
    lines = []
    for band, low, high in data.band_floors():
        here = " **← now**" if band == current else ""
        span = f"{low:g}-{high:g}" if high == 100 else f"{low:g}-<{high:g}"
        lines.append(f"- {band_badge(band)} {span}: {data.band_sentence(band).split(': ', 1)[-1]}{here}")
    return "\n".join(lines)


def severity_badge(severity: str) -> str:
    return f":{SEVERITY_COLOURS.get(severity, 'gray')}-badge[{severity.capitalize()}]"


def short_title(mitigation: str) -> str:
    """The navigation label: the mitigation id, readable."""
    return mitigation.replace("_", " ").capitalize()


def no_evidence_note(mitigation: str) -> str:
    sources = data.EVIDENCE_SOURCES.get(mitigation, "a source for this mitigation")
    return (
        ":orange-badge[:material/help: No data] Based on no evidence: no source reported "
        f"anything to judge. Connect {sources}."
    )


def baseline_note(baseline: dict[str, Any] | None) -> str:
    if baseline is None:
        return "no earlier evaluation"
    return f"since {baseline['started_at']:%d %b %Y}"


def mitigation_card(row: dict[str, Any], baseline: dict[str, Any] | None, page: Any = None) -> None:
    """One mitigation: its score in its band's colour and weekly change, the resource findings
    it rests on, a link to its page."""
    band = data.score_band(row["score"], row["measured"])
    with banded(band, f"card-{row['mitigation']}", border=True):
        st.markdown(f"**{plain(row['title'])}**")
        # The label stays in the page (tests and screen readers) but the title above wraps.
        st.metric(
            label=row["title"],
            value=score_text(row["score"], row["measured"]),
            delta=delta_text(row["delta"]) if row["measured"] else None,
            label_visibility="collapsed",
        )
        if not row["measured"]:
            st.markdown(no_evidence_note(row["mitigation"]))
        else:
            st.markdown(band_badge(band))
            if row["delta"] is not None:
                st.caption(baseline_note(baseline))
            else:
                st.caption("no earlier evaluation" if baseline is None else "no earlier score")
            st.caption(findings_count_text(row), help="A finding is one resource judged by one check.")
        if page is not None:
            # A short label: a card is 150 px wide at 1280 px, five to a row.
            st.page_link(page, label="Findings", icon=":material/arrow_forward:", help="Checks and findings")


def findings_count_text(row: dict[str, Any]) -> str:
    """What a mitigation's counts count: a finding is one resource judged by one check."""
    total = sum(int(row[status]) for status in ("passed", "failed", "unknown", "waived"))
    return (
        f"{total:,} resource finding{'' if total == 1 else 's'}: "
        f"{row['passed']} passed · {row['failed']} failed · {row['unknown']} unknown"
        + (f" · {row['waived']} waived" if row["waived"] else "")
    )


def freshness_table(runs: pd.DataFrame) -> Styler:
    """`data.freshness` as shown: one row per source and scope (its account by name), its
    state coloured."""
    table = pd.DataFrame(
        {
            "Source": runs["collector"],
            "Scope": runs["scope_label"],  # the scope's account by its name, the id beside it
            "State": runs["state"],
            "Run status": runs["status"],
            "Finished": _ages(runs),
            "Items": runs["item_count"],
            "Error": runs["error"],
        }
    )
    return table.style.map(lambda state: STATE_STYLES.get(state, ""), subset=["State"])


def source_summary_table(summary: pd.DataFrame) -> Styler:
    """`data.source_summary` as shown: one row per source, its worst state coloured."""
    table = pd.DataFrame(
        {
            "Source": summary["collector"],
            "State": summary["state"],
            "Scopes": summary["scopes"],
            "Accounts": summary["accounts"],
            "Last run": _ages(summary),
            "Facts": summary["item_count"],
            "Errors": summary["errors"],
            "First error": summary["error"],
        }
    )
    return table.style.map(lambda state: STATE_STYLES.get(state, ""), subset=["State"])


def fit_height(rows: int) -> int:
    """A table height that shows `rows` rows and the header without a scroll bar."""
    return 35 * (rows + 1) + 3


def page_picker(total: int, key: str) -> int:
    """A page picker for `total` rows `data.PAGE_SIZE` at a time (none for one page): the first
    row's index of the page chosen."""
    pages = -(-total // data.PAGE_SIZE)
    if pages <= 1:
        return 0
    page_key = f"{key}_page"
    if st.session_state.get(page_key, 1) > pages:  # fewer rows shown than before
        st.session_state[page_key] = pages
    page = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=page_key))
    return (page - 1) * data.PAGE_SIZE


def open_findings_table(issues: Any, subject: str, key: str) -> None:
    """The open findings of the rows shown, one per line, worst first (`subject` names whom
    they are about), a page of `data.PAGE_SIZE` at a time with the count of all and a CSV of
    all. Source text stays text: st.dataframe never renders markdown or HTML."""
    paged_findings_table(
        len(issues),
        lambda first: issues.iloc[first : first + data.PAGE_SIZE],
        lambda: issues_csv(issues, subject),
        subject,
        key,
    )


def paged_findings_table(
    total: int, page_of: Callable[[int], pd.DataFrame], csv: Callable[[], bytes], subject: str, key: str
) -> None:
    """open_findings_table of `total` findings whose page from a row on is `page_of(first)`
    and whose CSV (made on click) is `csv()`."""
    st.subheader("What fails")
    if not total:
        st.caption("Nothing fails or is unknown for the rows shown in the latest evaluation.")
        return
    first = page_picker(total, key)
    shown = page_of(first).drop(columns="subject_id")
    st.caption(
        f"{total} open findings for the rows shown · showing {first + 1}-{first + len(shown)}"
        + (
            f"; the other {total - len(shown)} are on the other pages and in the CSV"
            if total > len(shown)
            else ""
        )
    )
    from dashboard.app_pages.finding_panel import issue_detail, selectable_table, table_height

    # Every column in view at 1280 px beside the sidebar; a clicked row is shown in full below.
    clicked = selectable_table(
        shown,
        key,
        [f"{subject}|{check}" for subject, check in zip(shown["subject"], shown["check_id"], strict=True)],
        height=table_height(len(shown), most=8),
        column_config={
            "subject": st.column_config.TextColumn(subject, width=158),
            "check_id": st.column_config.TextColumn("Check", width=210),
            "status": st.column_config.TextColumn("Status", width=72),
            "severity": st.column_config.TextColumn("Severity", width=68),
            "message": st.column_config.TextColumn("Message", width=270),
        },
    )
    issue_detail(shown.iloc[clicked or 0], subject, f"{key}-detail")
    st.download_button(
        f"Download CSV ({total} open findings)",
        data=csv,  # made on click, not per rerun
        file_name=data.download_name(subject.lower(), "open-findings.csv"),
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}_csv",
    )


def issues_csv(issues: pd.DataFrame, subject: str) -> bytes:
    """Every open finding of the rows shown, cells that look like formulas neutralised."""
    export = issues.drop(columns="subject_id").rename(columns={"subject": subject.lower()})
    return spreadsheet_csv(export)


def _ages(frame: pd.DataFrame) -> list[str]:
    """How long ago each row's run finished ("never" for a source never collected)."""
    return [
        data.format_age(age) if state != "never collected" else "never"
        for age, state in zip(frame["age_hours"], frame["state"], strict=True)
    ]
