"""Pure mapping from Intune's `managedDevice` (Microsoft Graph) to `Device` records.

Documented at https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice
(v1.0; `managementState` on the beta resource only). Rules:
- Key `intune:device:<id>`; `hostname` and `name` are `deviceName`, `serial_number` is
  `serialNumber`, `os_version` is `osVersion` as given, `user` is `userPrincipalName` in
  lower case (else the first `emailAddress`), `user_name` is `userDisplayName`.
- `platform` from `operatingSystem` (free text in Graph: "Windows", "iOS", "iPadOS",
  "macOS", "Android", "AndroidEnterprise", "AndroidForWork", "Linux", "ChromeOS"); any other
  value is `other:<value>` with an anomaly `operatingSystem:<value>`.
- `compliant` from `complianceState` (`COMPLIANCE`): `compliant` True; `noncompliant`,
  `conflict` (two policies disagree) and `error` False; `inGracePeriod` False too (it does
  not meet a policy; Intune merely waits before acting on it); `unknown` and `configManager`
  (Configuration Manager evaluates it, Intune does not say) None. A False names the state in
  `failing_policies` as `complianceState:<value>` (the listing does not name the policies).
- `encrypted` is `isEncrypted` (None when absent); `last_seen_at` is `lastSyncDateTime`
  (Graph's 0001-01-01 "never" is None).
- `managed` / `retired` from the beta `managementState` (`MANAGEMENT`): `managed` True,
  `retired` False; `retirePending`, `retireIssued`, `wipePending`, `wipeIssued`,
  `deletePending` managed and not retired either: Graph describes each as a command issued
  or occurring, not carried out, so the device is still enrolled, holds its data and is
  judged (Intune drops a device from the listing once it is retired or wiped; no state
  says "done"); `retireFailed` and `wipeFailed` not retired (the removal failed: the device
  is still enrolled and may be in use) and listed in `anomalies`;
  `retireCanceled` and `wipeCanceled` managed, not retired (the order was withdrawn);
  `unhealthy` managed with an anomaly; `discovered` not managed (seen, e.g. by
  Configuration Manager, but not enrolled). When the states could not be read (`states`
  None) `managed` is None; a device missing from them, or a value not documented, is None
  with an anomaly.
- `managedDeviceOwnerType`: `personal` (a BYOD device) is kept in `anomalies` as
  `managedDeviceOwnerType:personal`; `company` and `unknown` add nothing; another value is an
  anomaly too.
- `edr_running`, `contained` stay None and `edr_product` empty: the listing does not say.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vaultward.contract.records import Device

SOURCE = "intune"

PLATFORMS = {
    "windows": "windows",
    "ios": "ios",
    "ipados": "ipados",
    "macos": "macos",
    "android": "android",
    "androidenterprise": "android",
    "androidforwork": "android",
    "linux": "linux",
    "chromeos": "chromeos",
}
# complianceState -> compliant: every documented value.
COMPLIANCE: dict[str, bool | None] = {
    "compliant": True,
    "noncompliant": False,
    "conflict": False,
    "error": False,
    "inGracePeriod": False,
    "unknown": None,
    "configManager": None,
}
# managementState -> (managed, retired, anomaly): every documented value (beta).
MANAGEMENT: dict[str, tuple[bool, bool, bool]] = {
    "managed": (True, False, False),
    "retirePending": (True, False, False),
    "retireIssued": (True, False, False),
    "retireFailed": (True, False, True),
    "wipePending": (True, False, False),
    "wipeIssued": (True, False, False),
    "wipeFailed": (True, False, True),
    "deletePending": (True, False, False),
    "retireCanceled": (True, False, False),
    "wipeCanceled": (True, False, False),
    "unhealthy": (True, False, True),
    "discovered": (False, False, False),
}
OWNER_TYPES = frozenset({"company", "personal", "unknown"})
NEVER = datetime(1, 1, 1, tzinfo=UTC)  # Graph's DateTimeOffset.MinValue: never synced


def _text(raw: Mapping[str, Any], field: str) -> str:
    value = raw.get(field)
    return value.strip() if isinstance(value, str) else ""


def parse_time(value: str) -> datetime | None:
    """A Graph timestamp (`2026-11-24T08:00:00Z`, seven fractional digits allowed) as an
    aware datetime; the 0001-01-01 "never" is None. Raises ValueError when it is none."""
    text = value.replace("Z", "+00:00")
    head, dot, tail = text.partition(".")
    if dot:  # .NET writes up to seven fractional digits; Python reads six
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[: min(digits, 6)] + tail[digits:]
        text = f"{head}.{tail}"
    parsed = datetime.fromisoformat(text)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None if parsed <= NEVER else parsed


def _user(raw: Mapping[str, Any]) -> str:
    upn = _text(raw, "userPrincipalName")
    if upn:
        return upn.lower()
    emails = _text(raw, "emailAddress").replace(",", ";").split(";")
    return emails[0].strip().lower()


def map_device(raw: Mapping[str, Any], states: Mapping[str, str] | None) -> Device:
    """One managedDevice (it has an `id`: the collector skips those without). `states`:
    managementState by device id, None when it could not be read."""
    device_id = str(raw["id"])
    anomalies: list[str] = []

    system = _text(raw, "operatingSystem")
    platform = PLATFORMS.get(system.lower().replace(" ", ""), "") if system else ""
    if system and not platform:
        platform = f"other:{system}"
        anomalies.append(f"operatingSystem:{system}")

    compliance = raw.get("complianceState")
    compliant: bool | None = None
    failing: list[str] = []
    if isinstance(compliance, str) and compliance in COMPLIANCE:
        compliant = COMPLIANCE[compliance]
        if compliant is False:
            failing.append(f"complianceState:{compliance}")
    elif compliance is not None:
        anomalies.append(f"complianceState:{compliance}")

    encrypted = raw.get("isEncrypted")
    if encrypted is not None and not isinstance(encrypted, bool):
        anomalies.append(f"isEncrypted:{encrypted}")
        encrypted = None

    last_seen: datetime | None = None
    synced = raw.get("lastSyncDateTime")
    if synced not in (None, ""):
        try:
            last_seen = parse_time(synced) if isinstance(synced, str) else None
        except ValueError:
            last_seen = None
        if last_seen is None and not (isinstance(synced, str) and synced.startswith("0001-01-01")):
            anomalies.append(f"lastSyncDateTime:{synced}")

    managed: bool | None = None
    retired = False
    if states is not None:
        state = states.get(device_id, "")
        if state in MANAGEMENT:
            managed, retired, odd = MANAGEMENT[state]
            if odd:
                anomalies.append(f"managementState:{state}")
        else:
            anomalies.append(f"managementState:{state}" if state else "managementState missing")

    owner = raw.get("managedDeviceOwnerType")
    if owner == "personal" or (owner is not None and not (isinstance(owner, str) and owner in OWNER_TYPES)):
        anomalies.append(f"managedDeviceOwnerType:{owner}")

    name = _text(raw, "deviceName")
    return Device(
        key=f"{SOURCE}:device:{device_id}",
        name=name,
        source=SOURCE,
        device_id=device_id,
        serial_number=_text(raw, "serialNumber"),
        hostname=name,
        platform=platform,
        os_version=_text(raw, "osVersion"),
        user=_user(raw),
        user_name=_text(raw, "userDisplayName"),
        managed=managed,
        encrypted=encrypted,
        compliant=compliant,
        failing_policies=failing,
        last_seen_at=last_seen,
        retired=retired,
        anomalies=anomalies,
    )
