"""OIDC login end to end in headless Chromium: `vaultward serve` on a network address with an
`[auth]` section, a loopback OpenID provider (oidc-provider-mock: discovery, authorization
code flow, signed ID tokens), and the role each person gets from the token's claims."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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
CLIENT_SECRET = "oidc-client-secret-7f2c"  # noqa: S105 - a test client's secret
COOKIE_SECRET = "cookie-secret-for-the-test-9d1e4b"  # noqa: S105


@contextmanager
def identity_provider() -> Iterator[str]:
    """The provider on loopback, with one admin (by group claim) and one viewer."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [
        User(sub="ciso", claims={"email": "ciso@acme.example", "groups": ["vaultward-admins"]}),
        User(sub="analyst", claims={"email": "analyst@acme.example", "groups": ["security"]}),
    ]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@contextmanager
def served_with_oidc(seeded_url: str, tmp_path: Path, issuer: str) -> Iterator[tuple[str, Path]]:
    """`vaultward serve --address 0.0.0.0`, its secrets in a private HOME (never the repo's)."""
    port = free_port()
    home = tmp_path / "home"
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "vaultward"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    config = tmp_path / "vaultward.toml"
    config.write_text('[dashboard]\nadmin_groups = ["vaultward-admins"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTWARD_DASHBOARD_")}
    env.update(HOME=str(home), VAULTWARD_DATABASE_URL=seeded_url, VAULTWARD_CONFIG=str(config))
    log_path = tmp_path / "serve.log"
    base = f"http://localhost:{port}"
    command = [VAULTWARD, "serve", "--address", "0.0.0.0", "--port", str(port)]
    with running(command, env, tmp_path, log_path, base):
        yield base, log_path


def sign_in(browser, base: str, subject: str):
    """A fresh browser context that logs in through the provider as `subject`."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.goto(base, wait_until="domcontentloaded")
    expect(page.get_by_text("Sign in with your organisation's account")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    page.get_by_role("button", name="Log in").click()
    # The provider's authorization page: pick the predefined user.
    page.get_by_role("button", name=subject, exact=True).click()
    overall = page.locator('[data-testid="stMetric"]').filter(has_text="Overall readiness")
    expect(overall.locator('[data-testid="stMetricValue"]')).to_have_text("68.2", timeout=60_000)
    return page


def test_oidc_login_gives_admins_and_viewers_their_roles(seeded_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    with (
        identity_provider() as issuer,
        served_with_oidc(seeded_url, tmp_path, issuer) as (base, log_path),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            admin = sign_in(browser, base, "ciso")
            sidebar = admin.locator('[data-testid="stSidebar"]')
            expect(sidebar.get_by_text("ciso@acme.example")).to_be_visible()
            expect(sidebar.get_by_text("admin", exact=True)).to_be_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            fit_to_content(admin)
            admin.screenshot(path=str(ARTIFACTS / "oidc-admin-overview.png"), full_page=True)
            admin.goto(f"{base}/reports", wait_until="domcontentloaded")
            expect(admin.get_by_role("button", name="Generate now")).to_be_visible(timeout=60_000)

            viewer = sign_in(browser, base, "analyst")
            sidebar = viewer.locator('[data-testid="stSidebar"]')
            expect(sidebar.get_by_text("analyst@acme.example")).to_be_visible()
            expect(sidebar.get_by_text("viewer", exact=True)).to_be_visible()
            viewer.goto(f"{base}/reports", wait_until="domcontentloaded")
            expect(viewer.get_by_text("Viewers cannot generate reports: ask an admin.")).to_be_visible(
                timeout=60_000
            )
            expect(viewer.get_by_role("button", name="Generate now")).to_have_count(0)

            viewer.get_by_role("button", name="Log out").click()
            # Streamlit ends the provider's session too (RP-initiated logout), then returns.
            viewer.get_by_role("button", name="End session").click()
            expect(viewer.get_by_text("Sign in with your organisation's account")).to_be_visible(
                timeout=60_000
            )
        finally:
            browser.close()
    output = log_path.read_text()
    assert "Login: OIDC (st.login)." in output
    assert CLIENT_SECRET not in output and COOKIE_SECRET not in output
