"""Built-in collectors: one module or small package (client + mapper) per source."""

from collectors.aws import (
    AwsCustodyCollector,
    AwsDetectionCollector,
    AwsIamCollector,
    AwsNetworkCollector,
    AwsOrganizationCollector,
)
from collectors.bitgo import BitGoCollector
from collectors.crowdstrike import CrowdStrikeCollector
from collectors.entra import EntraCollector
from collectors.fireblocks import FireblocksCollector
from collectors.fleet import FleetCollector
from collectors.google_workspace import GoogleWorkspaceCollector
from collectors.internal_http import InternalHttpCollector
from collectors.intune import IntuneCollector
from collectors.jamf import JamfCollector
from collectors.knowbe4 import KnowBe4Collector
from collectors.okta import OktaCollector
from collectors.prowler_import import ProwlerImportCollector
from collectors.safe import SafeCollector
from collectors.training_csv import TrainingCsvCollector

BUILTIN_COLLECTORS: list = [
    AwsIamCollector,
    AwsCustodyCollector,
    AwsNetworkCollector,
    AwsDetectionCollector,
    AwsOrganizationCollector,
    OktaCollector,
    GoogleWorkspaceCollector,
    EntraCollector,
    KnowBe4Collector,
    TrainingCsvCollector,
    SafeCollector,
    FireblocksCollector,
    BitGoCollector,
    InternalHttpCollector,
    ProwlerImportCollector,
    IntuneCollector,
    JamfCollector,
    FleetCollector,
    CrowdStrikeCollector,
]
