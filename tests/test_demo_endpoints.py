"""The demo's endpoint story in this week's evaluation: the exact findings of the three endpoint
checks, written by hand from the demo's device and sign-in data (demo/fakes/fleet.py,
crowdstrike.py, intune.py, jamf.py; okta_demo.py, entra.py, google_workspace.py) and the
checks' documented rules under the default `policy.endpoints` (7 days unseen, macOS 14 /
Windows 10.0.19045 floors, Linux not judged, CrowdStrike the EDR, computers expect it,
14-day signal window)."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from tests.test_demo import demo_store

# Machines are joined by hardware serial across Fleet, Jamf, Intune and CrowdStrike.
ALICE_MAC = "device:serial:C02ALICE01"  # Fleet + Jamf + Falcon: encrypted, macOS 15.1, sensor normal
BOB_MAC = "device:serial:C02BOB0001"  # Fleet + Jamf say FileVault off; Falcon normal
ERIN_LAPTOP = "device:serial:ERINLAP01"  # Intune: compliant, encrypted; no Falcon sensor
ERIN_WS = "device:serial:ERIN-WS-01"  # Fleet Ubuntu 20.04 (Linux: no OS floor); no Falcon sensor
GRACE_MAC = "device:serial:C02GRACE01"  # Jamf (12 days silent) + Falcon (4 hours ago): seen
GRACE_HOME = "device:serial:GRACEHOME01"  # Falcon only: no device manager lists it
# The management account's administrator: an IAM user no alias ties to an e-mail.
OPS_ADMIN = "identity:arn:aws:iam::123456789012:user/ops-admin"
NOT_PRIVILEGED = "neither privileged nor a wallet signer or transfer approver"
MACHINE = "machine identity"
MEMBER_ACCOUNT = re.compile(r"arn:aws:iam::(?!123456789012)[0-9]{12}:")

SIGNER_DEVICES = {
    "alice@acme.example": ("pass", ["1 device(s), at least one managed"]),
    "bob@acme.example": ("fail", ["BOB-MBP: disk not encrypted"]),
    "erin@acme.example": ("fail", ["ACME-ERIN-LT: no EDR sensor seen", "erin-ws-01: no EDR sensor seen"]),
    "grace@acme.example": ("fail", ["GRACE-HOME", "not enrolled in any device manager"]),
    # the corporate break-glass administrator: Falcon runs in reduced functionality mode
    # and his old MacBook, whose retirement Intune has ordered but the Mac has not carried out
    "dave@acme.example": (
        "fail",
        [
            "DAVE-MBP: EDR sensor not healthy",
            "ACME-DAVE-MBP: ",
            "macos 13.6.9 is older than the supported 14",
        ],
    ),
    # a Fireblocks SIGNER and a Google Workspace administrator: her Mac (Fleet only) has no
    # sensor, her Windows laptop (Falcon only, as ACME\\carol) no device manager
    "carol@acme.example": (
        "fail",
        ["carols-macbook-pro.local: no EDR sensor seen", "CAROL-LT: not enrolled in any device manager"],
    ),
    # administrators no device source lists
    "henry@acme.example": ("unknown", ["no device source lists them", "administrator in entra"]),
    "peggy@acme.example": ("unknown", ["no device source lists them", "administrator in okta"]),
    OPS_ADMIN: ("unknown", ["no e-mail ties them to a device", "administrator in aws_iam"]),
    # everyone else's devices, with whose they are
    "device:serial:C02HEIDI01": ("skipped", ["used by heidi@acme.example"]),
    "device:serial:HEIDIPHN15": ("skipped", ["used by heidi@acme.example"]),
    "device:serial:PF3IVAN01": ("skipped", ["used by ivan@acme.example"]),
    "device:serial:PF4IVAN001": ("skipped", ["used by ivan@acme.example"]),
    "device:serial:FRANKLAP7": ("skipped", ["used by frank@acme.example"]),
    "device:serial:JUDYPIX8": ("skipped", ["used by judy@acme.example"]),
    "device:serial:PF2MALL001": ("skipped", ["used by mallory@acme.example"]),
    "device:serial:C02LAB0001": ("skipped", ["tied to no person"]),
    "device:host:ci-runner-01": ("skipped", ["tied to no person"]),
}

EDR_COVERAGE = {
    ALICE_MAC: ("pass", ["EDR sensor healthy (crowdstrike)"]),
    BOB_MAC: ("pass", ["EDR sensor healthy (crowdstrike)"]),
    ERIN_LAPTOP: (
        "fail",
        ["ACME-ERIN-LT", "erin@acme.example (signer or administrator)", "no EDR sensor seen"],
    ),
    ERIN_WS: ("fail", ["erin-ws-01", "no EDR sensor seen"]),
    GRACE_MAC: ("pass", ["EDR sensor healthy"]),
    GRACE_HOME: ("pass", ["GRACE-HOME", "EDR sensor healthy"]),
    "device:serial:C02DAVE001": ("fail", ["DAVE-MBP", "EDR sensor not healthy"]),
    "device:serial:C02CAROL01": ("fail", ["no EDR sensor seen"]),
    "device:serial:PF3CAROL01": ("pass", ["CAROL-LT", "carol@acme.example"]),
    "device:serial:PF3IVAN01": ("fail", ["ivan-laptop", "no EDR sensor seen"]),
    "device:serial:PF4IVAN001": ("pass", ["ivan-thinkpad"]),
    "device:serial:C02HEIDI01": ("fail", ["no EDR sensor seen"]),
    "device:serial:FRANKLAP7": ("fail", ["ACME-FRANK-LT", "no EDR sensor seen"]),
    "device:serial:C02LAB0001": ("fail", ["tied to no person", "no EDR sensor seen"]),
    "device:host:ci-runner-01": ("fail", ["tied to no person", "no EDR sensor seen"]),
    "device:serial:PF2MALL001": ("fail", ["MALLORY-PC", "network-contained"]),
    "device:serial:HEIDIPHN15": ("skipped", ["a ios device"]),
    "device:serial:JUDYPIX8": ("skipped", ["a android device"]),
    # Intune's retirePending: a retire ordered, not carried out; the Mac is still there
    "device:serial:DAVEMBP21": (
        "fail",
        ["ACME-DAVE-MBP", "dave@acme.example (signer or administrator)", "no EDR sensor seen"],
    ),
}

TAKEOVER_SIGNALS = {
    # Lisbon then Singapore 40 minutes later; Okta's own behaviour flags on both sign-ins
    "alice@acme.example": (
        "fail",
        ["impossible travel: Lisbon, Portugal to Singapore", "sign-in the vendor flags", "okta"],
    ),
    "bob@acme.example": (
        "fail",
        ["factor reset by alice@acme.example", "user.mfa.factor.reset_all", "factor enrolled", "okta"],
    ),
    "erin@acme.example": (
        "fail",
        [
            "session from unmanaged device guo1erinmac000000000 (okta",
            "session from unmanaged device (entra",
            "sign-in through an anonymising proxy from Amsterdam, NL (entra",
        ],
    ),
    "grace@acme.example": ("pass", ["no takeover signal in the last 14 days", "okta"]),
    "dave@acme.example": (
        "fail",
        ["sign-in the vendor flags: is_suspicious", "suspicious_login", "google_workspace"],
    ),
    "carol@acme.example": ("fail", ["factor enrolled: 2sv_enroll (google_workspace"]),
    # Google's government-backed attack warning: one of its own detections (the mapper's rule)
    "peggy@acme.example": ("fail", ["sign-in the vendor flags: gov_attack_warning (google_workspace"]),
    # no signal in what Entra's v1.0 log lists, which is interactive sign-ins only
    "henry@acme.example": (
        "unknown",
        ["no signal seen, but the entra sign-in log of", "does not read non-interactive user sign-ins"],
    ),
    OPS_ADMIN: ("unknown", ["no e-mail ties them to the identity providers' log entries"]),
    # everyone else
    **{
        f"{name}@acme.example": ("skipped", [NOT_PRIVILEGED])
        for name in ("frank", "heidi", "ivan", "judy", "kim", "leo", "mallory")
    },
    "judy_partner.example#ext#@acmeexchange.onmicrosoft.com": (
        "skipped",
        ["guest from outside the organisation"],
    ),
    "machine:arn:aws:iam::<production>:user/backup-job": ("skipped", [MACHINE]),
    "machine:arn:aws:iam::<production>:user/ci-deploy": ("skipped", [MACHINE]),
    "machine:okta:00uapibot00acme00001": ("skipped", [MACHINE]),
}


def latest_findings(data_dir, check_id: str) -> dict[str, tuple[str, str]]:
    from vaultward.read.evaluations import latest_evaluation_id
    from vaultward.store.models import Finding

    engine = demo_store(data_dir)
    with Session(engine) as session:
        latest = latest_evaluation_id(session)
        rows = session.exec(
            select(Finding).where(Finding.evaluation_id == latest, Finding.check_id == check_id)
        ).all()
    engine.dispose()
    # moto numbers the member accounts afresh each run; the management account is its default
    found = {
        MEMBER_ACCOUNT.sub("arn:aws:iam::<production>:", f.resource): (f.status, f.message) for f in rows
    }
    assert len(found) == len(rows), "one finding per resource"
    return found


def assert_exactly(found: dict[str, tuple[str, str]], expected: dict[str, tuple[str, list[str]]]) -> None:
    assert set(found) == set(expected), (
        sorted(set(found) - set(expected)),
        sorted(set(expected) - set(found)),
    )
    for resource, (status, parts) in expected.items():
        got_status, message = found[resource]
        assert got_status == status, (resource, got_status, message)
        for part in parts:
            assert part in message, (resource, part, message)


def test_signer_devices_exact_findings(demo_run):
    assert_exactly(latest_findings(demo_run[0], "access.signer_devices"), SIGNER_DEVICES)


def test_edr_coverage_exact_findings(demo_run):
    assert_exactly(latest_findings(demo_run[0], "detection.edr_coverage"), EDR_COVERAGE)


def test_takeover_signals_exact_findings(demo_run):
    assert_exactly(latest_findings(demo_run[0], "access.account_takeover_signals"), TAKEOVER_SIGNALS)


def test_the_demo_tells_the_endpoint_story(demo_run):
    """Issue 20's demo: signers with an unencrypted, an EDR-less and an unmanaged device, and
    one whose factors were reset days ago."""
    devices = latest_findings(demo_run[0], "access.signer_devices")
    edr = latest_findings(demo_run[0], "detection.edr_coverage")
    takeover = latest_findings(demo_run[0], "access.account_takeover_signals")
    assert devices["bob@acme.example"] == ("fail", "BOB-MBP: disk not encrypted")  # bob's unencrypted Mac
    assert edr[ERIN_LAPTOP][0] == "fail" and "no EDR sensor seen" in edr[ERIN_LAPTOP][1]  # erin's laptop
    status, message = devices["grace@acme.example"]  # grace's home PC no device manager lists
    assert status == "fail" and "GRACE-HOME" in message and "not enrolled in any device manager" in message
    status, message = takeover["bob@acme.example"]  # bob's factors reset three days ago
    assert (
        status == "fail" and "factor reset by alice@acme.example: user.mfa.factor.reset_all (okta" in message
    )


def test_the_weekly_report_shows_the_story(demo_run):
    """This week's report, its workstation stage: bob's unencrypted Mac, grace's unmanaged home
    PC, erin's EDR-less laptop and bob's reset factor, in the JSON and the HTML."""
    reports = demo_run[0] / "reports"
    [report_json] = sorted(reports.glob("vaultward-report-*.json"))[-1:]
    stage = json.loads(report_json.read_text())["workstation"]
    devices = {line["person"]: line for line in stage["devices"]}
    assert devices["bob@acme.example"]["status"] == "fail"
    assert "BOB-MBP: disk not encrypted" in devices["bob@acme.example"]["message"]
    assert "GRACE-HOME: not enrolled in any device manager" in devices["grace@acme.example"]["message"]
    gaps = {gap["device"]: gap for gap in stage["edr_gaps"]}
    assert any("ACME-ERIN-LT" in name for name in gaps), sorted(gaps)
    alerts = {alert["person"]: alert for alert in stage["alerts"]}
    assert "factor reset by alice@acme.example" in alerts["bob@acme.example"]["message"]
    html = report_json.with_suffix(".html").read_text()
    for shown in ("BOB-MBP: disk not encrypted", "GRACE-HOME: not enrolled in any device manager", "ACME-ERIN-LT",
                  "factor reset by alice@acme.example"):  # fmt: skip
        assert shown in html, shown


def demo_page(demo_run, monkeypatch, page: str):
    """A dashboard page over the demo's own store, as `vaultward demo` serves it."""
    import streamlit as st

    from tests.dashboard.apptest import run_page

    data_dir, _ = demo_run
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", f"sqlite:///{data_dir / 'vaultward.db'}")
    monkeypatch.chdir(data_dir)
    st.cache_data.clear()
    return run_page(page)


def table_with(at, column: str) -> list[dict]:
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return frame.to_dict("records")


# The story's takeover signals as the alert table names them (who, what it starts with, source):
# alice's factor reset of bob's account and his new factor minutes later (okta_log.py), alice in
# Lisbon then Singapore 40 minutes later (okta_log.py), erin through an anonymising proxy from
# Amsterdam (entra_signins.py).
STORY_ALERTS = [
    ("bob@acme.example", "factor reset by alice@acme.example: user.mfa.factor.reset_all", "okta"),
    ("bob@acme.example", "factor enrolled: user.mfa.factor.activate", "okta"),
    ("alice@acme.example", "impossible travel: Lisbon, Portugal to Singapore, ", "okta"),
    ("erin@acme.example", "sign-in through an anonymising proxy from Amsterdam, NL", "entra"),
]


def test_the_overview_shows_the_takeover_story(demo_run, monkeypatch):
    """Issue 20's acceptance on the demo's Overview: the account-takeover alerts name bob's
    factors reset by alice, alice's impossible travel and erin's anonymised sign-in; everyone
    the check failed has an alert, and the administrator no e-mail ties to a log is "cannot tell"."""
    at = demo_page(demo_run, monkeypatch, "overview")
    assert "Account-takeover alerts" in [s.value for s in at.subheader]
    alerts = table_with(at, "who")
    for who, what, source in STORY_ALERTS:
        assert any(
            (a["who"], a["source"], a["status"]) == (who, source, "fail") and a["what"].startswith(what)
            for a in alerts
        ), (who, what, [(a["who"], a["what"]) for a in alerts if a["who"] == who])
    travel = next(a for a in alerts if a["what"].startswith("impossible travel"))
    assert " in 40 min (" in travel["what"]
    failing = {who for who, (status, _) in TAKEOVER_SIGNALS.items() if status == "fail"}
    assert {a["who"] for a in alerts if a["status"] == "fail"} == failing
    untold = {a["who"]: a for a in alerts if a["status"] != "fail"}
    assert set(untold) == {who for who, (status, _) in TAKEOVER_SIGNALS.items() if status == "unknown"}
    assert all((a["what"], a["status"]) == ("cannot tell", "unknown") for a in untold.values())
    assert "no e-mail ties them" in untold[OPS_ADMIN]["reason"]
    assert "does not read non-interactive user sign-ins" in untold["henry@acme.example"]["reason"]


def test_the_attack_path_names_the_workstation_failures(demo_run, monkeypatch):
    """Issue 20's acceptance on the demo's Attack path: the compromised-workstation stage names
    what the endpoint checks failed, as the weekly report does: bob's unencrypted Mac, erin's
    laptop and workstation without EDR, grace's home PC no device manager lists; then the
    takeover alerts."""
    at = demo_page(demo_run, monkeypatch, "attack_path")
    people = {row["person"]: row for row in table_with(at, "devices")}
    expected = {
        who: status
        for who, (status, _) in SIGNER_DEVICES.items()
        if status in ("fail", "unknown") and not who.startswith("device:")
    }
    assert {who: row["status"] for who, row in people.items()} == expected
    assert people["bob@acme.example"]["message"] == "BOB-MBP: disk not encrypted"
    # erin's Intune laptop and her Ubuntu workstation (Fleet, no MDM): neither has a Falcon sensor
    assert people["erin@acme.example"]["message"] == (
        "erin-ws-01: no EDR sensor seen (crowdstrike does not list it); "
        "ACME-ERIN-LT: no EDR sensor seen (crowdstrike does not list it); "
        "erin-ws-01: not enrolled in any device manager"
    )
    assert set(people["erin@acme.example"]["devices"].split(", ")) == {"ACME-ERIN-LT", "erin-ws-01"}
    assert "GRACE-HOME: not enrolled in any device manager" in people["grace@acme.example"]["message"]
    # the signers' and administrators' devices without a working sensor
    gaps = {row["device"]: row for row in table_with(at, "people")}
    # dave's old MacBook (Intune retirePending: a retire ordered, not carried out) is still judged
    assert set(gaps) == {
        "ACME-ERIN-LT",
        "erin-ws-01",
        "DAVE-MBP",
        "ACME-DAVE-MBP",
        "carols-macbook-pro.local",
    }
    for device in ("ACME-ERIN-LT", "erin-ws-01"):
        assert (gaps[device]["people"], gaps[device]["status"]) == ("erin@acme.example", "fail")
        assert "no EDR sensor seen" in gaps[device]["message"]
    assert "Account-takeover alerts" in [s.value for s in at.subheader]
    alerts = table_with(at, "who")
    assert any(a["what"].startswith(STORY_ALERTS[0][1]) for a in alerts if a["who"] == "bob@acme.example")
