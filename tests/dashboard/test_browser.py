"""The served dashboard in headless Debian Chromium: `vaultward serve` and `vaultward demo`
on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from vaultward.contract.vocabulary import MITIGATION_TITLES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


VAULTWARD = str(Path(sys.executable).parent / "vaultward")  # the installed console script


def require_chromium() -> None:
    # ./dev.sh test installs it; a missing browser is a failure, never a silent skip.
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"dashboard exited early with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"dashboard at {base} not healthy after {timeout}s")


@contextmanager
def running(
    command: list[str], env: dict[str, str], cwd: Path, log_path: Path, base: str, timeout: float = 60
):
    """`command` (a dashboard server) running with its output in `log_path`, healthy at `base`;
    SIGTERM (then kill) when done."""
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_health(base, server, timeout=timeout)
            yield server
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def fit_to_content(page) -> None:
    """Streamlit scrolls inside its main container, so a full-page screenshot would stop at
    the viewport: grow the viewport to the content instead."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(900, int(height) + 40)})
    page.wait_for_timeout(500)


@contextmanager
def overview_page(base: str) -> Iterator[Any]:
    """A Chromium page on the dashboard's overview, once its content has rendered."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1500})
            page.goto(base, wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
            page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def served(seeded_url: str, tmp_path: Path) -> Iterator[str]:
    """The dashboard served over the seeded store; yields its base URL."""
    require_chromium()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "VAULTWARD_CONFIG"}
    env["VAULTWARD_DATABASE_URL"] = seeded_url
    base = f"http://127.0.0.1:{port}"
    # No vaultward.toml in tmp_path: the environment names the store.
    with running([VAULTWARD, "serve", "--port", str(port)], env, tmp_path, tmp_path / "serve.log", base):
        yield base
    output = (tmp_path / "serve.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert "loopback" in output


def test_overview_in_chromium(served: str, database_url: str) -> None:
    from playwright.sync_api import expect

    with overview_page(served) as page:
        overall = page.locator('[data-testid="stMetric"]').filter(has_text="Overall readiness")
        expect(overall.locator('[data-testid="stMetricValue"]')).to_have_text("68.2")
        main = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"]')
        for mitigation in ("access", "custody", "segmentation", "training"):
            title = MITIGATION_TITLES[mitigation]
            expect(main.get_by_text(title, exact=True).first).to_be_visible()
        training = page.locator('[data-testid="stMetric"]').filter(has_text=MITIGATION_TITLES["training"])
        expect(training.locator('[data-testid="stMetricValue"]')).to_have_text("No data")
        ARTIFACTS.mkdir(exist_ok=True)
        fit_to_content(page)
        backend = database_url.split(":", 1)[0].split("+", 1)[0]
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"overview-{backend}.png"), full_page=True)

        page.goto(f"{served}/access", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
        page.wait_for_selector('[data-testid="stText"]', timeout=60_000)  # the worst finding, opened
        fit_to_content(page)
        expect(page.get_by_text("5 of 5 findings")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"access-{backend}.png"), full_page=True)


def test_attack_path_in_chromium(served: str, database_url: str) -> None:
    """The attack path page: the chain is drawn and each stage shows its score."""
    from playwright.sync_api import expect

    with overview_page(served) as page:
        page.goto(f"{served}/attack-path", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
        expect(page.get_by_role("heading", name="Attack path")).to_be_visible()
        stages = page.locator('[data-testid="stMetric"]')
        # The seeded store's stage scores (see tests/dashboard/test_attack_path.py).
        for label, value in (
            ("1. Lure", "No data"),
            ("3. Compromised workstation and credentials", "44.0"),
            ("5. Signing path and hot wallets", "80.0"),
        ):
            expect(stages.filter(has_text=label).locator('[data-testid="stMetricValue"]')).to_have_text(value)
        chart = page.locator('[data-testid="stPlotlyChart"]')
        expect(chart.get_by_text("T1566.003")).to_be_visible()
        expect(chart.get_by_text("T1552.004")).to_be_visible()
        expect(chart.get_by_text("44.0")).to_be_visible()
        expect(page.get_by_text("No check on this store stops this stage.")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        fit_to_content(page)
        backend = database_url.split(":", 1)[0].split("+", 1)[0]
        page.screenshot(path=str(ARTIFACTS / "attack-path.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"attack-path-{backend}.png"), full_page=True)

        # Each control links to its own findings: the mitigation page opens filtered to it.
        control = page.locator('[data-testid="stHorizontalBlock"]').filter(
            has_text="Privileged people use phishing-resistant MFA"
        )
        control.get_by_role("link", name="Findings").first.click()
        page.wait_for_url("**/access?check=access.privileged_phishing_resistant", timeout=60_000)
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
        expect(page.get_by_text("2 of 5 findings")).to_be_visible()


def test_demo_serves_the_collected_organisation(served_demo: tuple[str, Path]) -> None:
    """README command 1: `vaultward demo` seeds the emulator, runs the real collectors,
    evaluates and serves; the browser sees the readiness it computed."""
    from playwright.sync_api import expect

    base, tmp_path = served_demo
    output = (tmp_path / "demo.log").read_text()
    readiness = next(line for line in output.splitlines() if line.startswith("readiness "))
    score = readiness.split()[1].split("/")[0]  # "readiness 41.2/100 (weak); ..."
    with overview_page(base) as page:
        overall = page.locator('[data-testid="stMetric"]').filter(has_text="Overall readiness")
        value = overall.locator('[data-testid="stMetricValue"]')
        expect(value).to_have_text(score)
        main = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"]')
        for mitigation in ("access", "custody", "segmentation", "training"):
            expect(main.get_by_text(MITIGATION_TITLES[mitigation], exact=True).first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        fit_to_content(page)
        page.screenshot(path=str(ARTIFACTS / "demo-overview.png"), full_page=True)


def _search(page, base: str, path: str, text: str) -> None:
    """Open `path` and search it for `text`, once its table has rendered."""
    page.goto(f"{base}/{path}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    search = page.locator('[data-testid="stTextInput"] input').first
    search.fill(text)
    search.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)


def test_demo_wallets_and_people_show_the_signers_the_checks_named(served_demo: tuple[str, Path]) -> None:
    """Every signer the custody checks tie to a person is that person on the Wallets page
    (searching the person finds each wallet they sign; searching the signer's vendor id finds
    nothing, as it is never shown unresolved), and an IAM user the alias table ties to a person
    is not an extra person (issue 17)."""
    from playwright.sync_api import expect

    from tests.dashboard.test_demo_inventories import signers_named_by_checks

    base, tmp_path = served_demo
    named = signers_named_by_checks(f"sqlite:///{tmp_path / 'demo' / 'vaultward.db'}")
    wallets_of: dict[str, set[str]] = {}
    for wallet, signers in named.items():
        for person in filter(None, signers.values()):
            wallets_of.setdefault(person, set()).add(wallet)
    assert "bob@acme.example" in wallets_of
    with overview_page(base) as page:
        for person, wallets in sorted(wallets_of.items()):
            _search(page, base, "wallets", person)
            expect(page.get_by_text(f"{len(wallets)} shown ·")).to_be_visible()
        tied = {signer for signers in named.values() for signer, person in signers.items() if person}
        for signer in sorted(tied):
            _search(page, base, "wallets", signer)
            expect(page.get_by_text("0 shown ·")).to_be_visible()
        fit_to_content(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "demo-wallets.png"), full_page=True)
        _search(page, base, "people", "alice")  # one person: her IAM user is not a second one
        expect(page.get_by_text("1 shown ·")).to_be_visible()
