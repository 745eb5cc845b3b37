"""aws_detection: CloudTrail trails (logging, multi-region) and GuardDuty, per account x region."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from collectors.aws import detection_mapper
from collectors.aws.session import SCOPE_PERMISSIONS, AwsCollector, all_pages, core_call, optional_call
from vaultward.contract.records import Record, ThreatDetector, Trail
from vaultward.contract.sdk import Problem, Scope


class AwsDetectionCollector(AwsCollector):
    """Per account x region: the trails visible there (each trail recorded in its home region
    only) with their logging status, and GuardDuty detectors (none = not enabled)."""

    name = "aws_detection"
    title = "AWS CloudTrail and GuardDuty"
    produces = (Trail, ThreatDetector)
    permissions = (
        *SCOPE_PERMISSIONS,
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "guardduty:ListDetectors",
        "guardduty:GetDetector",
    )

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        account, region = scope.params["account_id"], scope.params["region"]
        session = self.sessions.scope_session(scope)
        cloudtrail = self.sessions.client(session, "cloudtrail", region)
        guardduty = self.sessions.client(session, "guardduty", region)

        with core_call(scope.id, "cloudtrail:DescribeTrails"):
            trails = cloudtrail.describe_trails(includeShadowTrails=True).get("trailList", [])
        for trail in trails:
            if trail.get("HomeRegion") not in (None, region):
                continue  # a multi-region trail is recorded once, in its home region
            arn = trail.get("TrailARN") or trail.get("Name")
            status = optional_call(
                scope.id, "cloudtrail:GetTrailStatus", trail.get("Name", ""), (Trail.kind,),
                partial(cloudtrail.get_trail_status, Name=arn),
            )  # fmt: skip
            if isinstance(status, Problem):
                yield status
                status = None
            yield detection_mapper.map_trail(trail, status, account)

        # GuardDuty beside CloudTrail: refused, it leaves only the detectors unknown.
        listed = optional_call(
            scope.id, "guardduty:ListDetectors", "the region", (ThreatDetector.kind,),
            partial(all_pages, guardduty, "list_detectors", "DetectorIds"),
        )  # fmt: skip
        if isinstance(listed, Problem):
            yield listed
            return
        ids = [str(detector_id) for detector_id in listed]
        detectors: dict[str, Any] = {}
        for detector_id in ids:
            detector = optional_call(
                scope.id, "guardduty:GetDetector", detector_id, (ThreatDetector.kind,),
                partial(guardduty.get_detector, DetectorId=detector_id),
            )  # fmt: skip
            if isinstance(detector, Problem):
                yield detector
            else:
                detectors[detector_id] = detector
        yield from detection_mapper.map_detectors(detectors, account, region)
