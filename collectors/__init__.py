"""Built-in collectors: one module or small package (client + mapper) per source."""

from collectors.aws import AwsCustodyCollector, AwsIamCollector, AwsNetworkCollector
from collectors.prowler_import import ProwlerImportCollector

BUILTIN_COLLECTORS: list = [
    AwsIamCollector,
    AwsCustodyCollector,
    AwsNetworkCollector,
    ProwlerImportCollector,
]
