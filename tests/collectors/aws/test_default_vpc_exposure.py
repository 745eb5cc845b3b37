"""Regression (issue 15, "nothing vanishes"): a group open on SSH and RDP to the internet in
an account's untagged default VPC is collected and fails, whatever the VPC's zone.

The user's case: the production account's default VPC, untagged. With the account listed in
`policy.zones.production_accounts` the VPC is production by account and its groups were
already collected; with the account not listed (or listed under another id) the VPC matched
no rule, and the open group vanished: no fact, no finding. Both are pinned here. moto's
default VPC (172.31.0.0/16, no tags) stands in for AWS's; the real collector runs unchanged
against it, then the checks on what it collected.
"""

from __future__ import annotations

import boto3
import pytest

from checks.segmentation.no_admin_ports_from_internet import no_admin_ports_from_internet
from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from collectors.aws import AwsNetworkCollector
from tests.checks.run import run
from vaultward.config.policy import ZoneRules
from vaultward.config.settings import Settings, parse_settings
from vaultward.contract.records import NetworkPath, Record, Vpc
from vaultward.derived.zones import Zones

ACCOUNT = "123456789012"  # moto's default account: the caller's own, so no role is assumed


def _open_legacy_group() -> tuple[str, str]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    [default] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert not default.get("Tags")
    group = ec2.create_security_group(GroupName="legacy-admin", Description="x", VpcId=default["VpcId"])
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            for port in (22, 3389)
        ],
    )
    return default["VpcId"], group["GroupId"]


def _settings(zones: dict) -> Settings:
    return parse_settings(
        {"aws": {"regions": ["us-east-1"], "accounts": [{"account_id": ACCOUNT}]}, "policy": {"zones": zones}}
    )


def _collect(zones: dict) -> list[Record]:
    collector = AwsNetworkCollector(_settings(zones))
    [scope] = collector.scopes()
    return [item for item in collector.collect(scope) if isinstance(item, Record)]


@pytest.mark.parametrize(
    ("zones", "zone"),
    [({"production_accounts": [ACCOUNT]}, "production"), ({}, "unclassified")],
    ids=["listed-production-account", "account-not-listed"],
)
def test_default_vpc_open_on_ssh_and_rdp_fails_naming_group_ports_zone(mocked_aws, zones, zone):
    vpc, group = _open_legacy_group()
    records = _collect(zones)
    paths = [r for r in records if isinstance(r, NetworkPath)]
    assert sorted((p.to_ref, p.from_ref, str(p.ports[0])) for p in paths) == [
        (group, "0.0.0.0/0", "tcp/22"),
        (group, "0.0.0.0/0", "tcp/3389"),
    ]

    [finding] = run(no_admin_ports_from_internet, records, policy=_settings(zones).policy)
    assert (finding.resource, finding.status, finding.evidence["zone"]) == (vpc, "fail", zone)
    assert finding.reason == (
        f"open to the internet in {zone} VPC {vpc} in account {ACCOUNT}: "
        f'security group "legacy-admin" ({group}) port(s) 22, 3389 from 0.0.0.0/0'
    )


def test_unlisted_default_vpc_is_unknown_in_the_path_check(mocked_aws):
    vpc, _ = _open_legacy_group()
    records = _collect({})
    assert [Zones(ZoneRules()).vpc(r).zone for r in records if isinstance(r, Vpc)] == ["unknown"]
    # With no production VPC at all the zone rules themselves are missing: one finding says so.
    assert [(r.resource, r.status) for r in run(no_corporate_production_path, records)] == [
        ("zones", "unknown")
    ]
    production = Vpc(key="vpc-prod", zone="production", account=ACCOUNT, region="us-east-1")
    results = {r.resource: r for r in run(no_corporate_production_path, [*records, production])}
    assert results[vpc].status == "unknown" and results[vpc].reason.startswith(
        "classify this VPC (policy.zones"
    )
