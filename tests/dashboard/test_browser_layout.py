"""Every dashboard page in headless Chromium at 1280 and 1920 px: no key text cut, a clicked
finding opened in full, a drill-down scrolled to what it opened (issue 18)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1920)
SETTLE = '[data-testid="stStatusWidget"]'
# Text a reader needs whole: headings, tab names, filter chips, metric labels (stage titles),
# links, checkbox labels, markdown (check titles) and plain text (a finding's message).
KEY_TEXT = ", ".join(
    f'[data-testid="stAppViewContainer"] {selector}'
    for selector in (
        '[data-testid="stHeading"] *',
        '[role="tab"] *',
        '[data-testid="stMultiSelectTagsContainer"] [data-tag] *',
        '[data-testid="stMetricLabel"] *',
        '[data-testid="stPageLink-NavLink"] *',
        '[data-testid="stSidebarNavLink"] *',
        '[data-testid="stCheckbox"] *',
        '[data-testid="stMarkdownContainer"]',
        '[data-testid="stMarkdownContainer"] *',
        '[data-testid="stText"]',
    )
)
CLIPPED = """(selector) => {
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.textContent.trim() || !el.checkVisibility({visibilityProperty: true})) continue;
    if (el.closest('[data-testid="stElementToolbar"], [data-testid="stTooltipContent"]')) continue;
    const style = getComputedStyle(el);
    const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (hides && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      cut.push(`"${el.textContent.trim().slice(0, 60)}" (${el.scrollWidth} px in ${el.clientWidth})`);
  }
  return [...new Set(cut)];
}"""
# A findings or checks table (a "Message" or "Check" column) shows every column: the grid
# draws on a canvas, so its content width (the scroller's) is compared to its own width.
WIDER_THAN_SHOWN = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .filter((frame) => frame.checkVisibility())
  .map((frame) => ({
    columns: [...frame.querySelectorAll('th[role="columnheader"]')].map((th) => th.textContent),
    scroller: frame.querySelector('.dvn-scroller'),
  }))
  .filter(({columns, scroller}) => scroller && (columns.includes('Message') || columns[0] === 'Check'))
  .filter(({scroller}) => scroller.scrollWidth > scroller.clientWidth + 1)
  .map(({columns, scroller}) => `${columns.join(', ')}: ${scroller.scrollWidth} px in ${scroller.clientWidth}`)"""


def screenshots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VAULTWARD_SCREENSHOTS") or ARTIFACTS / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page: Any) -> None:
    page.wait_for_timeout(400)
    page.wait_for_selector(SETTLE, state="detached", timeout=60_000)
    page.wait_for_timeout(600)  # charts and grids draw after the run ends


def open_page(page: Any, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    settle(page)


def page_urls(page: Any, base: str) -> list[str]:
    """Every page st.navigation lists, the sidebar's "View more" opened first."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in more.inner_text():
        more.click()
    links = page.locator('[data-testid="stSidebarNavLink"]')
    urls = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    return [url if url.startswith("http") else f"{base}/{url.lstrip('/')}" for url in urls]


def whole_page(page: Any, width: int, path: Path) -> None:
    """Streamlit scrolls inside its main container: grow the viewport to the content for
    the screenshot, then back."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(900, int(height) + 40)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def test_no_key_text_is_cut_on_any_page_at_1280_or_1920(
    served_demo: tuple[str, Path], tmp_path: Path
) -> None:
    """Each page of the demo organisation (long check titles, messages of a paragraph, people
    and wallets) at both widths. DOM text is cut when an element hiding its overflow is wider
    inside (scrollWidth) than shown (clientWidth). st.dataframe draws its cells on a canvas
    (glide-data-grid): no cell is DOM text to measure, and glide exposes no column widths. So
    a findings or checks table must show every column (its scroller no wider inside than
    shown) with cells that wrap, and the text a cell cannot hold whole is read in DOM: the
    clicked finding's panel holds its message in full, and the test measures that panel.
    Screenshots of every page at both widths go to $VAULTWARD_SCREENSHOTS (default:
    test-artifacts/screenshots, which CI keeps)."""
    from playwright.sync_api import sync_playwright

    base, _ = served_demo
    folder = screenshots_dir(tmp_path)
    problems: list[str] = []
    visited: dict[int, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                open_page(page, base)
                urls = page_urls(page, base)
                visited[width] = urls
                for url in urls:
                    open_page(page, url)
                    name = url.rstrip("/").rsplit("/", 1)[-1] or "overview"
                    if name.startswith("127.0.0.1"):
                        name = "overview"
                    for cut in page.evaluate(CLIPPED, KEY_TEXT):
                        problems.append(f"{width} px {name}: text cut {cut}")
                    for table in page.evaluate(WIDER_THAN_SHOWN):
                        problems.append(f"{width} px {name}: table wider than shown: {table}")
                    whole_page(page, width, folder / f"{name}-{width}.png")
                context.close()
        finally:
            browser.close()
    print(f"screenshots of {len(visited[WIDTHS[0]])} pages at {WIDTHS} px in {folder}")
    names = {url.rsplit("/", 1)[-1] for url in visited[WIDTHS[0]]}
    # Every page of st.navigation, the mitigations and inventories too.
    assert {"attack-path", "trends", "access", "custody", "segmentation", "training", "people"} <= names
    assert {"wallets", "endpoints", "checks", "waivers", "reports", "sources"} <= names
    assert not problems, "\n".join(problems)


def test_a_clicked_finding_opens_in_full_and_a_link_scrolls_to_its_findings(
    served_demo: tuple[str, Path], tmp_path: Path
) -> None:
    """A drill-down to `?check=` lands on the findings filtered to that check, scrolled into
    view; ticking a row opens that finding (its whole message, not cut) below the table, and
    scrolls to it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    base, _ = served_demo
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                open_page(page, f"{base}/segmentation?check=segmentation.no_corporate_production_path")
                page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
                settle(page)
                top = page.evaluate(
                    "() => document.getElementById('segmentation-findings').getBoundingClientRect().top"
                )
                assert 0 <= top < 200, f"{width} px: the findings heading is at {top} px, not in view"
                chips = page.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
                expect(chips.first).to_be_visible()
                table = page.locator('[data-testid="stDataFrame"]').last
                box = table.bounding_box()
                assert box is not None
                second = table.locator('td[role="gridcell"][aria-colindex="5"]').nth(1).text_content() or ""
                assert second, "the table's second row has a message"
                page.mouse.click(box["x"] + 16, box["y"] + 36 + 72 + 36)  # the second row's tick box
                settle(page)
                panel = page.locator('[data-testid="stText"]').filter(has_text=second[:40])
                expect(panel).to_have_text(second)
                assert not page.evaluate(CLIPPED, '[data-testid="stText"]')
                # The page scrolls after the rerun has drawn it: on a loaded machine that comes
                # after `settle`, so wait for it (a page that never scrolls still fails here)
                evidence_top = (
                    "() => document.getElementById('segmentation-evidence').getBoundingClientRect().top"
                )
                with contextlib.suppress(PlaywrightTimeout):
                    page.wait_for_function(f"({evidence_top})() < 900", timeout=15_000)
                top = page.evaluate(evidence_top)
                assert top < 900, f"{width} px: the opened finding is at {top} px, below the screen"
                whole_page(page, width, screenshots_dir(tmp_path) / f"segmentation-finding-{width}.png")
                page.close()
        finally:
            browser.close()
