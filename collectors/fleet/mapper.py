"""Pure mapping from Fleet REST API hosts to `Device` records.

`map_host` takes a host of `GET /api/v1/fleet/hosts`, its details from
`GET /api/v1/fleet/hosts/:id` (None when that request failed: policies unknown) and its
`GET /api/v1/fleet/hosts/:id/device_mapping` entries (None when that failed: user unknown),
and returns the record (or None) plus the problems found. Nothing here does I/O.
Shapes: fleetdm.com/docs/rest-api/rest-api (docs/REST API/rest-api.md in fleetdm/fleet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collectors.timestamps import parse_time
from vaultward.contract.records import Device

SOURCE = "fleet"

# `host.platform`, osquery's platform name as Fleet stores it, to Device's platforms. Fleet's
# Linux list is `fleet.HostLinuxOSs` (server/fleet/hosts.go); "chrome" is ChromeOS (fleetd
# for Chrome); iOS, iPadOS and Android hosts are MDM-only.
LINUX = frozenset(
    {
        "linux", "ubuntu", "debian", "rhel", "centos", "sles", "kali", "gentoo", "amzn", "pop", "arch",
        "archarm", "linuxmint", "void", "nixos", "endeavouros", "manjaro", "manjaro-arm", "opensuse-leap",
        "opensuse-tumbleweed", "tuxedo", "neon", "fedora",
    }
)  # fmt: skip
PLATFORMS = {"darwin": "macos", "windows": "windows", "ios": "ios", "ipados": "ipados", "android": "android"}
PLATFORMS |= {"chrome": "chromeos"} | dict.fromkeys(LINUX, "linux")

# `mdm.enrollment_status` (Fleet's HostMDM.EnrollmentStatus, the values its UI and API show):
# "On (automatic)" enrolled through Apple Business Manager / Autopilot; "On (manual)" enrolled
# by the user or an admin; "On (personal)" a personal (BYOD) device enrolled with a work
# profile / managed Apple account; "On (company-owned)" an Android company-owned device;
# "Pending" assigned to Fleet in ABM but not enrolled yet; "Off" not enrolled. null: Fleet has
# no MDM information for the host (Linux, where Fleet has no MDM, or a host not yet reported).
ENROLLMENT = {
    "On (automatic)": True,
    "On (manual)": True,
    "On (personal)": True,
    "On (company-owned)": True,
    "Pending": False,  # not enrolled yet: nothing is enforced
    "Off": False,
}

# `policies[].response`: "pass", "fail", or "" while the host has not run the policy yet (a
# null, no response either, is read the same).
RESPONSES = frozenset({"pass", "fail", "", None})

# `mdm.device_status` (Get host: unlocked, locked, locking, unlocking, wiped, wiping): what a
# lock or wipe command left; `mdm.pending_action` (lock, unlock, wipe, or "" when nothing is
# pending): one on its way. Only "wiped" says the device is gone: "wiping" and a pending wipe
# are a command the device has not carried out (it may never check in to), and a locked
# device is still one, so each is judged as present.
DEVICE_STATUSES = frozenset({"unlocked", "locked", "locking", "unlocking", "wiped", "wiping"})
PENDING_ACTIONS = frozenset({"", "lock", "unlock", "wipe"})

# `device_mapping[].source`, most trusted first: the identity provider account the user
# signed in with at enrolment (older Fleet: "identity_provider"), the e-mail an admin set,
# the Google Chrome profiles signed in on the host. Other sources follow, in Fleet's order.
MAPPING_SOURCES = (
    "mdm_idp_accounts",
    "identity_provider",
    "idp",
    "custom",
    "custom_override",
    "google_chrome_profiles",
)


def platform_of(value: Any, anomalies: list[str]) -> str:
    name = str(value or "").strip().lower()
    if name in PLATFORMS:
        return PLATFORMS[name]
    anomalies.append(f"platform: other:{value}")
    return f"other:{value}"


def managed_of(mdm: Any, anomalies: list[str]) -> bool | None:
    """From `mdm.enrollment_status` (see ENROLLMENT); None when Fleet does not say."""
    if not isinstance(mdm, Mapping):
        return None  # no MDM block (Windows Servers): Fleet does not say
    status = mdm.get("enrollment_status")
    if status is None:
        return None
    if isinstance(status, str) and status in ENROLLMENT:
        return ENROLLMENT[status]
    anomalies.append(f"mdm.enrollment_status: other:{status}")
    return None


def encrypted_of(value: Any, anomalies: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    anomalies.append(f"disk_encryption_enabled: other:{value}")
    return None


def retired_of(mdm: Any, anomalies: list[str]) -> bool:
    """Wiped (`mdm.device_status` "wiped"). Being wiped or a wipe pending is not retired: the
    device still holds its data until it acts on the command (see DEVICE_STATUSES)."""
    if not isinstance(mdm, Mapping):
        return False
    status, pending = mdm.get("device_status"), mdm.get("pending_action")
    if status is not None and not (isinstance(status, str) and status in DEVICE_STATUSES):
        anomalies.append(f"mdm.device_status: other:{status}")
    if pending is not None and not (isinstance(pending, str) and pending in PENDING_ACTIONS):
        anomalies.append(f"mdm.pending_action: other:{pending}")
    return status == "wiped"


def compliance_of(policies: Any, anomalies: list[str]) -> tuple[bool | None, list[str]]:
    """Fleet's verdict is its policies: False when one fails (naming the failing ones), True
    when every one passes, None when one has no response yet (or one Fleet did not say),
    or when the host has no policy at all (Fleet then says nothing)."""
    if not isinstance(policies, list) or not policies:
        return None, []
    failing: list[str] = []
    unknown = False
    for policy in policies:
        if not isinstance(policy, Mapping):
            anomalies.append(f"policies: other:{policy}")
            unknown = True
            continue
        response = policy.get("response")
        name = str(policy.get("name") or policy.get("id") or "unnamed policy")
        if response == "fail":
            failing.append(name)
        elif response != "pass":
            if not (response is None or isinstance(response, str)) or response not in RESPONSES:
                anomalies.append(f"policies[{name}].response: other:{response}")
            unknown = True
    if failing:
        return False, failing
    return (None if unknown else True), []


def user_of(mapping: Sequence[Any], anomalies: list[str]) -> str:
    """The end user's e-mail: the most trusted source's (MAPPING_SOURCES); several different
    e-mails keep that one and note the others in `anomalies`."""
    entries = [
        (entry.get("source"), entry["email"].strip().lower())
        for entry in mapping
        if isinstance(entry, Mapping) and isinstance(entry.get("email"), str) and entry["email"].strip()
    ]

    def rank(item: tuple[int, tuple[Any, str]]) -> tuple[int, int]:
        index, (source, _) = item
        known = MAPPING_SOURCES.index(source) if source in MAPPING_SOURCES else len(MAPPING_SOURCES)
        return known, index

    emails: list[str] = []
    for _, (_, email) in sorted(enumerate(entries), key=rank):
        if email not in emails:
            emails.append(email)
    if len(emails) > 1:
        anomalies.append(f"device_mapping: several users ({', '.join(emails)}); kept {emails[0]}")
    return emails[0] if emails else ""


def map_host(
    host: Mapping[str, Any],
    details: Mapping[str, Any] | None,
    mapping: Sequence[Any] | None,
) -> tuple[Device | None, list[str]]:
    """One host as a Device. `details`: the host as `GET /hosts/:id` returns it (None: that
    request failed, so the policies are unknown); `mapping`: its device_mapping entries
    (None: that request failed, so the user is unknown). A host without an id is skipped."""
    problems: list[str] = []
    host_id = host.get("id")
    if host_id is None or isinstance(host_id, bool) or str(host_id).strip() == "":
        return None, [f"fleet host {host.get('hostname')!r}: no id, skipped"]
    merged = {**host, **(details or {})}
    anomalies: list[str] = []
    label = f"fleet host {host_id} ({merged.get('hostname') or merged.get('computer_name') or 'no hostname'})"
    try:
        last_seen = parse_time(merged.get("seen_time"))
    except ValueError:
        problems.append(f"{label}: seen_time {merged.get('seen_time')!r} is not a timestamp")
        last_seen = None
    compliant, failing = compliance_of(details.get("policies") if details is not None else None, anomalies)
    record = Device(
        key=f"fleet:device:{host_id}",
        source=SOURCE,
        device_id=str(host_id),
        serial_number=str(merged.get("hardware_serial") or ""),
        hostname=str(merged.get("hostname") or merged.get("computer_name") or ""),
        platform=platform_of(merged.get("platform"), anomalies),
        os_version=str(merged.get("os_version") or ""),
        user=user_of(mapping, anomalies) if mapping is not None else "",
        managed=managed_of(merged.get("mdm"), anomalies),
        encrypted=encrypted_of(merged.get("disk_encryption_enabled"), anomalies),
        compliant=compliant,
        failing_policies=failing,
        edr_running=None,  # Fleet does not say whether an EDR sensor runs
        last_seen_at=last_seen,
        retired=retired_of(merged.get("mdm"), anomalies),
        anomalies=anomalies,
    )
    problems += [f"{label}: unknown {anomaly}" for anomaly in anomalies if "other:" in anomaly]
    return record, problems
