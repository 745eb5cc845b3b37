"""Pure mapping from CrowdStrike Falcon host details (`POST /devices/entities/devices/v2`
resources) to `Device` records, plus the problems found. Nothing here does I/O.

The vendor's values, as documented for the Hosts API and its FQL filters
(https://developer.crowdstrike.com/api-reference/collections/hosts/, falconpy's Hosts
documentation, gofalcon's `deviceapi.DeviceSwagger`):

- `status`, the host's containment status: `normal` (not contained), `containment_pending`
  (containment ordered; the host isolates itself when its sensor next checks in),
  `contained` (network contained: only the Falcon cloud reachable) and
  `lift_containment_pending` (the lift is ordered; the host stays isolated until its
  sensor acknowledges it). Compared case-insensitively (FQL examples write "Normal").
- `reduced_functionality_mode`: `yes` (the sensor runs with reduced protection, typically
  an unsupported kernel or OS update), `no`, or `Unknown`.
- `platform_name`: `Windows`, `Mac`, `Linux`; Falcon for Mobile hosts `iOS`, `Android`;
  the ChromeOS sensor `ChromeOS`.
- OS version: `os_version` is a product name, not a version ("Windows 11", "Sonoma (14)",
  "RHEL 9.4"); `major_version` / `minor_version` are the kernel's (Windows NT "10"/"0" for
  both Windows 10 and 11, Darwin "24"/"1" on a Mac) and `os_build` the build ("22631" on
  Windows, "24B83" on a Mac); `kernel_version` the kernel's full version (fields of
  `deviceapi.DeviceSwagger`). So `Device.os_version` is: on Windows the NT version
  `major.minor.os_build` ("10.0.22631", or `kernel_version` when it extends exactly that,
  "10.0.22631.4460"), comparable with the `windows` floor and Intune's version; on a Mac the
  version Falcon writes in the product name's parentheses ("14" from "Sonoma (14)", "10.14"
  from "Mojave (10.14)"), never derived from Darwin's numbers (their minor versions do not
  follow macOS's); elsewhere `os_version` as given (a distribution's own version,
  "RHEL 9.4", the form Fleet reports). Where no comparable version can be read it is ""
  (unknown), never a guess; the product name is kept in `os_name`.
- `device_policies.prevention`: the prevention policy mapped to the host, by `policy_id`,
  with `applied` (false while the host has not yet taken it). The Hosts API gives no policy
  name: that needs "Prevention policies: Read", beyond the least-privilege client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from collectors.timestamps import parse_time
from vaultward.contract.records import Device

SOURCE = "crowdstrike"

# status -> network contained. Every documented state other than `normal` means an incident
# response holds or is about to hold the host isolated.
CONTAINMENT = {
    "normal": False,
    "containment_pending": True,
    "contained": True,
    "lift_containment_pending": True,
}
# reduced_functionality_mode -> the sensor is in reduced functionality mode (None: not known).
REDUCED_FUNCTIONALITY = {"yes": True, "no": False, "unknown": None}
PLATFORMS = {
    "windows": "windows",
    "mac": "macos",
    "linux": "linux",
    "ios": "ios",
    "android": "android",
    "chromeos": "chromeos",
}
REDUCED_MODE = "sensor in reduced functionality mode"


def _text(raw: Mapping[str, Any], field: str) -> str:
    value = raw.get(field)
    return value.strip() if isinstance(value, str) else ""


_NUMBER = re.compile(r"\d+")
_DOTTED = re.compile(r"\d+(?:\.\d+)+")
_PARENTHESISED = re.compile(r"\((\d+(?:\.\d+)*)\)\s*$")


def os_version_of(raw: Mapping[str, Any], platform: str) -> str:
    """The host's OS version in a form the `min_os_versions` floors compare (see the module
    docstring); "" when Falcon's fields do not give one."""
    if platform == "windows":
        major, minor, build = (_text(raw, field) for field in ("major_version", "minor_version", "os_build"))
        if not all(_NUMBER.fullmatch(part) for part in (major, minor, build)):
            return ""
        version = f"{major}.{minor}.{build}"
        kernel = _text(raw, "kernel_version")
        return kernel if _DOTTED.fullmatch(kernel) and kernel.startswith(f"{version}.") else version
    product = _text(raw, "os_version")
    if platform == "macos":
        found = _PARENTHESISED.search(product)
        return found.group(1) if found else ""
    return product


def _edr_running(contained: bool | None, status: str, reduced: bool | None) -> bool | None:
    """Reporting and healthy: status normal and not in reduced functionality mode. Reduced
    mode or containment (said by `contained`) say no; an unknown status or mode leaves it
    unknown."""
    if reduced is True:
        return False
    if contained is None:
        return None
    if status != "normal":
        return False
    return None if reduced is None else True


def map_device(raw: Mapping[str, Any]) -> tuple[Device | None, list[str]]:
    """One host's details as a `Device`. A host without a `device_id` is skipped (a problem);
    a value the mapper does not know is kept as "other:<value>" (or left unknown) and listed
    in `anomalies` and the problems."""
    device_id = _text(raw, "device_id")
    hostname = _text(raw, "hostname")
    where = f"crowdstrike host {device_id or '?'} ({hostname or 'no hostname'})"
    if not device_id:
        return None, [f"{where}: no device_id, skipped"]
    anomalies: list[str] = []
    failing: list[str] = []

    vendor_status = _text(raw, "status")
    status = vendor_status.lower()
    contained = CONTAINMENT.get(status)
    if contained is None and vendor_status:
        anomalies.append(f"unknown status {vendor_status!r}: containment and sensor health unknown")

    vendor_mode = _text(raw, "reduced_functionality_mode")
    mode = vendor_mode.lower()
    reduced = REDUCED_FUNCTIONALITY.get(mode)
    if mode and mode not in REDUCED_FUNCTIONALITY:
        anomalies.append(f"unknown reduced_functionality_mode {vendor_mode!r}: sensor health unknown")
    if reduced:
        failing.append(REDUCED_MODE)

    vendor_platform = _text(raw, "platform_name")
    platform = PLATFORMS.get(vendor_platform.lower(), "")
    if vendor_platform and not platform:
        platform = f"other:{vendor_platform}"
        anomalies.append(f"unknown platform_name {vendor_platform!r}")

    policy, problem = _prevention_policy(raw.get("device_policies"))
    if problem:
        failing.append(problem)

    problems = [f"{where}: {anomaly}" for anomaly in anomalies]
    try:
        last_seen = parse_time(raw.get("last_seen"))
    except ValueError:
        problems.append(f"{where}: last_seen {raw.get('last_seen')!r} is not a timestamp")
        anomalies.append(f"last_seen {raw.get('last_seen')!r} is not a timestamp")
        last_seen = None

    record = Device(
        key=f"{SOURCE}:device:{device_id}",
        name=hostname or device_id,
        source=SOURCE,
        device_id=device_id,
        serial_number=_text(raw, "serial_number"),
        hostname=hostname,
        platform=platform,
        os_version=os_version_of(raw, platform),
        os_name=_text(raw, "os_version"),
        # As the sensor saw the last sign-in: an e-mail, a UPN or DOMAIN\user; the alias
        # table (policy.people) ties a DOMAIN\user form to the person.
        user=_text(raw, "last_login_user"),
        managed=None,  # an EDR enforces no device settings: it does not say
        edr_running=_edr_running(contained, status, reduced),
        edr_product=SOURCE,
        edr_policy=policy,
        contained=contained,
        failing_policies=failing,
        last_seen_at=last_seen,
        anomalies=anomalies,
    )
    return record, problems


def _prevention_policy(policies: Any) -> tuple[str, str]:
    """The applied prevention policy's id, and what fails when none is applied ("" when
    fine). No prevention entry at all: the API does not say, nothing is claimed."""
    prevention = policies.get("prevention") if isinstance(policies, Mapping) else None
    if not isinstance(prevention, Mapping):
        return "", ""
    policy_id = prevention.get("policy_id")
    policy_id = policy_id.strip() if isinstance(policy_id, str) else ""
    if prevention.get("applied") is True:
        return policy_id, ""
    return "", f"prevention policy {policy_id or '?'} assigned, not applied"
