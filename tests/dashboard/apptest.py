"""Running one dashboard page under AppTest, and reading what it rendered as markdown."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def run_page(module: str, *args: str, timeout: float = 60, **query_params: str) -> AppTest:
    """`dashboard.app_pages.<module>.render(*args)` run once, with the URL's query parameters
    a link would set; fails on any page exception."""
    call = ", ".join(repr(a) for a in args)
    at = AppTest.from_string(
        f"from dashboard.app_pages.{module} import render\nrender({call})\n", default_timeout=timeout
    )
    for name, value in query_params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click_row(at: AppTest, index: int, row: int) -> AppTest:
    """A click on row `row` of the page's `index`-th table (a single-row selectable one), as
    the browser records it, and the rerun it starts."""
    frame = at.dataframe[index]
    assert frame.key, "a selectable table has a key"
    at.session_state[frame.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_markdown(at: AppTest) -> str:
    """Everything Streamlit renders as markdown on the page (where markup would take effect)."""
    elements = [
        *at.markdown,
        *at.caption,
        *at.title,
        *at.subheader,
        *at.info,
        *at.warning,
        *at.error,
        *at.success,
    ]
    return "\n".join(str(element.value) for element in elements)
