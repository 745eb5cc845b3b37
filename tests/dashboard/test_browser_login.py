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


ADMIN_PASSWORD = "admin-pass-71c4"
LINK = "/access?check=access.root_mfa"  # a shared link: a page and its query string


def test_a_session_survives_reloads_and_shared_links_and_guessing_waits(
    seeded_url: str, tmp_path: Path
) -> None:
    """Sign in from a shared link and land on it; reload and open the link again without the
    password; the cookie is HttpOnly and SameSite; log out and the password is asked again.
    Guesses through a trusted proxy from another client wait, and never lock this browser out."""
    from playwright.sync_api import expect, sync_playwright
    from sqlmodel import Session, select

    from vaultward.store.db import open_store
    from vaultward.store.models import AuditEvent

    require_chromium()
    port = free_port()
    config = tmp_path / "vaultward.toml"
    config.write_text('[dashboard]\nmax_login_attempts = 2\ntrusted_proxies = ["127.0.0.1"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTWARD_DASHBOARD_")}
    env.update(
        VAULTWARD_CONFIG=str(config),
        VAULTWARD_DATABASE_URL=seeded_url,
        VAULTWARD_DASHBOARD_PASSWORD=PASSWORD,
        VAULTWARD_DASHBOARD_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    command = [VAULTWARD, "serve", "--address", "127.0.0.1", "--port", str(port)]
    with running(command, env, tmp_path, log_path, base), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # another client, behind the trusted proxy, guesses the admin's password
        guesser = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.9"}).new_page()
        guesser.goto(base, wait_until="domcontentloaded")
        password = guesser.get_by_label("Password", exact=True)
        expect(password).to_be_visible(timeout=60_000)
        guesser.get_by_text("admin", exact=True).click()
        password.fill("guess-1")
        guesser.get_by_role("button", name="Log in").click()
        expect(guesser.get_by_text("Wrong password.", exact=True)).to_be_visible(timeout=30_000)
        password.fill("guess-2")
        guesser.get_by_role("button", name="Log in").click()
        expect(guesser.get_by_text("Too many failed attempts: try again in 30 seconds.")).to_be_visible(
            timeout=30_000
        )
        password.fill(ADMIN_PASSWORD)  # while it waits, even the right password is refused
        guesser.get_by_role("button", name="Log in").click()
        expect(guesser.get_by_text("Too many failed attempts: try again in")).to_be_visible(timeout=30_000)
        expect(guesser.get_by_text("password admin")).to_have_count(0)

        # the admin, from this machine, opens a shared link and signs in: not locked out
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(base + LINK, wait_until="domcontentloaded")
        expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=60_000)
        page.get_by_text("admin", exact=True).click()
        page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("password admin")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Root accounts use MFA").first).to_be_visible(timeout=60_000)
        assert page.url == base + LINK  # the page and its query string survived the login

        [cookie] = [c for c in context.cookies() if c["name"] == "vaultward_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert ADMIN_PASSWORD not in cookie["value"]
        assert page.evaluate("document.cookie").find("vaultward_session") == -1  # no script reads it

        page.reload(wait_until="domcontentloaded")
        expect(page.get_by_text("password admin")).to_be_visible(timeout=60_000)
        expect(page.get_by_label("Password", exact=True)).to_have_count(0)

        shared = context.new_page()
        shared.goto(base + LINK, wait_until="domcontentloaded")
        expect(shared.get_by_text("password admin")).to_be_visible(timeout=60_000)
        expect(shared.get_by_text("Root accounts use MFA").first).to_be_visible(timeout=60_000)
        shared.close()

        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(base + "/", timeout=60_000)  # through the route that clears the cookie
        expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=60_000)
        assert not [c for c in context.cookies() if c["name"] == "vaultward_session"]
        page.reload(wait_until="domcontentloaded")
        expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=60_000)
        expect(page.get_by_text("password admin")).to_have_count(0)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "logged-out.png"))
        browser.close()

    with Session(open_store(seeded_url)) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.details.get("address")) for e in events] == [
        ("login.failure", "203.0.113.9"),
        ("login.failure", "203.0.113.9"),
        ("login.lockout", "203.0.113.9"),
        ("login.success", "127.0.0.1"),
    ]
    logged = log_path.read_text()
    assert ADMIN_PASSWORD not in logged and "guess-1" not in logged
