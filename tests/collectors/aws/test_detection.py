"""aws_detection against moto (in-process): trails and their logging, GuardDuty per region."""

from __future__ import annotations

import boto3

from collectors.aws import AwsDetectionCollector
from collectors.aws.detection_mapper import map_detectors, map_trail
from vaultward.config.settings import parse_settings
from vaultward.contract.records import ThreatDetector, Trail

ACCOUNT = "123456789012"  # moto's default account


def test_trails_and_detectors_per_region(mocked_aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-trail")
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
    cloudtrail.create_trail(
        Name="org-trail", S3BucketName="acme-trail", IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    cloudtrail.start_logging(Name="org-trail")
    detector = boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)["DetectorId"]

    settings = parse_settings(
        {"aws": {"regions": ["us-east-1", "eu-west-1"], "accounts": [{"account_id": ACCOUNT}]}}
    )
    collector = AwsDetectionCollector(settings)
    records = {scope.id: list(collector.collect(scope)) for scope in collector.scopes()}
    assert records == {
        f"aws:{ACCOUNT}/us-east-1": [
            Trail(
                key=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-trail",
                name="org-trail",
                account=ACCOUNT,
                home_region="us-east-1",
                multi_region=True,
                logging=True,
                log_file_validation=True,
            ),
            ThreatDetector(
                key=f"aws:{ACCOUNT}/us-east-1:guardduty/{detector}",
                name="GuardDuty us-east-1",
                account=ACCOUNT,
                region="us-east-1",
                detector_id=detector,
                enabled=True,
            ),
        ],
        # the multi-region trail is recorded once, in its home region; no detector here
        f"aws:{ACCOUNT}/eu-west-1": [
            ThreatDetector(
                key=f"aws:{ACCOUNT}/eu-west-1:guardduty",
                name="GuardDuty eu-west-1",
                account=ACCOUNT,
                region="eu-west-1",
                enabled=False,
            )
        ],
    }


def test_mapper_status_unknown_when_the_status_call_failed():
    trail = map_trail({"Name": "t", "TrailARN": "arn:t", "IsMultiRegionTrail": True}, None, ACCOUNT)
    assert trail.logging is None
    [suspended] = map_detectors({"d1": {"Status": "DISABLED"}}, ACCOUNT, "us-east-1")
    assert (suspended.enabled, suspended.detector_id) == (False, "d1")
