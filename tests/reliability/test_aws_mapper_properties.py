"""Property tests of the AWS mappers on captured payloads, mutated the way boto3 output can
vary: botocore parses each answer by the service model, so values keep their types, but
optional members go missing, new members appear and strings hold anything (tags, names,
descriptions are user-written). The credential report is AWS's own CSV with fixed columns
and value forms: its rows are only reordered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from collectors.aws import acl_mapper, custody_mapper, detection_mapper, iam_mapper, network_mapper
from collectors.aws.organization_mapper import map_accounts
from tests.reliability.mappers import COLLECTOR_TESTS, payload, valid_records
from tests.reliability.strategies import PROPERTY, mutated
from vaultward.config.policy import ZoneRules

ACCOUNT, REGION = "123456789012", "us-east-1"
ZONES = ZoneRules(
    production_accounts=["436568457369"], production_cidrs=["10.0.0.0/16"], corporate_cidrs=["10.20.0.0/16"]
)
REPORT = iam_mapper.parse_credential_report(
    (COLLECTOR_TESTS / "aws/payloads/iam_credential_report.csv").read_text()
)
AUTHORIZATION = payload("aws", "iam_authorization_details.json")
MFA = {
    user: [d["SerialNumber"] for d in page["MFADevices"]]
    for user, page in payload("aws", "iam_mfa_devices.json").items()
}
SUMMARY = payload("aws", "iam_account_summary.json")["SummaryMap"]


def typed(value):
    return mutated(value, typed=True)


@PROPERTY
@given(
    report=st.permutations(REPORT), authorization=typed(AUTHORIZATION), mfa=typed(MFA), summary=typed(SUMMARY)
)
def test_iam(report, authorization, mfa, summary):
    valid_records(iam_mapper.map_account(ACCOUNT, summary, report, ["acme-prod"]))
    valid_records(iam_mapper.map_users(ACCOUNT, report, authorization, mfa))


CLUSTERS = payload("aws", "cloudhsm_clusters_with_group.json")["Clusters"]
HSM_GROUPS = {g["GroupId"]: g for g in payload("aws", "ec2_hsm_security_group.json")["SecurityGroups"]}
KEYS = payload("aws", "kms_keys.json")
ALIASES = payload("aws", "kms_aliases.json")["Aliases"]
TAGS = payload("aws", "kms_tags.json")
STORES = payload("aws", "kms_custom_key_stores.json")["CustomKeyStores"]


@PROPERTY
@given(
    clusters=typed(CLUSTERS),
    groups=typed(HSM_GROUPS),
    keys=typed(KEYS),
    aliases=typed(ALIASES),
    tags=typed(TAGS),
    stores=typed(STORES),
)
def test_custody(clusters, groups, keys, aliases, tags, stores):
    valid_records(custody_mapper.map_hsm_clusters(clusters, ACCOUNT, REGION, groups))
    by_key = custody_mapper.aliases_by_key(aliases)
    store_types = custody_mapper.key_store_types(stores)
    valid_records(custody_mapper.map_kms_keys(keys, ACCOUNT, REGION, by_key, tags, store_types))


VPCS = payload("aws", "ec2_vpcs.json")["Vpcs"]
PEERINGS = payload("aws", "ec2_vpc_peering_connections.json")["VpcPeeringConnections"]
ATTACHMENTS = payload("aws", "ec2_transit_gateway_attachments.json")["TransitGatewayAttachments"]
ROUTES = payload("aws", "ec2_transit_gateway_routes.json")
GROUPS = payload("aws", "ec2_security_groups.json")["SecurityGroups"]
ACLS = payload("aws", "ec2_network_acls.json")["NetworkAcls"]


@PROPERTY
@given(
    vpcs=typed(VPCS),
    peerings=typed(PEERINGS),
    attachments=typed(ATTACHMENTS),
    routes=typed(ROUTES),
    groups=typed(GROUPS),
    acls=typed(ACLS),
)
def test_network(vpcs, peerings, attachments, routes, groups, acls):
    valid_records(network_mapper.map_vpcs(vpcs, ACCOUNT, REGION))
    valid_records(network_mapper.map_peerings(peerings, ACCOUNT, REGION))  # type: ignore[arg-type]
    valid_records(
        network_mapper.map_transit_gateways(attachments, routes, ACCOUNT, REGION)  # type: ignore[arg-type]
    )
    valid_records(network_mapper.map_security_groups(groups, ACCOUNT, REGION))  # type: ignore[arg-type]
    valid_records(acl_mapper.map_network_acls(acls, ACCOUNT, REGION))


TREE = payload("aws", "organizations_tree.json")
ROOTS = TREE["roots"]["Roots"]
UNITS = {parent: page["OrganizationalUnits"] for parent, page in TREE["units"].items()}
ACCOUNTS = {parent: page["Accounts"] for parent, page in TREE["accounts"].items()}


@PROPERTY
@given(roots=typed(ROOTS), units=typed(UNITS), accounts=typed(ACCOUNTS))
def test_organization(roots, units, accounts):
    valid_records(map_accounts(roots, units, accounts))


TRAIL = {
    "Name": "org-trail",
    "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
    "HomeRegion": "us-east-1",
    "IsMultiRegionTrail": True,
    "IsOrganizationTrail": True,
    "LogFileValidationEnabled": True,
}
DETECTORS = {"d1": {"Status": "ENABLED", "CreatedAt": "2026-01-01T00:00:00Z"}, "d2": {"Status": "DISABLED"}}


@PROPERTY
@given(trail=typed(TRAIL), status=typed({"IsLogging": True}), detectors=typed(DETECTORS))
def test_detection(trail, status, detectors):
    valid_records(detection_mapper.map_trail(trail, status, ACCOUNT))
    valid_records(detection_mapper.map_detectors(detectors, ACCOUNT, REGION))
