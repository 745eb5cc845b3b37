"""Every table the dashboard shows goes through `show_table`: the one place that calls st.dataframe
(a test fails on any other st.dataframe, st.data_editor or st.table in dashboard/).

Streamlit's own table export (the toolbar's "Download as CSV" and copying cells) writes cells as
they are, so a name like `=HYPERLINK(...)` would open as a live formula. It is off for every
table (`client.disableDataExport` in dashboard/.streamlit/config.toml and on `vaultward serve`'s
command line); what a viewer can take away is a page's own CSV, made by
`dashboard.labels.spreadsheet_csv` (formulas neutralised by the report's own
`spreadsheet_safe`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

# The Streamlit option that hides the table toolbar's CSV download and the clipboard copy.
EXPORT_OFF = "client.disableDataExport"


def show_table(data: Any, **options: Any) -> Any:
    """`data` (a frame or a Styler) as a read-only table, `options` as st.dataframe takes them;
    what st.dataframe returns (the selection, with `on_select`)."""
    return st.dataframe(data, **options)
