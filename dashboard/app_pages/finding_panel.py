"""A clicked finding in full under its table (a table's cells hold a line or three, a
source's message can hold a paragraph), and scrolling a drill-down to what it opened."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.app_pages.tables import show_table

# Streamlit wraps a text cell once rows are taller than 4rem (64 px): three lines of 14 px text.
ROW_HEIGHT = 72
HINT = "Tick the box at a row's left to see that finding in full; the worst is shown until you do."


def table_height(rows: int, most: int = 12) -> int:
    """The height, in pixels, of a table of wrapped rows showing all `rows` up to `most`."""
    return 38 + ROW_HEIGHT * max(1, min(rows, most))


def selectable_table(table: Any, key: str, ids: Iterable[Any], **options: Any) -> int | None:
    """`table` as a single-row selectable st.dataframe; the position of the row clicked, if
    one is. The key follows the rows shown, so a new page or filter starts unselected."""
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()[:10]
    event = show_table(
        table,
        hide_index=True,
        width="stretch",
        row_height=ROW_HEIGHT,
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}_{digest}",
        **options,
    )
    rows = event.selection.rows
    return rows[0] if rows else None


def finding_detail(finding: pd.Series, anchor: str, scroll: bool) -> None:
    """One finding of a mitigation: its check, resource, scope and whole message, why it
    matters, how to fix it, and its evidence. Source text is shown as text, never rendered."""
    st.subheader("Evidence", anchor=anchor)
    st.caption(HINT)
    with st.container(border=True, key=f"{anchor}_panel"):
        st.markdown(f"**{_plain(finding['check_title'])}** · `{finding['check_id']}`")
        st.text(f"{finding['status'].upper()} · {finding['severity']} · {finding['resource_name']}")
        st.text(f"Resource {finding['resource']} in scope {finding['scope'] or '-'}")
        st.text(finding["message"] or "No message.")
        about = data.check_catalog().get(finding["check_id"])
        if about:
            st.markdown(f"**Why it matters.** {about['risk']}")
            st.markdown(f"**How to fix.** {about['remediation']}")
            st.caption("References: " + ", ".join(f"`{ref}`" for ref in about["references"]))
        st.json(finding["evidence"], expanded=True)
    if scroll:
        scroll_to(anchor, str(finding["id"]))


def issue_detail(issue: pd.Series, subject: str, anchor: str) -> None:
    """One open finding of a person, wallet or key in full, under the table it was clicked in."""
    about = data.check_catalog().get(issue["check_id"])
    with st.container(border=True, key=f"{anchor}_panel"):
        title = about["title"] if about else issue["check_id"]
        st.markdown(f"**{_plain(title)}** · `{issue['check_id']}`")
        st.text(f"{issue['status'].upper()} · {issue['severity']} · {subject} {issue['subject']}")
        st.text(issue["message"] or "No message.")
        if about:
            st.markdown(f"**How to fix.** {about['remediation']}")


def scroll_to(anchor: str, reason: str = "") -> None:
    """Scroll the page to the element with id `anchor` once per `reason` (a link's check, a
    clicked finding): a rerun for another widget leaves the reader where they are."""
    # Both only [a-z0-9-]: nothing from a source can close the script.
    target, mark = json.dumps(_safe_id(anchor)), json.dumps(_safe_id(f"{anchor}:{reason}"))
    st.html(
        "<script>(function () {"
        f"const target = {target}, mark = {mark};"
        "const go = (tries) => {"
        "  const here = window.parent.document.getElementById(target) || document.getElementById(target);"
        "  if (!here) { if (tries > 0) setTimeout(() => go(tries - 1), 100); return; }"
        "  if (here.dataset.vaultwardScrolled === mark) return;"
        "  here.dataset.vaultwardScrolled = mark;"
        "  here.scrollIntoView({block: 'start'});"
        "};"
        "setTimeout(() => go(30), 150);"
        "})();</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def anchor_of(*parts: str) -> str:
    return _safe_id("-".join(parts))


def _safe_id(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", text.lower())


def _plain(text: str) -> str:
    from dashboard.app_pages.components import plain

    return plain(text)
