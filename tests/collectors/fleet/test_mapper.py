"""The Fleet mapper over the documented examples, and every documented value of each field
it maps: platforms, MDM enrolment statuses, disk encryption, policy responses, device
statuses and pending actions, device-mapping sources."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.fleet import mapper
from tests.collectors.fleet.payloads import load
from vaultward.contract.records import Device


def host(**changes) -> dict:
    return {**load("list_hosts.json")["hosts"][0], **changes}


def test_the_documented_get_host_example():
    details = load("host.json")["host"]
    listed = {k: v for k, v in details.items() if k not in ("policies", "disk_encryption_enabled")}
    record, problems = mapper.map_host(listed, details, load("device_mapping.json")["device_mapping"])
    assert problems == []
    assert record == Device(
        key="fleet:device:1",
        source="fleet",
        device_id="1",
        serial_number="",
        hostname="23cfc9caacf0",
        platform="linux",  # rhel
        os_version="CentOS Linux 8.3.2011",
        user="user@example.com",  # the same e-mail from three sources: one user, no note
        managed=True,  # On (manual)
        encrypted=True,
        compliant=False,
        failing_policies=["SomeQuery2"],  # SomeQuery3 has no response yet; a fail decides anyway
        last_seen_at=datetime(2021, 8, 19, 21, 14, 58, tzinfo=UTC),
    )


def test_the_documented_ubuntu_host_with_no_mdm_information():
    details = load("host_by_identifier.json")["host"]
    record, problems = mapper.map_host(details, details, [])
    assert problems == []
    assert record is not None
    assert (record.platform, record.os_version, record.managed, record.user) == (
        "linux",
        "Ubuntu 20.04.3 LTS",
        None,  # enrollment_status null: Fleet does not say
        "",  # no device mapping: nobody's
    )
    assert (record.compliant, record.failing_policies) == (False, ["Full disk encryption enabled (macOS)"])
    assert record.encrypted is None  # the example leaves disk_encryption_enabled out
    assert record.retired is False  # a lock is pending, not a wipe


def test_the_listing_alone_keeps_the_policies_unknown():
    """The details request failed: the listing's fields stand, policies are unknown."""
    record, problems = mapper.map_host(host(), None, None)
    assert problems == []
    assert record is not None
    assert (record.compliant, record.failing_policies, record.encrypted, record.user) == (None, [], None, "")
    assert (record.platform, record.managed) == ("linux", False)  # centos; Pending


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("darwin", "macos"),
        ("windows", "windows"),
        ("ios", "ios"),
        ("ipados", "ipados"),
        ("android", "android"),
        ("chrome", "chromeos"),
        *[(name, "linux") for name in sorted(mapper.LINUX)],
    ],
)
def test_platforms(platform, expected):
    record, problems = mapper.map_host(host(platform=platform), None, None)
    assert record is not None and (record.platform, record.anomalies, problems) == (expected, [], [])


@pytest.mark.parametrize("platform", ["freebsd", "", None])
def test_an_unknown_platform_is_kept_verbatim_and_reported(platform):
    record, problems = mapper.map_host(host(platform=platform), None, None)
    assert record is not None
    assert record.platform == f"other:{platform}"
    assert record.anomalies == [f"platform: other:{platform}"]
    assert problems == [f"fleet host 1 (2ceca32fe484): unknown platform: other:{platform}"]


@pytest.mark.parametrize(
    ("status", "managed"),
    [
        ("On (automatic)", True),
        ("On (manual)", True),
        ("On (personal)", True),
        ("On (company-owned)", True),
        ("Pending", False),
        ("Off", False),
        (None, None),
    ],
)
def test_mdm_enrollment_statuses(status, managed):
    record, problems = mapper.map_host(host(mdm={"enrollment_status": status}), None, None)
    assert record is not None and (record.managed, record.anomalies, problems) == (managed, [], [])


def test_no_mdm_block_and_an_unknown_enrollment_status():
    record, _ = mapper.map_host(host(mdm=None), None, None)  # Windows Servers: mdm null
    assert record is not None and record.managed is None
    record, problems = mapper.map_host(host(mdm={"enrollment_status": "On (shared)"}), None, None)
    assert record is not None
    assert (record.managed, record.anomalies) == (None, ["mdm.enrollment_status: other:On (shared)"])
    assert problems == ["fleet host 1 (2ceca32fe484): unknown mdm.enrollment_status: other:On (shared)"]


@pytest.mark.parametrize(("value", "encrypted"), [(True, True), (False, False), (None, None)])
def test_disk_encryption(value, encrypted):
    details = {"disk_encryption_enabled": value, "policies": []}
    record, problems = mapper.map_host(host(), details, None)
    assert record is not None and (record.encrypted, problems) == (encrypted, [])


def test_a_disk_encryption_value_that_is_not_a_boolean():
    record, problems = mapper.map_host(host(), {"disk_encryption_enabled": "yes"}, None)
    assert record is not None and (record.encrypted, record.anomalies) == (
        None,
        ["disk_encryption_enabled: other:yes"],
    )
    assert len(problems) == 1


def policies(*responses) -> list[dict]:
    return [{"id": n, "name": f"P{n}", "response": response} for n, response in enumerate(responses, 1)]


@pytest.mark.parametrize(
    ("responses", "compliant", "failing"),
    [
        (("pass", "pass"), True, []),
        (("pass", "fail", "fail"), False, ["P2", "P3"]),
        (("pass", ""), None, []),  # not run yet: not a pass
        (("fail", ""), False, ["P1"]),
        (("pass", None), None, []),
        ((), None, []),  # no policy: Fleet says nothing
    ],
)
def test_policy_responses(responses, compliant, failing):
    record, problems = mapper.map_host(host(), {"policies": policies(*responses)}, None)
    assert record is not None and (record.compliant, record.failing_policies, problems) == (
        compliant,
        failing,
        [],
    )


def test_an_unknown_policy_response_is_unknown_and_reported():
    record, problems = mapper.map_host(host(), {"policies": policies("pass", "error")}, None)
    assert record is not None and (record.compliant, record.anomalies) == (
        None,
        ["policies[P2].response: other:error"],
    )
    assert problems == ["fleet host 1 (2ceca32fe484): unknown policies[P2].response: other:error"]


@pytest.mark.parametrize(
    ("device_status", "pending", "retired"),
    [
        ("unlocked", "", False),
        ("locked", "", False),
        ("locking", "lock", False),
        ("unlocking", "unlock", False),
        # a wipe ordered or under way is not a retired device: it still holds its data until
        # it carries the command out, and may never check in to do so
        ("unlocked", "wipe", False),
        ("wiping", "wipe", False),
        ("wiping", "", False),
        ("locked", "wipe", False),
        ("wiped", "", True),
        (None, None, False),
    ],
)
def test_device_statuses_and_pending_actions(device_status, pending, retired):
    mdm = {"enrollment_status": "On (manual)", "device_status": device_status, "pending_action": pending}
    record, problems = mapper.map_host(host(mdm=mdm), None, None)
    assert record is not None and (record.retired, problems) == (retired, [])


@pytest.mark.parametrize(
    ("entries", "user", "anomalies"),
    [
        ([], "", []),
        ([{"email": "Ann@Acme.example", "source": "custom"}], "ann@acme.example", []),
        (
            [
                {"email": "ann.home@gmail.example", "source": "google_chrome_profiles"},
                {"email": "ann@acme.example", "source": "identity_provider"},
            ],
            "ann@acme.example",  # the identity provider's first
            [
                "device_mapping: several users (ann@acme.example, ann.home@gmail.example); kept ann@acme.example"
            ],
        ),
        (
            [
                {"email": "bo@acme.example", "source": "mdm_idp_accounts"},
                {"email": "x@acme.example", "source": "custom"},
            ],
            "bo@acme.example",
            ["device_mapping: several users (bo@acme.example, x@acme.example); kept bo@acme.example"],
        ),
        ([{"email": "", "source": "custom"}, {"source": "custom"}], "", []),
    ],
)
def test_device_mapping(entries, user, anomalies):
    record, problems = mapper.map_host(host(), None, entries)
    assert record is not None and (record.user, record.anomalies, problems) == (user, anomalies, [])


def test_a_host_without_an_id_is_skipped_and_a_bad_seen_time_reported():
    record, problems = mapper.map_host(host(id=None), None, None)
    assert (record, problems) == (None, ["fleet host '2ceca32fe484': no id, skipped"])
    record, problems = mapper.map_host(host(seen_time="yesterday"), None, None)
    assert record is not None and record.last_seen_at is None
    assert problems == ["fleet host 1 (2ceca32fe484): seen_time 'yesterday' is not a timestamp"]
