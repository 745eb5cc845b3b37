"""The AWS collectors: IAM (aws_iam), custody (aws_custody) and network (aws_network)."""

from collectors.aws.custody import AwsCustodyCollector
from collectors.aws.detection import AwsDetectionCollector
from collectors.aws.iam import AwsIamCollector
from collectors.aws.network import AwsNetworkCollector

__all__ = ["AwsCustodyCollector", "AwsDetectionCollector", "AwsIamCollector", "AwsNetworkCollector"]
