"""CrowdStrike mapper from payloads shaped like the Hosts API's: every documented containment
status crossed with every reduced-functionality value, every platform, the prevention
policy applied or not, and values the mapper does not know (kept, reported, never a pass)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from collectors.crowdstrike import mapper
from tests.collectors.crowdstrike.payloads import hosts
from vaultward.contract.records import Device

POLICY = "b7e1f0c2a3d44e5f8a9b0c1d2e3f4a5b"


def host(**fields: Any) -> dict[str, Any]:
    """The first documented host with `fields` changed (None: the field left out)."""
    raw = dict(hosts()[0], **fields)
    return {key: value for key, value in raw.items() if value is not None}


def test_documented_hosts_map_to_devices():
    mapped = [mapper.map_device(raw) for raw in hosts()]
    assert mapped == [
        (
            Device(
                key="crowdstrike:device:4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5",
                name="FIN-LT-0042",
                source="crowdstrike",
                device_id="4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5",
                serial_number="PF3ABC12",
                hostname="FIN-LT-0042",
                platform="windows",
                os_version="10.0.22631.4460",  # kernel_version, extending 10.0 and os_build 22631
                os_name="Windows 11",
                user="CORP\\jdoe",  # as the sensor saw it: the alias table maps it
                managed=None,
                edr_running=True,
                edr_product="crowdstrike",
                edr_policy=POLICY,
                contained=False,
                last_seen_at=datetime(2026, 11, 23, 9, 14, 5, tzinfo=UTC),
            ),
            [],
        ),
        (
            Device(
                key="crowdstrike:device:6a7b8c9d0e1f42a3b4c5d6e7f8091a2b",
                name="ops-mbp-7",
                source="crowdstrike",
                device_id="6a7b8c9d0e1f42a3b4c5d6e7f8091a2b",
                serial_number="C02XK1ABJGH5",
                hostname="ops-mbp-7",
                platform="macos",
                os_version="15",
                os_name="Sequoia (15)",
                user="ops.lead@acme.example",
                edr_running=False,
                edr_product="crowdstrike",
                edr_policy="",
                contained=False,
                failing_policies=[
                    "sensor in reduced functionality mode",
                    "prevention policy a9a8a7a6a5a4a3a2a1a0b9b8b7b6b5b4 assigned, not applied",
                ],
                last_seen_at=datetime(2026, 11, 22, 18, 40, 33, tzinfo=UTC),
            ),
            [],
        ),
        (
            Device(
                key="crowdstrike:device:9f8e7d6c5b4a43210fedcba987654321",
                name="build-runner-03",
                source="crowdstrike",
                device_id="9f8e7d6c5b4a43210fedcba987654321",
                hostname="build-runner-03",
                platform="linux",
                os_version="RHEL 9.4",
                os_name="RHEL 9.4",
                edr_running=False,  # contained: an incident holds it, whatever the mode
                edr_product="crowdstrike",
                contained=True,
                last_seen_at=datetime(2026, 11, 23, 9, 10, tzinfo=UTC),
            ),
            [],
        ),
    ]


# Every documented status x every reduced_functionality_mode value (and the mode absent):
# (contained, edr_running, failing_policies).
RFM = "sensor in reduced functionality mode"
CASES = [
    ("normal", "no", False, True, []),
    ("normal", "yes", False, False, [RFM]),
    ("normal", "Unknown", False, None, []),
    ("normal", None, False, None, []),
    ("containment_pending", "no", True, False, []),
    ("containment_pending", "yes", True, False, [RFM]),
    ("containment_pending", "Unknown", True, False, []),
    ("contained", "no", True, False, []),
    ("contained", "yes", True, False, [RFM]),
    ("contained", "Unknown", True, False, []),
    ("lift_containment_pending", "no", True, False, []),
    ("lift_containment_pending", "yes", True, False, [RFM]),
    ("lift_containment_pending", "Unknown", True, False, []),
    ("Normal", "No", False, True, []),  # FQL's examples write "Normal": case does not matter
    (None, "no", None, None, []),  # the API does not say: nothing is claimed
    (None, "yes", None, False, [RFM]),  # reduced functionality is a failure on its own
]


@pytest.mark.parametrize(("status", "mode", "contained", "running", "failing"), CASES)
def test_status_and_reduced_functionality_mode(status, mode, contained, running, failing):
    record, problems = mapper.map_device(host(status=status, reduced_functionality_mode=mode))
    assert record is not None and problems == []
    assert (record.contained, record.edr_running, record.failing_policies) == (contained, running, failing)
    assert record.anomalies == []


@pytest.mark.parametrize(
    ("vendor", "platform"),
    [
        ("Windows", "windows"),
        ("Mac", "macos"),
        ("Linux", "linux"),
        ("iOS", "ios"),
        ("Android", "android"),
        ("ChromeOS", "chromeos"),
        (None, ""),
    ],
)
def test_platforms(vendor, platform):
    record, problems = mapper.map_device(host(platform_name=vendor))
    assert record is not None and (record.platform, record.anomalies, problems) == (platform, [], [])


def test_unknown_values_are_kept_and_reported_never_a_pass():
    raw = host(status="isolated", reduced_functionality_mode="partial", platform_name="K8S")
    record, problems = mapper.map_device(raw)
    assert record is not None
    assert (record.contained, record.edr_running, record.platform) == (None, None, "other:K8S")
    assert record.anomalies == [
        "unknown status 'isolated': containment and sensor health unknown",
        "unknown reduced_functionality_mode 'partial': sensor health unknown",
        "unknown platform_name 'K8S'",
    ]
    where = "crowdstrike host 4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5 (FIN-LT-0042)"
    assert problems == [f"{where}: {anomaly}" for anomaly in record.anomalies]


def test_unknown_mode_on_a_normal_host_leaves_the_sensor_unknown():
    record, _ = mapper.map_device(host(reduced_functionality_mode="partial"))
    assert record is not None and (record.contained, record.edr_running) == (False, None)


@pytest.mark.parametrize(
    ("policies", "edr_policy", "failing"),
    [
        ({"prevention": {"policy_id": POLICY, "policy_type": "prevention", "applied": True}}, POLICY, []),
        (
            {"prevention": {"policy_id": POLICY, "policy_type": "prevention", "applied": False}},
            "",
            [f"prevention policy {POLICY} assigned, not applied"],
        ),
        (
            {"prevention": {"policy_id": POLICY, "policy_type": "prevention"}},  # `applied` omitted: false
            "",
            [f"prevention policy {POLICY} assigned, not applied"],
        ),
        ({"sensor_update": {"policy_id": "x", "applied": True}}, "", []),  # no prevention entry
        (None, "", []),  # no device_policies: the API does not say
        ("garbled", "", []),
    ],
)
def test_prevention_policy(policies, edr_policy, failing):
    record, _ = mapper.map_device(host(device_policies=policies))
    assert record is not None and (record.edr_policy, record.failing_policies) == (edr_policy, failing)


def test_user_is_kept_as_the_sensor_saw_it():
    for user in ("ACME\\carol", "carol@acme.example", "carol"):
        record, _ = mapper.map_device(host(last_login_user=f" {user} "))
        assert record is not None and record.user == user
    record, _ = mapper.map_device(host(last_login_user=None))
    assert record is not None and record.user == ""


def test_a_host_without_device_id_is_skipped():
    assert mapper.map_device(host(device_id=None)) == (
        None,
        ["crowdstrike host ? (FIN-LT-0042): no device_id, skipped"],
    )


def test_a_bad_last_seen_is_unknown_and_reported():
    record, problems = mapper.map_device(host(last_seen="yesterday"))
    assert record is not None and record.last_seen_at is None
    assert problems == [
        "crowdstrike host 4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5 (FIN-LT-0042): last_seen 'yesterday' is not a timestamp"
    ]
    assert record.anomalies == ["last_seen 'yesterday' is not a timestamp"]
    record, problems = mapper.map_device(host(last_seen=None, hostname=None))
    assert record is not None and (record.last_seen_at, record.name, problems) == (
        None,
        "4c5e2d8a1b3f47e6a9d0c2b1e8f7a6d5",
        [],
    )


WINDOWS = {
    "platform_name": "Windows",
    "os_version": "Windows 10",
    "major_version": "10",
    "minor_version": "0",
}


@pytest.mark.parametrize(
    ("fields", "version"),
    [
        # Windows: the NT version and the build, never the product name's "10" or "11"
        ({**WINDOWS, "os_build": "19045", "kernel_version": None}, "10.0.19045"),
        ({**WINDOWS, "os_build": "19045", "kernel_version": "10.0.19045.5131"}, "10.0.19045.5131"),
        ({**WINDOWS, "os_build": "19045", "kernel_version": "10.0.22631.4460"}, "10.0.19045"),  # disagrees
        ({**WINDOWS, "os_build": "19045", "kernel_version": "10.0.19045.5131 (WinBuild)"}, "10.0.19045"),
        ({**WINDOWS, "os_version": "Windows 11", "os_build": None, "kernel_version": None}, ""),
        ({**WINDOWS, "os_build": "19045", "major_version": None, "kernel_version": None}, ""),
        ({**WINDOWS, "os_build": "22H2", "kernel_version": None}, ""),
        # macOS: the version in the product name's parentheses, not Darwin's 23.6
        (
            {
                "platform_name": "Mac",
                "os_version": "Sonoma (14)",
                "major_version": "23",
                "minor_version": "6",
            },
            "14",
        ),
        (
            {
                "platform_name": "Mac",
                "os_version": "Mojave (10.14)",
                "major_version": "18",
                "minor_version": "7",
            },
            "10.14",
        ),
        ({"platform_name": "Mac", "os_version": "Sonoma", "major_version": "23", "minor_version": "6"}, ""),
        # a distribution's own version, the form Fleet reports too
        (
            {"platform_name": "Linux", "os_version": "Ubuntu 22.04", "kernel_version": "5.15.0-126-generic"},
            "Ubuntu 22.04",
        ),
    ],
)
def test_os_version_is_a_comparable_version_or_unknown(fields, version):
    record, problems = mapper.map_device(host(**fields))
    assert record is not None and problems == []
    assert (record.os_version, record.os_name) == (version, fields["os_version"])
