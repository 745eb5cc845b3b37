"""Endpoint records: the laptops and phones people work from, as device managers and EDRs see
them, and the identity providers' log entries that can signal a taken-over account.

Mappers record what the vendor says and nothing more: a field the vendor does not report
stays None ("the source does not say"), never False; a vendor value the mapper does not know
is kept verbatim as "other:<value>" and listed in `anomalies`, never dropped or guessed.
Which person a device or event belongs to is derived at evaluation from `user` through the
same alias table as identities (`vaultward.derived.people.Directory.email_of`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from vaultward.contract.records.base import Record, record_kind

# The platforms a mapper records; any other vendor value is "other:<value>" (in anomalies).
PLATFORMS = ("macos", "windows", "linux", "ios", "ipados", "android", "chromeos")


@record_kind("device")
class Device(Record):
    """One computer or phone in one source (Fleet, Jamf Pro, Intune, CrowdStrike Falcon).
    `key` is `<source>:device:<vendor id>`; the same machine seen by two sources is joined by
    `serial_number` (else hostname) at evaluation."""

    source: str  # fleet | jamf | intune | crowdstrike | a plugin's name
    device_id: str  # the vendor's id: Fleet host id, Jamf computer id, Intune device id, Falcon AID
    serial_number: str = ""  # hardware serial: joins one machine across sources
    hostname: str = ""
    platform: str = ""  # one of PLATFORMS, or "other:<vendor value>"
    # A version the OS floors can compare: "14.6.1", "10.0.22631.4037", "22.04"; "" when the
    # source gives none (CrowdStrike's "Windows 11" is a product name, not a version).
    os_version: str = ""
    os_name: str = (
        ""  # the OS as the source names it, when that is not the version: "Windows 11", "Sonoma (14)"
    )
    user: str = ""  # the device's user as the source names them: e-mail or UPN ("" when none)
    user_name: str = ""  # their display name, when the source gives one
    # Enrolled in a device manager that can enforce settings (Fleet MDM enrolled, Jamf
    # "managed", Intune managementState managed). None: this source does not say (an EDR).
    managed: bool | None = None
    # Full-disk encryption on (FileVault, BitLocker, LUKS). None: the source does not say.
    encrypted: bool | None = None
    # The source's own compliance verdict (Intune complianceState, Fleet: every policy
    # passes); `failing_policies` names what fails.
    compliant: bool | None = None
    failing_policies: list[str] = Field(default_factory=list)
    # An EDR sensor is installed and reporting in a healthy state (CrowdStrike: status
    # normal, not in reduced functionality mode). None: the source does not say.
    edr_running: bool | None = None
    edr_product: str = ""  # "crowdstrike", or what a device manager says is installed
    edr_policy: str = ""  # the EDR's prevention policy applied, by name
    contained: bool | None = None  # network-contained by the EDR: an incident in progress
    last_seen_at: AwareDatetime | None = None  # last check-in / sync / contact
    retired: bool = False  # the vendor says it is retired or wiped: done, not merely ordered
    anomalies: list[str] = Field(default_factory=list)


SigninEventType = Literal["factor_enrolled", "factor_reset", "factor_removed", "signin", "signin_failed"]


@record_kind("signin_event")
class SigninEvent(Record):
    """One identity-provider log entry that can signal an account takeover: a factor enrolled,
    reset or removed, or a sign-in. `key` is `<source>:event:<vendor event id>`."""

    source: str  # okta | entra | google_workspace
    event_type: SigninEventType
    vendor_event: str  # the vendor's own type, verbatim: user.mfa.factor.activate, 2sv_enroll
    user: str  # whose account: e-mail or UPN (the target of a factor change, the actor of a sign-in)
    actor: str = ""  # who did it, when not the user (an administrator resetting a factor)
    at: AwareDatetime
    outcome: str = ""  # success | failure | the vendor's value
    ip: str = ""
    # ISO 3166-1 alpha-2: as the source gives it, or mapped from the name it gives; "" when
    # no code can be told (the name the source gave is then in `country_name`).
    country: str = ""
    country_name: str = ""  # the source's own name for it, verbatim ("United States"), when it names one
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # The vendor flagged the address as an anonymising proxy or Tor (Okta
    # securityContext.isProxy, Entra riskEventTypes anonymizedIPAddress). None: not said.
    anonymous_proxy: bool | None = None
    # The vendor's own risk detections on this event, verbatim and lower case: Entra
    # riskEventTypes_v2 (anonymizedIPAddress, impossibleTravel, ...), Google's
    # suspicious_login / gov_attack_warning, Okta's debugContext threatSuspected.
    risks: list[str] = Field(default_factory=list)
    device_id: str = ""  # the device the session came from, as the vendor identifies it
    # The session came from a managed (or compliant) device, as the IdP says. None: not said.
    device_managed: bool | None = None
    anomalies: list[str] = Field(default_factory=list)


@record_kind("signin_log")
class SigninLog(Record):
    """What one scope's identity-provider log covered in this Run: the events from
    `covers_from` to `covers_to` were read completely (or `complete` is False and why), by
    this Run or, before `read_from`, by the Run before it. A check may only say "no takeover
    signal" for the span a complete log covers."""

    source: str
    covers_from: AwareDatetime
    covers_to: AwareDatetime
    events_read: int = 0
    complete: bool = True
    reason: str = ""  # why it is incomplete: a page refused, the retention window is shorter
    event_types: list[str] = Field(default_factory=list)  # the vendor event types asked for
    # Read on from a stored cursor (collectors/log_cursor.py): this Run asked the vendor only
    # for events from `read_from` on; the `events_carried` before it come from the previous
    # Run's log, which was complete, and `complete` is still this Run's read alone. None: the
    # whole span was read.
    read_from: AwareDatetime | None = None
    events_carried: int = 0
    # What the source logs that this read does not ask for, though a takeover can show there
    # (Entra: Graph v1.0 lists interactive and federated sign-ins only, not non-interactive
    # ones). The log may be complete for what it read; "no signal" still cannot rest on it.
    not_read: list[str] = Field(default_factory=list)
