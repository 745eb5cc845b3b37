"""Seeding helpers for the demo organisation: AWS API calls through a moto server (or
`mock_aws`); what moto's API cannot set goes through demo/moto_gaps.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from demo import moto_gaps

REGION = "us-east-1"
ROLE_NAME = "OrganizationAccountAccessRole"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
DUMMY_KEY = "testing"  # the emulator accepts any credentials
CORPORATE_CIDRS = ["10.20.0.0/16"]
PRODUCTION_CIDRS = ["10.0.0.0/16"]
SIGNING_CIDRS = ["10.40.8.0/24"]  # where the demo's signing service runs
HSM_PORTS = {"IpProtocol": "tcp", "FromPort": 2223, "ToPort": 2225}  # CloudHSM's client ports


def acl_entry(
    rule: int, action: str, cidr: str, tcp: tuple[int, int] | None = None, egress: bool = False
) -> dict:
    """`CreateNetworkAclEntry` parameters: all traffic, or the TCP ports `tcp` (from, to)."""
    entry: dict[str, Any] = {"RuleNumber": rule, "RuleAction": action, "Egress": egress, "CidrBlock": cidr}
    if tcp is None:
        return {**entry, "Protocol": "-1"}
    return {**entry, "Protocol": "6", "PortRange": {"From": tcp[0], "To": tcp[1]}}


class Seeder:
    def __init__(self, endpoint_url: str | None, now: datetime | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.backend_seeded = True
        self.resources: dict[str, str] = {}
        self.subnets: dict[str, list[str]] = {}  # VPC id -> the subnets seeded in it
        # what back-dated access keys count from (the demo's history seeds weeks before it)
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self._session = boto3.Session(region_name=REGION)
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, service: str, account: str | None = None) -> Any:
        """A client of `service` in the management account, or in `account` through its
        organisation role; made once (one boto3 session, so service models load once)."""
        made = self._clients.get((service, account))
        if made is not None:
            return made
        credentials = {"aws_access_key_id": DUMMY_KEY, "aws_secret_access_key": DUMMY_KEY}
        if account is not None:
            role = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
            creds = self.client("sts").assume_role(RoleArn=role, RoleSessionName="vaultward-seed")[
                "Credentials"
            ]
            credentials = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        made = self._session.client(service, endpoint_url=self.endpoint_url, **credentials)  # type: ignore[call-overload]
        self._clients[(service, account)] = made
        return made

    # --- IAM -------------------------------------------------------------------------

    def person(
        self,
        iam: Any,
        account: str,
        name: str,
        *,
        console: bool = True,
        mfa: str = "",
        groups: tuple[str, ...] = (),
        inline_admin: str = "",
    ) -> None:
        iam.create_user(UserName=name, Tags=[{"Key": "Team", "Value": "platform"}])
        if console:
            iam.create_login_profile(UserName=name, Password="Demo-Password-1!")  # noqa: S106
        serial = ""
        if mfa == "virtual":
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
            serial = device["VirtualMFADevice"]["SerialNumber"]
        elif mfa == "u2f":
            serial = f"arn:aws:iam::{account}:u2f/user/{name}/fidosecuritykey-DEMO{name.upper()}"
        elif mfa == "hardware":
            serial = f"GAHT{sum(map(ord, name)):08d}"
        if serial:
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=serial,
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)
        if inline_admin:
            iam.put_user_policy(UserName=name, PolicyName=inline_admin, PolicyDocument=ALLOW_ALL)

    def admin_group(self, iam: Any, group: str) -> None:
        iam.create_group(GroupName=group)
        try:
            iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN_POLICY)
        except iam.exceptions.NoSuchEntityException as error:
            raise RuntimeError(
                "moto has no AWS-managed policies: seed inside demo.moto_gaps.aws_managed_policies()"
            ) from error

    def machine(self, iam: Any, account: str, name: str, age_days: int, unused_days: int) -> None:
        iam.create_user(UserName=name)
        iam.create_access_key(UserName=name)
        moto_gaps.backdate_access_key(
            account, name, self.now - timedelta(days=age_days), self.now - timedelta(days=unused_days)
        )

    # --- network ---------------------------------------------------------------------

    def vpc(self, ec2: Any, name: str, cidr: str, tags: dict[str, str] | None = None) -> str:
        all_tags = [{"Key": "Name", "Value": name}] + [
            {"Key": k, "Value": v} for k, v in (tags or {}).items()
        ]
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": all_tags}])[
            "Vpc"
        ]["VpcId"]
        self.resources[f"vpc:{name}"] = vpc
        self.resources[f"acl:{name}"] = self.default_acl(ec2, vpc)
        return vpc

    def subnet(self, ec2: Any, vpc: str, cidr: str, zone: str) -> str:
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        self.subnets.setdefault(vpc, []).append(subnet)
        return subnet

    def default_acl(self, ec2: Any, vpc: str) -> str:
        """The network ACL AWS creates with a VPC (rule 100 allows everything)."""
        filters = [{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
        return ec2.describe_network_acls(Filters=filters)["NetworkAcls"][0]["NetworkAclId"]

    def network_acl(self, ec2: Any, vpc: str, name: str, entries: list[dict], subnets: list[str]) -> str:
        """A network ACL with `entries` (`CreateNetworkAclEntry` parameters) that takes
        `subnets` over from whichever ACL they were on."""
        acl = ec2.create_network_acl(
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": name}]}],
        )["NetworkAcl"]["NetworkAclId"]
        for entry in entries:
            ec2.create_network_acl_entry(NetworkAclId=acl, **entry)
        for subnet in subnets:
            current = ec2.describe_network_acls(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
            )
            [association] = [
                a for a in current["NetworkAcls"][0]["Associations"] if a.get("SubnetId") == subnet
            ]
            ec2.replace_network_acl_association(
                AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
            )
        self.resources[f"acl:{name}"] = acl
        return acl

    def security_group(self, ec2: Any, vpc: str, name: str, rules: list[tuple]) -> str:
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        permissions = []
        for port, cidrs in rules:
            permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
            permission["IpRanges"] = [{"CidrIp": c} for c in cidrs if ":" not in c]
            permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in cidrs if ":" in c]
            permissions.append(permission)
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
        self.resources[f"sg:{name}"] = group
        return group

    def route_attachments_fix(self, account: str, table: str) -> None:
        moto_gaps.restore_route_attachments(account, REGION, table)

    # --- custody ---------------------------------------------------------------------

    def hsm_security_group(self, ec2: Any, vpc: str, cluster_name: str, cidrs: list[str]) -> str:
        """The group CloudHSM creates with a cluster (its HSMs reach each other through it),
        plus ingress from `cidrs`."""
        group = ec2.create_security_group(
            GroupName=f"cloudhsm-{cluster_name}-sg", Description=f"CloudHSM {cluster_name}", VpcId=vpc
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {**HSM_PORTS, "UserIdGroupPairs": [{"GroupId": group}]},
                {**HSM_PORTS, "IpRanges": [{"CidrIp": cidr} for cidr in cidrs]},
            ],
        )
        self.resources[f"sg:cloudhsm-{cluster_name}"] = group
        return group

    def hsm_cluster(
        self,
        hsm: Any,
        account: str,
        name: str,
        subnets: dict[str, str],
        states: list[str],
        cluster_state: str = "ACTIVE",
        vpc: str = "",
        security_group: str = "",
    ) -> str:
        cluster = hsm.create_cluster(
            HsmType="hsm2m.medium",
            SubnetIds=list(subnets.values()),
            Mode="FIPS",
            TagList=[{"Key": "Name", "Value": name}],
        )["Cluster"]["ClusterId"]
        self.resources[f"hsm:{name}"] = cluster
        hsms = [
            {
                "AvailabilityZone": zone,
                "ClusterId": cluster,
                "SubnetId": subnets[zone],
                "EniId": f"eni-{index:017x}",
                "EniIp": f"10.40.{index}.10",
                "HsmId": f"hsm-{cluster[:8]}{index}",
                "HsmType": "hsm2m.medium",
                "State": state,
                "StateMessage": "HSM created." if state == "ACTIVE" else "HSM is degraded.",
            }
            for index, (zone, state) in enumerate(zip(subnets, states, strict=False), start=1)
        ]
        moto_gaps.place_cloudhsm_cluster(account, REGION, cluster, cluster_state, hsms, vpc, security_group)
        return cluster

    def kms_key(
        self,
        kms: Any,
        alias: str,
        usage: str,
        spec: str,
        origin: str = "AWS_KMS",
        tags: dict[str, str] | None = None,
    ) -> str:
        metadata = kms.create_key(
            Description=alias,
            KeyUsage=usage,
            KeySpec=spec,
            Origin=origin,
            Tags=[{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()],
        )["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=metadata["KeyId"])
        self.resources[f"kms:{alias}"] = metadata["Arn"]
        return metadata["Arn"]
