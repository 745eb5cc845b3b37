"""Detection records: trails, threat detectors, and findings imported from other tools."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from vaultward.contract.records.base import Record, record_kind

# --- detection -----------------------------------------------------------------------------


@record_kind("detection.trail")
class Trail(Record):
    """A CloudTrail trail and whether it is logging."""

    account: str = ""
    home_region: str = ""
    multi_region: bool = False
    organization_trail: bool = False
    logging: bool | None = None
    log_file_validation: bool = False


@record_kind("detection.threat_detector")
class ThreatDetector(Record):
    """GuardDuty in one account and region: enabled, or no detector at all."""

    account: str = ""
    region: str = ""
    detector_id: str = ""
    enabled: bool


# --- other tools ---------------------------------------------------------------------------


@record_kind("external.finding")
class ExternalFinding(Record):
    """A finding another posture tool already made (Prowler), kept with its provenance."""

    tool: str
    check_id: str  # the tool's own check id, e.g. iam_user_mfa_enabled_console_access
    status: str  # pass | fail | manual, or "other:<value>" (listed in anomalies)
    severity: str = ""
    resource: str = ""  # the resource's uid (an ARN)
    resource_type: str = ""
    provider: str = ""
    account: str = ""
    region: str = ""
    message: str = ""
    muted: bool = False
    observed_at: AwareDatetime | None = None
    provenance: dict[str, str] = Field(default_factory=dict)  # file, finding uid, tool version
    anomalies: list[str] = Field(default_factory=list)
