"""The weekly report's "Compromised workstation and credentials" stage (issue 20): signers' and
administrators' failing or unknown devices, EDR coverage, open account-takeover alerts and the
people whose logs cannot tell, and devices tied to no person, read back from a real evaluation's
findings into the JSON, the HTML page and the PDF; page 1 still names the owner of an endpoint
action."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from tests.factories import (
    make_device,
    make_edr_device,
    make_identity,
    make_signin_event,
    make_signin_log,
    make_wallet,
)
from tests.fake_collectors import registry_with
from vaultward.config.settings import parse_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.files import build_report, iso_week_of
from vaultward.reporting.html import render_html
from vaultward.reporting.pdf import render_pdf

ADMIN = "admin@acme.example"
SIGNER = "signer@acme.example"
SILENT = "silent@acme.example"  # a signer no device source nor identity provider lists
DEV = "dev@acme.example"
SETTINGS = {
    "policy": {
        "people": {"signers": {"0xsigner": SIGNER, "0xsilent": SILENT}},
        "owners": {"mitigations": {"access": "it-security@acme.example"}},
    }
}


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def estate(now: datetime, signer_host: str = "signer-mbp") -> dict[str, list]:
    seen = now - timedelta(hours=1)
    reset_at = (now - timedelta(hours=30)).replace(second=0, microsecond=0)

    def jamf(user: str, serial: str, hostname: str, **fields):
        return make_device(user=user, serial_number=serial, hostname=hostname, last_seen_at=seen, **fields)

    return {
        "okta:acme": [
            make_identity(key="okta:1", source="okta", scope="okta:acme", email=ADMIN, privileged=True),
            make_identity(key="okta:2", source="okta", scope="okta:acme", email=DEV),
            make_identity(key="okta:3", source="okta", scope="okta:acme", email=SIGNER),
            make_signin_log(covers_from=now - timedelta(days=30), covers_to=now),
            make_signin_event(ADMIN, at=now - timedelta(hours=5)),
            make_signin_event(SIGNER, "factor_reset", at=reset_at, actor="helpdesk@acme.example",
                              vendor_event="user.mfa.factor.reset_all"),
        ],
        "safe:eth": [make_wallet(name="Treasury", signers=["0xsigner", "0xsilent"], threshold=1)],
        "jamf:acme": [
            jamf(ADMIN, "A1", "admin-mbp", encrypted=False),
            jamf(ADMIN, "A2", "admin-mini"),  # CrowdStrike cannot say whether its sensor is healthy
            jamf(SIGNER, "S1", signer_host),  # CrowdStrike does not list it
            jamf(DEV, "D1", "dev-mbp"),
            jamf("CORP\\ghost", "U1", "ghost-mbp"),  # nobody the directory knows
        ],
        "crowdstrike:us-1": [make_edr_device(serial, last_seen_at=seen) for serial in ("A1", "D1", "U1")]
        + [make_edr_device("A2", last_seen_at=seen, edr_running=None)],
    }  # fmt: skip


@pytest.fixture
def report(engine):
    now = datetime.now(UTC)
    registry = registry_with(estate(now))
    settings = parse_settings(SETTINGS)
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    return build_report(engine, iso_week_of(now), registry)


SIGNER_ROLE = "signer: signer of Treasury"
ADMIN_DEVICES = (
    "admin-mbp: disk not encrypted; admin-mini: crowdstrike does not say whether its sensor is healthy"
)
NO_EDR = "no EDR sensor seen (crowdstrike does not list it)"
SILENT_DEVICES = f"no device source lists them: their devices are unknown ({SIGNER_ROLE})"
SILENT_LOGS = "no identity provider whose sign-in log is read (Okta, Entra, Google Workspace) lists them"
HINT = (
    "1 device(s) tied to no person: map their users to people in policy.people.aliases so a signer's "
    "or administrator's device is judged."
)


def test_the_stage_lists_devices_edr_alerts_unknowns_and_unmatched_devices(report):
    data = json.loads(report.to_json())["workstation"]
    reset = data["alerts"][0]["signals"][0]["at"]
    when = datetime.fromisoformat(reset).strftime("%Y-%m-%d %H:%M")
    factor = "factor reset by helpdesk@acme.example: user.mfa.factor.reset_all"
    assert data == {
        "devices": [
            {"person": ADMIN, "role": "administrator in okta", "status": "fail",
             "devices": ["admin-mbp", "admin-mini"], "message": ADMIN_DEVICES},
            {"person": SIGNER, "role": SIGNER_ROLE, "status": "fail", "devices": ["signer-mbp"],
             "message": f"signer-mbp: {NO_EDR}"},
            {"person": SILENT, "role": SIGNER_ROLE, "status": "unknown", "devices": [],
             "message": SILENT_DEVICES},
        ],
        "edr": {"covered": 3, "not_covered": 1, "unknown": 1, "not_applicable": 0, "waived": 0},
        "edr_privileged": {"covered": 1, "not_covered": 1, "unknown": 1, "not_applicable": 0, "waived": 0},
        "edr_gaps": [
            {"device": "signer-mbp", "people": [SIGNER], "status": "fail",
             "message": f"signer-mbp, used by {SIGNER} (signer or administrator): {NO_EDR}"},
            {"device": "admin-mini", "people": [ADMIN], "status": "unknown",
             "message": f"admin-mini, used by {ADMIN} (signer or administrator): crowdstrike does not say "
                        "whether its sensor is healthy"},
        ],
        "alerts": [
            {"person": SIGNER, "role": SIGNER_ROLE, "signal_count": 1,
             "signals": [{"at": reset, "source": "okta", "signal": factor}],
             "message": f"{factor} (okta, {when} UTC)"},
        ],
        "untold": [{"person": SILENT, "role": SIGNER_ROLE, "reason": SILENT_LOGS}],
        "unmatched": 1,
        "devices_passed": 0,
        "takeover_passed": 1,
        "notes": [],
    }  # fmt: skip
    assert datetime.now(UTC) - datetime.fromisoformat(reset) < timedelta(hours=31)

    text = _plain(render_html(report))
    section = text[text.index("Compromised workstation and credentials The laptops") :]
    section = section[: section.index("8. Framework coverage")]
    for row in (
        f"Person Status Device What fails / why unknown {ADMIN} administrator in okta fail admin-mbp, "
        f"admin-mini {ADMIN_DEVICES}",
        f"{SIGNER} {SIGNER_ROLE} fail signer-mbp signer-mbp: {NO_EDR}",
        f"{SILENT} {SIGNER_ROLE} unknown none known {SILENT_DEVICES}",
        "Every device: 3 covered, 1 not covered, 1 unknown. Signers' and administrators' devices: 1 covered, "
        "1 not covered, 1 unknown.",
        f"Device Used by Status Why signer-mbp {SIGNER} fail signer-mbp, used by {SIGNER}",
        f"admin-mini {ADMIN} unknown admin-mini, used by {ADMIN}",
        f"Open account-takeover alerts (1) Person When (UTC) Source Signal {SIGNER} {SIGNER_ROLE} {when} okta {factor}",
        f"Cannot be told (1) Person Why unknown {SILENT} {SIGNER_ROLE} {SILENT_LOGS}",
        HINT,
    ):
        assert row in section, row


def test_the_pdf_prints_the_stage(report):
    pdf = render_pdf(report, "A4", None)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    for line in (
        "Compromised workstation and credentials",
        "Open account-takeover alerts (1)",
        "Cannot be told (1)",
        "admin-mbp: disk not encrypted",
        "factor reset by helpdesk@acme.example",
        "1 device(s) tied to no person",
    ):
        assert line in flat, line  # fmt: skip


def test_page_one_names_the_owner_of_an_endpoint_action(report):
    first = [(a.check_id, a.owner) for a in report.actions[:3]]
    assert first[:2] == [
        ("access.signer_devices", "it-security@acme.example"),
        ("access.account_takeover_signals", "it-security@acme.example"),
    ]
    page_one = _plain(render_html(report)).split("1. Actions")[0]
    assert "Signers and administrators use managed devices" in page_one
    assert page_one.count("it-security@acme.example") >= 2 and "unassigned" in page_one


def test_an_evaluation_without_the_endpoint_checks_has_no_stage(engine):
    now = datetime.now(UTC)
    registry = registry_with({"okta:acme": [make_identity(key="okta:1", source="okta", email=ADMIN)]})
    for check in ("access.signer_devices", "detection.edr_coverage", "access.account_takeover_signals"):
        registry.checks.pop(check)
    collect(parse_settings({}), engine, registry)
    evaluate(parse_settings({}), engine, registry)
    report = build_report(engine, iso_week_of(now), registry)
    assert report.workstation is None and json.loads(report.to_json())["workstation"] is None
    assert "Compromised workstation and credentials The laptops" not in _plain(render_html(report))


HOSTILE = '=HYPERLINK("http://evil.example","open")'


def test_the_findings_csv_holds_the_stage_rows_spreadsheet_safe(engine):
    now = datetime.now(UTC)
    registry = registry_with(estate(now, signer_host=HOSTILE))
    settings = parse_settings(SETTINGS)
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    report = build_report(engine, iso_week_of(now), registry)
    rows = list(csv.DictReader(io.StringIO(report.findings_csv())))
    stage = {
        (r["check_id"], r["resource"]): (r["status"], r["message"])
        for r in rows
        if r["check_id"]
        in ("access.signer_devices", "detection.edr_coverage", "access.account_takeover_signals")
    }
    alert = report.workstation.alerts[0].message if report.workstation else ""
    assert stage == {
        ("access.signer_devices", ADMIN): ("fail", ADMIN_DEVICES),
        ("access.signer_devices", SIGNER): ("fail", f"'{HOSTILE}: {NO_EDR}"),
        ("access.signer_devices", SILENT): ("unknown", SILENT_DEVICES),
        ("detection.edr_coverage", "device:serial:S1"): (
            "fail", f"'{HOSTILE}, used by {SIGNER} (signer or administrator): {NO_EDR}"
        ),
        ("detection.edr_coverage", "device:serial:A2"): (
            "unknown", f"admin-mini, used by {ADMIN} (signer or administrator): crowdstrike does not say "
            "whether its sensor is healthy"
        ),
        ("access.account_takeover_signals", SIGNER): ("fail", alert),
        ("access.account_takeover_signals", SILENT): ("unknown", SILENT_LOGS),
    }  # fmt: skip
    # the JSON keeps the device's name as the source said it (it is data, not a cell)
    assert json.loads(report.to_json())["workstation"]["edr_gaps"][0]["device"] == HOSTILE
    assert HOSTILE not in render_html(report)  # escaped on the page


def test_without_device_sources_or_a_complete_log_the_stage_says_unknown_never_pass(engine):
    now = datetime.now(UTC)
    plan = estate(now)
    del plan["jamf:acme"], plan["crowdstrike:us-1"]
    plan["okta:acme"] = [r for r in plan["okta:acme"] if r.kind != "signin_event"]
    plan["okta:acme"] = [
        r.model_copy(update={"complete": False, "reason": "page 7 refused after retries (503)"})
        if r.kind == "signin_log" else r
        for r in plan["okta:acme"]
    ]  # fmt: skip
    registry = registry_with(plan)
    settings = parse_settings(SETTINGS)
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    stage = build_report(engine, iso_week_of(now), registry).workstation
    assert stage is not None
    no_source = "no device source is connected (Fleet, Jamf Pro, Intune, CrowdStrike Falcon)"
    assert [(d.person, d.status, d.devices, d.message) for d in stage.devices] == [
        (ADMIN, "unknown", [], f"{no_source}: their devices are unknown (administrator in okta)"),
        (SIGNER, "unknown", [], f"{no_source}: their devices are unknown ({SIGNER_ROLE})"),
        (SILENT, "unknown", [], f"{no_source}: their devices are unknown ({SIGNER_ROLE})"),
    ]
    incomplete = "no signal seen, but the okta sign-in log of okta:acme is incomplete (page 7 refused after retries (503))"
    assert [(u.person, u.reason) for u in stage.untold] == [
        (ADMIN, incomplete), (SIGNER, incomplete), (SILENT, SILENT_LOGS)
    ]  # fmt: skip
    assert stage.alerts == [] and stage.takeover_passed == 0 and stage.devices_passed == 0
    assert (stage.edr.covered, stage.edr.not_covered, stage.edr.unknown, stage.unmatched) == (0, 0, 0, None)
    assert stage.notes == [
        "detection.edr_coverage: no data: nothing of kind device has been collected; connect a source that "
        "provides it"
    ]
    report = build_report(engine, iso_week_of(now), registry)
    text = _plain(render_html(report))
    assert "No device is listed: EDR coverage is unmeasured, not complete." in text
    assert (
        "None seen, but no signer's or administrator's sign-in log could back \"no signal\": see below."
        in text
    )
    assert (
        "Devices tied to no person: not known" in text and "Unknown: detection.edr_coverage: no data" in text
    )
