"""Every gap of demo/moto_gaps.py, written under `mock_aws` and read back through the
AWS API as the collectors read it. When a moto release moves what a gap writes, these fail
with the installed moto version in the message (the module's own check, or the read-back)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from demo import moto_gaps

MOTO = f"moto {moto_gaps.moto_version()}"
REGION = "us-east-1"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(moto_gaps.MANAGED_POLICIES_VARIABLE, raising=False)


@pytest.fixture
def aws(aws_env: None):
    with mock_aws():
        yield boto3.client("sts").get_caller_identity()["Account"]


@pytest.mark.parametrize("loaded", [True, False])
def test_aws_managed_policies_load_inside_the_block_only(aws_env: None, loaded: bool) -> None:
    """An account's IAM backend is made on its first request: inside the block, or not."""
    with mock_aws():
        if loaded:
            with moto_gaps.aws_managed_policies():
                iam = boto3.client("iam")
                iam.create_group(GroupName="Admins")
            assert moto_gaps.MANAGED_POLICIES_VARIABLE not in os.environ
        else:
            iam = boto3.client("iam")
            iam.create_group(GroupName="Admins")
        policy = "arn:aws:iam::aws:policy/AdministratorAccess"
        if not loaded:
            with pytest.raises(iam.exceptions.NoSuchEntityException):
                iam.attach_group_policy(GroupName="Admins", PolicyArn=policy)
            return
        iam.attach_group_policy(GroupName="Admins", PolicyArn=policy)
        attached = iam.list_attached_group_policies(GroupName="Admins")["AttachedPolicies"]
        assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"], MOTO


def test_root_mfa(aws: str) -> None:
    iam = boto3.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    moto_gaps.enable_root_mfa(aws)
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 1, f"{MOTO} no longer reads AccountMFAEnabled from the backend"


def test_access_key_dates(aws: str) -> None:
    iam = boto3.client("iam")
    iam.create_user(UserName="ci-deploy")
    key = iam.create_access_key(UserName="ci-deploy")["AccessKey"]["AccessKeyId"]
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    moto_gaps.backdate_access_key(aws, "ci-deploy", created, created + timedelta(days=10))
    [listed] = iam.list_access_keys(UserName="ci-deploy")["AccessKeyMetadata"]
    assert listed["CreateDate"] == created, f"{MOTO}: CreateDate {listed['CreateDate']}"
    used = iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]
    assert used["LastUsedDate"] == created + timedelta(days=10), f"{MOTO}: {used}"


def test_transit_gateway_route_attachments(aws: str) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    tgw = ec2.create_transit_gateway(Description="core")["TransitGateway"]
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw["TransitGatewayId"], VpcId=vpc, SubnetIds=[subnet["SubnetId"]]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.create_transit_gateway_route(
        DestinationCidrBlock="10.0.0.0/16",
        TransitGatewayRouteTableId=table,
        TransitGatewayAttachmentId=attachment,
    )
    moto_gaps.restore_route_attachments(aws, REGION, table)
    routes = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table, Filters=[{"Name": "state", "Values": ["active"]}]
    )["Routes"]
    [route] = [r for r in routes if r["DestinationCidrBlock"] == "10.0.0.0/16"]
    targets = [a.get("TransitGatewayAttachmentId") for a in route.get("TransitGatewayAttachments", [])]
    assert targets == [attachment], f"{MOTO}: the static route answers {route}"


def test_cloudhsm_cluster(aws: str) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    group = ec2.create_security_group(GroupName="cloudhsm-sg", Description="hsm", VpcId=vpc)["GroupId"]
    hsm = boto3.client("cloudhsmv2")
    cluster = hsm.create_cluster(HsmType="hsm2m.medium", SubnetIds=[subnet["SubnetId"]])["Cluster"][
        "ClusterId"
    ]
    entry = {
        "AvailabilityZone": "us-east-1a",
        "ClusterId": cluster,
        "SubnetId": subnet["SubnetId"],
        "EniId": "eni-00000000000000001",
        "EniIp": "10.40.1.10",
        "HsmId": "hsm-abcdefgh1",
        "HsmType": "hsm2m.medium",
        "State": "DEGRADED",
        "StateMessage": "HSM is degraded.",
    }
    moto_gaps.place_cloudhsm_cluster(aws, REGION, cluster, "DEGRADED", [entry], vpc, group)
    [described] = hsm.describe_clusters()["Clusters"]
    seen = {key: described.get(key) for key in ("State", "VpcId", "SecurityGroup")}
    assert seen == {"State": "DEGRADED", "VpcId": vpc, "SecurityGroup": group}, f"{MOTO}: {seen}"
    assert [h["HsmId"] for h in described["Hsms"]] == ["hsm-abcdefgh1"], f"{MOTO}: {described['Hsms']}"
    assert described["Hsms"][0]["State"] == "DEGRADED", f"{MOTO}: {described['Hsms']}"


def test_a_moved_attribute_names_the_moto_version(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user sees when moto moves an attribute a gap writes: the version and the module."""
    monkeypatch.setattr(moto_gaps, "backend", lambda *_: SimpleNamespace(users={}))
    with pytest.raises(moto_gaps.MotoShapeChanged) as raised:
        moto_gaps.enable_root_mfa(aws)
    message = str(raised.value)
    assert MOTO in message
    assert "demo/moto_gaps.py" in message
    assert "account_summary" in message
