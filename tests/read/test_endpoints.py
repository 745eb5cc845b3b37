"""vaultward.read.endpoints: people x devices and takeover alerts from stored findings, never
better than the evidence (pure: stored findings in, rows out)."""

from __future__ import annotations

from vaultward.read.endpoints import (
    EDR_COVERAGE,
    SIGNER_DEVICES,
    TAKEOVER,
    Stored,
    group_of,
    people_devices,
    takeover_alerts,
)

LAPTOP = {
    "machine": "device:serial:S1", "name": "ann-mbp", "sources": ["fleet"], "platform": "macos",
    "os_version": "15.1", "managed": False, "encrypted": True, "edr_running": None,
    "last_seen_at": "2026-12-07T10:00:00+00:00", "users": ["ann@acme.example"],
    "unknown_fields": {"edr_running": "the hosts listing was refused"},
}  # fmt: skip


def signer(status: str, message: str, devices: list[dict] | None = None, role: str = "administrator in okta"):
    evidence = {"role": role, **({"devices": devices} if devices is not None else {})}
    return Stored(SIGNER_DEVICES, "ann@acme.example", "ann@acme.example", status, message, evidence)


def test_a_device_passes_only_when_its_person_passed():
    device = {**LAPTOP, "problems": [], "doubts": []}
    rows, _ = people_devices([signer("fail", "no managed device", [device])])
    assert [(r.device, r.status, r.fails, r.managed, r.edr) for r in rows] == [
        ("ann-mbp", "fail", "no managed device", "no", "unknown (the hosts listing was refused)")
    ]


def test_a_waived_person_shows_waived_with_what_fails():
    device = {**LAPTOP, "problems": ["disk not encrypted"], "doubts": []}
    rows, _ = people_devices([signer("waived", "ann-mbp: disk not encrypted", [device])])
    assert [(r.status, r.fails) for r in rows] == [("waived", "disk not encrypted")]


def test_devices_of_others_and_of_nobody_come_from_edr_coverage():
    theirs = {**LAPTOP, "machine": "device:serial:S2", "name": "bo-pc"}  # stored before "owners"
    nobody = {**LAPTOP, "machine": "device:serial:S3", "name": "kiosk", "users": [], "owners": []}
    retired = {**LAPTOP, "machine": "device:serial:S4", "name": "old", "owners": ["bo@acme.example"]}
    rows, unmatched = people_devices([
        Stored(EDR_COVERAGE, "device:serial:S2", "bo-pc", "fail", "bo-pc, used by ann: no EDR sensor", theirs),
        Stored(EDR_COVERAGE, "device:serial:S3", "kiosk", "unknown", "kiosk, tied to no person: ...", nobody),
        Stored(EDR_COVERAGE, "device:serial:S4", "old", "skipped", "retired, wiped or pending removal", retired),
    ])  # fmt: skip
    assert [(r.person, r.group, r.device, r.status) for r in rows] == [
        ("ann@acme.example", "other", "bo-pc", "fail")
    ]
    assert [(r.device, r.status) for r in unmatched] == [("kiosk", "unknown")]
    assert "policy.people.aliases" in unmatched[0].fails


def test_role_groups():
    assert group_of("signer: signer of cold") == "signer"
    assert group_of("administrator in okta") == "administrator"
    assert group_of("signer: spender of hot; administrator in entra") == "signer and administrator"
    assert group_of("") == "privilege unknown"


def test_takeover_alerts_newest_first_then_cannot_tell():
    def finding(status: str, signals: list[dict], who: str = "ann") -> Stored:
        evidence = {"role": "signer: x", "log_sources": ["okta"], "signals": signals}
        return Stored(TAKEOVER, who, who, status, "summary", evidence)

    alerts = takeover_alerts([
        finding("fail", [
            {"at": "2026-12-01T08:00:00+00:00", "source": "okta", "signal": "factor reset"},
            {"at": "2026-12-03T09:30:00+00:00", "source": "entra", "signal": "anonymising proxy"},
        ]),
        finding("unknown", [], who="bo"),
        finding("pass", [], who="cy"),
    ])  # fmt: skip
    assert [(a.who, a.what, a.at, a.source, a.status) for a in alerts] == [
        ("ann", "anonymising proxy", "2026-12-03 09:30", "entra", "fail"),
        ("ann", "factor reset", "2026-12-01 08:00", "okta", "fail"),
        ("bo", "cannot tell", "", "okta", "unknown"),
    ]
