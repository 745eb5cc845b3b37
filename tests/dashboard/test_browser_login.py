"""The password login in headless Chromium: `vaultward serve` on a network address with a
dashboard password; the browser must log in before it sees any number."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboard.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VAULTWARD,
    fit_to_content,
    free_port,
    require_chromium,
    running,
)

pytestmark = pytest.mark.browser
PASSWORD = "viewer-pass-3e9a"


def test_a_password_guards_the_dashboard_on_the_network(seeded_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "VAULTWARD_CONFIG"}
    env.update(VAULTWARD_DATABASE_URL=seeded_url, VAULTWARD_DASHBOARD_PASSWORD=PASSWORD)
    env.pop("VAULTWARD_DASHBOARD_ADMIN_PASSWORD", None)
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    command = [VAULTWARD, "serve", "--address", "0.0.0.0", "--port", str(port)]
    with running(command, env, tmp_path, log_path, base), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(base, wait_until="domcontentloaded")
        password = page.get_by_label("Password", exact=True)
        expect(password).to_be_visible(timeout=60_000)
        expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)

        password.fill("not-it")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("Wrong password.")).to_be_visible(timeout=30_000)

        password.fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        overall = page.locator('[data-testid="stMetric"]').filter(has_text="Overall readiness")
        expect(overall.locator('[data-testid="stMetricValue"]')).to_have_text("68.2", timeout=60_000)
        expect(page.get_by_text("password viewer")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        fit_to_content(page)
        page.screenshot(path=str(ARTIFACTS / "login-then-overview.png"), full_page=True)
        browser.close()
    assert "Login: dashboard password." in log_path.read_text()
    assert PASSWORD not in log_path.read_text()
