"""The AWS collectors: IAM (aws_iam), custody (aws_custody), network (aws_network), detection
(aws_detection) and the organisation's structure (aws_organization)."""

from collectors.aws.custody import AwsCustodyCollector
from collectors.aws.detection import AwsDetectionCollector
from collectors.aws.iam import AwsIamCollector
from collectors.aws.network import AwsNetworkCollector
from collectors.aws.organization import AwsOrganizationCollector

__all__ = [
    "AwsCustodyCollector",
    "AwsDetectionCollector",
    "AwsIamCollector",
    "AwsNetworkCollector",
    "AwsOrganizationCollector",
]
