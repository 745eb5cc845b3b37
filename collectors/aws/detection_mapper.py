"""CloudTrail and GuardDuty payloads -> Trail and ThreatDetector records (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vaultward.contract.records import ThreatDetector, Trail


def map_trail(trail: Mapping[str, Any], status: Mapping[str, Any] | None, account: str) -> Trail:
    """`describe_trails` entry plus its `get_trail_status` (None: the status call failed)."""
    return Trail(
        key=trail.get("TrailARN") or f"aws:{account}:trail/{trail.get('Name', '')}",
        name=trail.get("Name", ""),
        account=account,
        home_region=trail.get("HomeRegion", ""),
        multi_region=bool(trail.get("IsMultiRegionTrail")),
        organization_trail=bool(trail.get("IsOrganizationTrail")),
        logging=None if status is None else bool(status.get("IsLogging")),
        log_file_validation=bool(trail.get("LogFileValidationEnabled")),
    )


def map_detectors(
    detectors: Mapping[str, Mapping[str, Any]], account: str, region: str
) -> list[ThreatDetector]:
    """Detector id -> `get_detector` payload; no detector at all is a disabled record."""
    if not detectors:
        return [
            ThreatDetector(
                key=f"aws:{account}/{region}:guardduty",
                name=f"GuardDuty {region}",
                account=account,
                region=region,
                enabled=False,
            )
        ]
    return [
        ThreatDetector(
            key=f"aws:{account}/{region}:guardduty/{detector_id}",
            name=f"GuardDuty {region}",
            account=account,
            region=region,
            detector_id=detector_id,
            enabled=str(detector.get("Status", "")).upper() == "ENABLED",
        )
        for detector_id, detector in sorted(detectors.items())
    ]
