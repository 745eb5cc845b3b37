from datetime import timedelta

from checks.access.signer_devices import signer_devices
from tests.checks.run import run, statuses, with_incomplete_listing
from tests.factories import NOW, make_device, make_edr_device, make_identity, make_wallet
from vaultward.config.policy import PeopleRules, Policy
from vaultward.contract.testing import evaluate_check

ADMIN = "admin@acme.example"
SIGNER = "signer@acme.example"


def people() -> list:
    """An Okta administrator, a developer, and a Safe owner the policy ties to a person."""
    return [
        make_identity(key="okta:1", source="okta", scope="okta:acme", email=ADMIN, privileged=True),
        make_identity(key="okta:2", source="okta", scope="okta:acme", email="dev@acme.example"),
        make_wallet(signers=["0xsigner"], threshold=1),
    ]


POLICY = Policy(people=PeopleRules(signers={"0xsigner": SIGNER}))


def laptop(user: str, serial: str, **fields) -> list:
    """A Jamf laptop and CrowdStrike's healthy sensor on it."""
    return [make_device(user=user, serial_number=serial, **fields), make_edr_device(serial)]


def by_resource(records, policy=POLICY):
    return {r.resource: r for r in run(signer_devices, records, policy)}


def test_healthy_devices_pass_and_others_devices_are_not_applicable():
    records = people() + laptop(ADMIN, "A1") + laptop(SIGNER, "S1") + laptop("dev@acme.example", "D1")
    found = by_resource(records)
    assert {k: r.status for k, r in found.items()} == {
        ADMIN: "pass",
        SIGNER: "pass",
        "device:serial:D1": "skipped",
    }
    assert "administrator in okta" in found[ADMIN].evidence["role"]
    assert found[SIGNER].evidence["role"].startswith("signer: signer of wallet-")
    assert "neither a wallet signer nor an administrator" in found["device:serial:D1"].reason


def test_each_failing_device_is_named_with_what_fails():
    records = people() + [
        make_device(user=ADMIN, serial_number="A1", hostname="admin-mbp", encrypted=False, os_version="13.6.1"),
        make_edr_device("A1", edr_running=False),
        make_device(user=ADMIN, serial_number="A2", hostname="admin-old", last_seen_at=NOW - timedelta(days=30)),
        make_edr_device("A2", last_seen_at=NOW - timedelta(days=30)),
        make_device(user=SIGNER, serial_number="S1", hostname="signer-pc", managed=False, platform="windows",
                    os_version="10.0.19044.3086"),
    ]  # fmt: skip
    found = by_resource(records)
    admin = found[ADMIN]
    assert admin.status == "fail"
    assert admin.reason == (
        "admin-mbp: disk not encrypted; macos 13.6.1 is older than the supported 14; EDR sensor not "
        "healthy (crowdstrike); admin-old: not seen for 30 days; EDR sensor last reported 30 days ago"
    )
    signer = found[SIGNER]
    assert signer.status == "fail"
    assert signer.reason.startswith("no managed device; signer-pc: windows 10.0.19044.3086 is older than")
    assert "no EDR sensor seen (crowdstrike does not list it)" in signer.reason


def test_a_person_with_no_known_device_is_unknown_never_a_pass():
    records = people() + laptop(ADMIN, "A1")
    found = by_resource(records)
    assert found[SIGNER].status == "unknown"
    assert found[SIGNER].reason.startswith("no device source lists them")
    # no device source at all: everyone unknown with that reason
    found = by_resource(people())
    assert {k: r.status for k, r in found.items()} == {ADMIN: "unknown", SIGNER: "unknown"}
    assert "no device source is connected" in found[ADMIN].reason


def test_what_the_sources_do_not_say_is_unknown():
    records = people() + [
        make_device(user=ADMIN, serial_number="A1", encrypted=None, managed=None),  # Fleet without MDM
        make_edr_device("A1"),
        make_device(user=SIGNER, serial_number="S1", platform="other:freebsd"),
        make_edr_device("S1", platform="other:freebsd"),
    ]
    found = by_resource(records)
    assert found[ADMIN].status == "unknown"
    assert "no device manager says any of their devices is managed" in found[ADMIN].reason
    assert "no source says whether its disk is encrypted" in found[ADMIN].reason
    assert found[SIGNER].status == "unknown" and "supported OS window is unknown" in found[SIGNER].reason
    # no EDR source collected: the EDR is unknown, not failed
    records = people() + [make_device(user=ADMIN, serial_number="A1")]
    found = by_resource(records)
    assert found[ADMIN].status == "unknown" and "no EDR source is connected" in found[ADMIN].reason


def test_linux_is_judged_only_once_the_policy_sets_a_floor():
    records = people() + [
        make_device(user=ADMIN, serial_number="A1", platform="linux", os_version="20.04", source="fleet"),
        make_edr_device("A1", platform="linux"),
    ]
    assert statuses(signer_devices, records, policy=POLICY)[ADMIN] == "pass"
    strict = Policy(people=POLICY.people, endpoints={"min_os_versions": {"linux": "22.04"}})
    assert statuses(signer_devices, records, policy=strict)[ADMIN] == "fail"


def test_a_failed_request_that_lost_a_field_is_unknown_not_a_pass():
    jamf, falcon = laptop(ADMIN, "A1")
    intune = make_device(user=ADMIN, serial_number="A1", source="intune", key="intune:device:x",
                         scope="intune:acme", encrypted=None)  # fmt: skip
    gaps = {("intune:acme", "device"): {"encrypted": "the encryption report was refused (403)"}}
    from vaultward.contract.sdk import CheckContext

    records = people() + [jamf, falcon, intune]
    by_kind: dict = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    results = {r.resource: r for r in signer_devices(CheckContext(by_kind, POLICY, NOW, gaps))}
    assert results[ADMIN].status == "unknown" and "refused (403)" in results[ADMIN].reason


def test_unmatched_retired_and_privilege_unknown_devices_are_listed():
    records = people() + [
        make_device(user="CORP\\ghost", serial_number="G1"),
        make_device(user="dev@acme.example", serial_number="R1", retired=True),
        make_identity(
            key="okta:3", source="okta", scope="okta:acme", email="maybe@acme.example", privileged=None
        ),
        make_device(user="maybe@acme.example", serial_number="M1"),
    ]
    from vaultward.contract.sdk import CheckContext

    by_kind: dict = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    gaps = {("okta:acme", "identity"): {"privileged": "the admin roles listing was refused"}}
    results = {r.resource: r for r in signer_devices(CheckContext(by_kind, POLICY, NOW, gaps))}
    assert (
        results["device:serial:G1"].status == "skipped"
        and "tied to no person" in results["device:serial:G1"].reason
    )
    assert results["device:serial:R1"].status == "skipped" and "retired" in results["device:serial:R1"].reason
    # maybe@ may be an administrator: unknown, and so is the device (its finding never vanishes)
    maybe = results["maybe@acme.example"]
    assert (
        maybe.status == "unknown"
        and "is an administrator is unknown" in maybe.reason
        and "refused" in maybe.reason
    )
    assert [d["machine"] for d in maybe.evidence["devices"]] == ["device:serial:M1"]
    device = results["device:serial:M1"]
    assert device.status == "unknown" and device.reason == maybe.reason
    # without a device, still unknown: leaving them out would raise the score
    by_kind["device"] = [d for d in by_kind["device"] if d.serial_number != "M1"]
    results = {r.resource: r for r in signer_devices(CheckContext(by_kind, POLICY, NOW, gaps))}
    assert results["maybe@acme.example"].status == "unknown"


def test_every_device_record_appears_in_the_findings():
    records = people() + laptop(ADMIN, "A1") + laptop("dev@acme.example", "D1") + [
        make_device(user="", serial_number="", hostname="kiosk"),
        make_edr_device("", hostname="kiosk"),
        make_device(user=SIGNER, retired=True),
    ]  # fmt: skip
    results = run(signer_devices, records, POLICY)
    from vaultward.derived.devices import Devices
    from vaultward.derived.people import Directory

    view = Devices([r for r in records if r.kind == "device"], Directory(POLICY.people), ["crowdstrike"])
    mentioned = {r.resource for r in results}
    for machine in view.machines:
        assert machine.id in mentioned or set(machine.owners) & mentioned, machine.id


def test_stale_evidence_turns_the_verdicts_unknown():
    records = people() + laptop(ADMIN, "A1")
    found = {r.resource: r.status for r in evaluate_check(signer_devices, records, POLICY, NOW, stale=True)}
    assert set(found.values()) == {"unknown"}


def test_an_incomplete_device_listing_makes_a_pass_unknown():
    records = people() + laptop(ADMIN, "A1") + laptop(SIGNER, "S1")
    found = {r.resource: r for r in with_incomplete_listing(signer_devices, records, "device", POLICY)}
    assert found[ADMIN].status == "unknown" and found[ADMIN].evidence["status_if_fresh"] == "pass"
    assert "device listing" in found[ADMIN].reason


def test_sources_naming_different_platforms_leave_the_os_window_unknown():
    records = people() + [
        make_device(user=ADMIN, serial_number="A1"),
        make_edr_device("A1", platform="windows"),
    ]
    found = by_resource(records)
    assert found[ADMIN].status == "unknown" and "platform macos or windows" in found[ADMIN].reason


def test_a_device_only_the_edr_lists_is_unmanaged_once_a_device_manager_is_collected():
    records = people() + [make_edr_device("A1", user=ADMIN), *laptop("dev@acme.example", "D1")]
    found = by_resource(records)
    assert found[ADMIN].status == "fail" and found[ADMIN].reason.startswith("no managed device;")
    # with no device manager collected at all, nobody can say
    found = by_resource(people() + [make_edr_device("A1", user=ADMIN)])
    assert found[ADMIN].status == "unknown"
    assert found[ADMIN].reason.startswith("no device manager says any of their devices is managed")


def test_an_unmanaged_device_fails_even_beside_a_managed_one():
    # a home PC only the EDR lists, next to the signer's managed laptop
    records = people() + laptop(ADMIN, "A1") + laptop(SIGNER, "S1") + [make_edr_device("H1", user=SIGNER)]
    found = by_resource(records)
    assert found[ADMIN].status == "pass"
    assert found[SIGNER].status == "fail"
    assert "not enrolled in any device manager" in found[SIGNER].reason


def test_a_second_device_whose_enrolment_nobody_states_is_unknown_not_a_pass():
    # the device manager lists the home PC but does not say whether it is enrolled
    records = people() + laptop(SIGNER, "S1") + laptop(SIGNER, "H1", managed=None, hostname="signer-home")
    found = by_resource(records)
    assert found[SIGNER].status == "unknown"
    assert "signer-home: no device manager says whether it is enrolled" in found[SIGNER].reason


def test_a_signers_phone_needs_no_edr_but_everything_else():
    records = (
        people()
        + laptop(ADMIN, "A1")
        + [
            make_device(
                user=ADMIN, serial_number="P1", platform="ios", os_version="16.7", hostname="admin-iphone"
            )
        ]
    )
    found = by_resource(records)
    assert (
        found[ADMIN].status == "fail"
        and found[ADMIN].reason == "admin-iphone: ios 16.7 is older than the supported 17"
    )


def test_a_device_whose_user_a_failed_request_lost_is_unknown_not_nobodys():
    from vaultward.contract.sdk import CheckContext

    records = people() + laptop(SIGNER, "S1") + laptop("", "L1")
    gaps = {("jamf:acme", "device"): {"user": "GET /device_mapping: HTTP 503 after 5 attempts"}}
    by_kind: dict = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    found = {r.resource: r for r in signer_devices(CheckContext(by_kind, POLICY, NOW, gaps))}
    assert found["device:serial:L1"].status == "unknown"
    assert "HTTP 503" in found["device:serial:L1"].reason
    assert found[SIGNER].status == "pass"  # a device with its user named is judged as before


def test_a_version_too_coarse_for_the_floor_is_unknown_not_a_failure():
    # CrowdStrike alone names this Mac's version "14" (from "Sonoma (14)"): against a 14.6
    # floor it may be either side; against 14 it passes, and 13 is older whatever follows
    def judged(version: str, floor: str) -> tuple[str, str]:
        records = people() + [make_edr_device("F1", user=ADMIN, os_version=version, hostname="admin-mbp")]
        records[-1] = records[-1].model_copy(update={"managed": None})
        policy = Policy(people=POLICY.people, endpoints={"min_os_versions": {"macos": floor}})
        found = by_resource(records, policy)[ADMIN]
        return found.status, found.reason

    status, reason = judged("14", "14.6")
    assert (
        status != "pass" and "macos 14 is reported too coarsely to tell against the supported 14.6" in reason
    )
    assert "older than" not in reason
    assert "older than" not in judged("14", "14")[1]
    assert "macos 13 is older than the supported 14.6" in judged("13", "14.6")[1]
