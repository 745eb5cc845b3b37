"""The Endpoints page, the Overview's account-takeover alerts and the Attack path's workstation
stage under AppTest, over a store filled by the real collection (a static collector) and
evaluation (every built-in check), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.dashboard.apptest import rendered_markdown, run_page
from tests.factories import make_device, make_identity, make_signin_event, make_signin_log, make_wallet
from tests.fake_collectors import registry_with
from vaultward.config.settings import load_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate

CONFIG = """
[policy.people.signers]
"0xa1" = "alice@acme.example"
"""
NOW = datetime.now(UTC).replace(microsecond=0)
SEEN = NOW - timedelta(hours=2)
ENROLLED = NOW - timedelta(days=1)


def okta(key: str, **fields):
    return make_identity(key=f"okta:{key}", scope="okta:acme", source="okta", account="acme", **fields)


def plan() -> dict:
    return {
        "okta:acme": [
            okta("alice", name="alice", email="alice@acme.example", factor_kinds=["webauthn"]),
            okta("dave", name="dave", email="dave@acme.example", privileged=True, admin_roles=["SUPER_ADMIN"],
                 factor_kinds=["webauthn"]),
            okta("erin", name="erin", email="erin@acme.example", factor_kinds=["webauthn"]),
            make_signin_event("alice@acme.example", "factor_enrolled", at=ENROLLED),
            make_signin_log(covers_from=NOW - timedelta(days=40), covers_to=NOW, complete=False,
                            reason="a page of the System Log was refused (HTTP 500)"),
        ],
        "jamf:acme": [
            make_device(key="jamf:device:1", device_id="1", hostname="alice-mbp", user="alice@acme.example",
                        encrypted=False, last_seen_at=SEEN),
            make_device(key="jamf:device:2", device_id="2", hostname="erin-mbp", user="erin@acme.example",
                        last_seen_at=SEEN),
            make_device(key="jamf:device:3", device_id="3", hostname="lab-mini", user="labadmin",
                        last_seen_at=SEEN),
        ],
        "safe:eth": [make_wallet(key="safe:eth:0xcold", name="cold", signers=["0xa1", "0xb1"], threshold=2)],
    }  # fmt: skip


@pytest.fixture
def endpoints_url(engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "vaultward.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    registry = registry_with(plan())
    settings = load_settings()
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    return database_url


def rows(at, key: int) -> list[dict]:
    return at.dataframe[key].value.to_dict("records")


def test_endpoints_page(endpoints_url):
    at = run_page("endpoints")
    devices = rows(at, 0)
    assert [(r["person"], r["role"], r["device"], r["encrypted"], r["status"]) for r in devices] == [
        ("alice@acme.example", "signer: signer of cold", "alice-mbp", "no", "fail"),
        ("dave@acme.example", "administrator in okta", "", "", "unknown"),
        ("erin@acme.example", "other", "erin-mbp", "yes", "unknown"),
    ]
    alice, dave, _ = devices
    assert alice["fails"].startswith("disk not encrypted")
    assert (alice["sources"], alice["platform"], alice["os_version"], alice["managed"], alice["edr"]) == (
        "jamf",
        "macos",
        "15.1",
        "yes",
        "unknown",
    )
    # an admin no device source lists: unknown with the reason, never a tick
    assert dave["fails"] == "no device source lists them: their devices are unknown (administrator in okta)"
    unmatched = rows(at, 1)
    assert [(r["device"], r["status"]) for r in unmatched] == [("lab-mini", "unknown")]
    assert "policy.people.aliases" in unmatched[0]["fails"]
    assert "2 signers and administrators: 1 failing, 1 unknown · 1 device(s) tied to no person" in " ".join(
        c.value for c in at.caption
    )

    at.checkbox(key="endpoints_failing").check().run()
    assert [r["person"] for r in rows(at, 0)] == ["alice@acme.example"]
    at.checkbox(key="endpoints_failing").uncheck().run()
    at.multiselect(key="endpoints_roles").select("other").run()
    assert [r["person"] for r in rows(at, 0)] == ["erin@acme.example"]
    at.multiselect(key="endpoints_roles").set_value(["administrator"]).run()
    assert [r["person"] for r in rows(at, 0)] == ["dave@acme.example"]


def table_with(at, column: str) -> list[dict]:
    """The rows of the page's one table with `column`."""
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return frame.to_dict("records")


def alerts_of(at) -> list[tuple[str, str, str, str, str]]:
    return [(r["who"], r["what"], r["at"], r["source"], r["status"]) for r in table_with(at, "who")]


EXPECTED_ALERTS = [
    (
        "alice@acme.example",
        "factor enrolled: user.mfa.factor.activate",
        f"{ENROLLED:%Y-%m-%d %H:%M}",
        "okta",
        "fail",
    ),
    ("dave@acme.example", "cannot tell", "", "okta", "unknown"),
]


def test_overview_lists_takeover_signals_as_open_alerts(endpoints_url):
    at = run_page("overview")
    assert "Account-takeover alerts" in [s.value for s in at.subheader]
    alerts = next(f.value for f in at.dataframe if "who" in f.value.columns).to_dict("records")
    assert [(r["who"], r["what"], r["at"], r["source"], r["status"]) for r in alerts] == EXPECTED_ALERTS
    assert "System Log was refused" in alerts[1]["reason"]


def test_attack_path_workstation_stage_shows_endpoint_checks_and_alerts(endpoints_url):
    from dashboard.standards import attack_path

    controls = attack_path(endpoints_url)["controls"]
    workstation = set(controls[controls["stage"] == "workstation"]["check_id"])
    assert {"access.signer_devices", "access.account_takeover_signals"} <= workstation
    at = run_page("attack_path")
    assert "Account-takeover alerts" in [s.value for s in at.subheader]
    assert alerts_of(at) == EXPECTED_ALERTS
    assert "access.signer_devices" in rendered_markdown(at)
    # what fails on whose device, in the check's words (the weekly report's table)
    devices = [(r["person"], r["status"], r["devices"]) for r in table_with(at, "devices")]
    assert devices == [
        ("alice@acme.example", "fail", "alice-mbp"),
        ("dave@acme.example", "unknown", "none known"),
    ]
    assert table_with(at, "devices")[0]["message"].startswith("alice-mbp: disk not encrypted")
