from datetime import timedelta

from checks.detection.edr_coverage import edr_coverage
from tests.checks.run import run, statuses, with_incomplete_listing
from tests.factories import NOW, make_device, make_edr_device, make_identity
from vaultward.contract.testing import evaluate_check


def test_every_device_is_judged_by_what_the_edr_says():
    records = [
        make_identity(
            key="okta:1", source="okta", scope="okta:acme", email="admin@acme.example", privileged=True
        ),
        make_device(user="admin@acme.example", serial_number="A1"),
        make_edr_device("A1"),
        make_device(user="dev@acme.example", serial_number="D1"),
        make_edr_device("D1", edr_running=False),
        make_device(user="ops@acme.example", serial_number="N1"),  # only the device manager lists it
        make_device(user="", serial_number="U1"),
        make_edr_device("U1", edr_running=None),
        make_device(user="old@acme.example", serial_number="R1", retired=True),
        make_device(user="lab@acme.example", serial_number="Q1", last_seen_at=NOW - timedelta(hours=1)),
        make_edr_device("Q1", last_seen_at=NOW - timedelta(days=20)),
        # a sensor that went quiet long ago, on a machine only the EDR lists
        make_edr_device("S1", user="lab@acme.example", last_seen_at=NOW - timedelta(days=180)),
        make_edr_device("T1", user="lab@acme.example", last_seen_at=None),
    ]
    found = {r.resource: r for r in run(edr_coverage, records)}
    assert {k: r.status for k, r in found.items()} == {
        "device:serial:A1": "pass",
        "device:serial:D1": "fail",
        "device:serial:N1": "fail",
        "device:serial:U1": "unknown",
        "device:serial:R1": "skipped",
        "device:serial:Q1": "fail",
        "device:serial:S1": "fail",
        "device:serial:T1": "unknown",
    }
    assert "EDR sensor last reported 180 days ago" in found["device:serial:S1"].reason
    assert "crowdstrike does not say when its sensor last reported" in found["device:serial:T1"].reason
    assert "admin@acme.example (signer or administrator)" in found["device:serial:A1"].reason
    assert found["device:serial:A1"].evidence["signer_or_admin"] is True
    assert found["device:serial:N1"].reason.endswith("no EDR sensor seen (crowdstrike does not list it)")
    assert "tied to no person" in found["device:serial:U1"].reason
    assert "EDR sensor silent for 19 days while the device was in use" in found["device:serial:Q1"].reason


def test_without_an_edr_source_nothing_is_a_pass_or_a_fail():
    records = [make_device(user="dev@acme.example", serial_number="D1", edr_running=True)]
    found = run(edr_coverage, records)
    assert [r.status for r in found] == ["unknown"]
    assert "no EDR source is connected (crowdstrike)" in found[0].reason


def test_the_policy_names_the_edr_sources():
    from vaultward.config.policy import Policy

    records = [
        make_device(
            serial_number="D1", source="sentinelone", key="s1:device:1", managed=None, edr_running=True
        ),
        make_device(serial_number="D1"),
    ]
    assert statuses(edr_coverage, records) == {"device:serial:D1": "unknown"}
    policy = Policy(endpoints={"edr_sources": ["sentinelone"]})
    assert statuses(edr_coverage, records, policy=policy) == {"device:serial:D1": "pass"}


def test_no_device_collected_is_no_data_and_an_incomplete_listing_unknown():
    assert [r.status for r in evaluate_check(edr_coverage, [])] == ["unknown"]
    records = [make_device(serial_number="D1"), make_edr_device("D1")]
    stale = evaluate_check(edr_coverage, records, now=NOW, stale=True)
    assert [r.status for r in stale] == ["unknown"]
    cut = with_incomplete_listing(edr_coverage, records, "device")
    assert [(r.status, r.evidence["status_if_fresh"]) for r in cut] == [("unknown", "pass")]
    assert "device listing" in cut[0].reason and "page 3 refused" in cut[0].reason


def test_phones_are_not_expected_to_run_an_edr_unless_the_policy_says_so():
    from vaultward.config.policy import Policy

    records = [
        make_device(user="dev@acme.example", serial_number="P1", platform="ios", os_version="18.1"),
        make_device(user="dev@acme.example", serial_number="L1"),
        make_edr_device("L1"),
    ]
    found = {r.resource: r for r in run(edr_coverage, records)}
    assert {k: r.status for k, r in found.items()} == {
        "device:serial:P1": "skipped",
        "device:serial:L1": "pass",
    }
    assert "edr_platforms" in found["device:serial:P1"].reason
    policy = Policy(endpoints={"edr_platforms": ["macos", "ios"]})
    assert statuses(edr_coverage, records, policy=policy)["device:serial:P1"] == "fail"
