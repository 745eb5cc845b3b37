"""Regenerates tests/collectors/aws/payloads/*.json from moto (run it by hand:
`.venv/bin/python -m tests.collectors.aws.capture_payloads`).

The payloads are the raw API responses the mappers read. Where moto 5.2 cannot produce
what AWS returns, the script adds it by hand, shaped by the botocore service model, and
says so: the credential report's `<root_account>` row, a KMS custom key store and a key in
it, an AWS-managed KMS key, HSMs in a cluster, a cluster's VPC and security group, and a
static transit-gateway route's attachments. Network ACLs and an HSM cluster's security
group come from a second, separate organisation (`capture_segmentation`), and a default
VPC's security groups from a third (`capture_default_vpc`). Each function can be run alone,
e.g. `with mock_aws(): capture_default_vpc()`, so the other payloads keep their ids.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
from moto import mock_aws

from demo import moto_gaps
from demo.seeder import ALLOW_ALL, Seeder, acl_entry

PAYLOADS = Path(__file__).parent / "payloads"
ROOT_ROW = (
    "<root_account>,arn:aws:iam::{account}:root,2020-01-01T00:00:00+00:00,not_supported,"
    "2026-10-01T08:00:00+00:00,not_supported,not_supported,true,true,2021-03-04T05:06:07+00:00,"
    "2021-04-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def _clean(response: dict) -> dict:
    response.pop("ResponseMetadata", None)
    return json.loads(json.dumps(response, default=str))


def _write(name: str, payload: object) -> None:
    (PAYLOADS / name).write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")


def capture() -> None:
    PAYLOADS.mkdir(exist_ok=True)
    seeder = Seeder(None)
    iam = boto3.client("iam")
    account = boto3.client("sts").get_caller_identity()["Account"]
    seeder.admin_group(iam, "Admins")
    iam.create_group(GroupName="Ops")
    iam.put_group_policy(GroupName="Ops", PolicyName="ops-all", PolicyDocument=ALLOW_ALL)
    star = iam.create_policy(
        PolicyName="StarStar",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}}
        ),
    )["Policy"]["Arn"]
    readonly = iam.create_policy(
        PolicyName="ReadS3",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    seeder.person(iam, account, "alice", mfa="virtual", groups=("Admins",))
    seeder.person(iam, account, "bob", inline_admin="full")
    seeder.person(iam, account, "carol", mfa="hardware", groups=("Ops",))
    seeder.person(iam, account, "dave", mfa="u2f")
    iam.attach_user_policy(UserName="dave", PolicyArn=star)
    seeder.person(iam, account, "erin", mfa="virtual")
    iam.attach_user_policy(UserName="erin", PolicyArn=readonly)
    seeder.machine(iam, account, "ci-deploy", age_days=200, unused_days=120)
    iam.create_access_key(UserName="ci-deploy")
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode()
    header, rows = report.split("\n", 1)
    (PAYLOADS / "iam_credential_report.csv").write_text(
        header + "\n" + ROOT_ROW.format(account=account) + rows  # AWS lists root first
    )
    _write("iam_account_summary.json", _clean(iam.get_account_summary()))
    _write(
        "iam_authorization_details.json",
        _clean(iam.get_account_authorization_details(Filter=["User", "Group", "LocalManagedPolicy"])),
    )
    _write(
        "iam_mfa_devices.json",
        {u: _clean(iam.list_mfa_devices(UserName=u)) for u in ("alice", "carol", "dave", "erin")},
    )

    ec2 = boto3.client("ec2")
    seeder.vpc(ec2, "prod-core", "10.0.0.0/16", {"Environment": "Production"})
    hub = seeder.vpc(ec2, "vpn-hub", "10.30.0.0/16", {"Zone": "corporate"})
    subnets = {
        zone: seeder.subnet(ec2, seeder.resources["vpc:prod-core"], f"10.0.{n}.0/24", zone)
        for n, zone in enumerate(("us-east-1a", "us-east-1b"), start=1)
    }
    seeder.vpc(ec2, "office", "10.20.0.0/16")
    seeder.vpc(ec2, "lab", "192.168.0.0/16")
    core = seeder.resources["vpc:prod-core"]
    sg = seeder.security_group(
        ec2, core, "prod-web", [(22, ["0.0.0.0/0"]), (5432, ["10.20.0.0/16", "10.99.0.0/16"])]
    )
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    seeder.security_group(ec2, seeder.resources["vpc:office"], "office-ssh", [(22, ["0.0.0.0/0"])])
    peering = ec2.create_vpc_peering_connection(VpcId=core, PeerVpcId=seeder.resources["vpc:office"])
    ec2.accept_vpc_peering_connection(
        VpcPeeringConnectionId=peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    )
    ec2.create_vpc_peering_connection(VpcId=core, PeerVpcId=seeder.resources["vpc:lab"])  # pending
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    attachments = []
    for vpc, cidr in ((core, "10.0.9.0/24"), (hub, "10.30.1.0/24")):
        subnet = seeder.subnet(ec2, vpc, cidr, "us-east-1a")
        attachments.append(
            ec2.create_transit_gateway_vpc_attachment(
                TransitGatewayId=tgw["TransitGatewayId"], VpcId=vpc, SubnetIds=[subnet]
            )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        )
    ec2.create_transit_gateway_route(
        DestinationCidrBlock="10.0.0.0/16",
        TransitGatewayRouteTableId=table,
        TransitGatewayAttachmentId=attachments[0],
    )
    seeder.route_attachments_fix(account, table)  # moto drops the route's attachments
    _write("ec2_vpcs.json", _clean(ec2.describe_vpcs()))
    _write("ec2_security_groups.json", _clean(ec2.describe_security_groups()))
    _write("ec2_vpc_peering_connections.json", _clean(ec2.describe_vpc_peering_connections()))
    _write("ec2_transit_gateway_attachments.json", _clean(ec2.describe_transit_gateway_attachments()))
    routes = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table, Filters=[{"Name": "state", "Values": ["active"]}]
    )
    _write("ec2_transit_gateway_routes.json", {table: _clean(routes)["Routes"]})

    hsm = boto3.client("cloudhsmv2")
    seeder.hsm_cluster(hsm, account, "signing-hsm", subnets, ["ACTIVE", "ACTIVE"])
    seeder.hsm_cluster(hsm, account, "legacy-hsm", subnets, ["ACTIVE", "DEGRADED"], cluster_state="DEGRADED")
    _write("cloudhsm_clusters.json", _clean(hsm.describe_clusters()))

    kms = boto3.client("kms")
    seeder.kms_key(kms, "hot-wallet-signer", "SIGN_VERIFY", "ECC_SECG_P256K1", tags={"ValueTier": "hot"})
    seeder.kms_key(kms, "imported-signer", "SIGN_VERIFY", "ECC_SECG_P256K1", origin="EXTERNAL")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    described = [json.loads(json.dumps(k, default=str)) for k in keys]
    # moto has no custom key stores and no AWS-managed keys: shaped by the service model.
    store = "cks-1234567890abcdef0"
    described.append(
        {
            **described[-1],
            "KeyId": "0c0ffee0-0000-4000-8000-000000000001",
            "Arn": f"arn:aws:kms:us-east-1:{account}:key/0c0ffee0-0000-4000-8000-000000000001",
            "Origin": "AWS_CLOUDHSM",
            "CustomKeyStoreId": store,
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "Description": "wallet database key",
            "SigningAlgorithms": [],
        }
    )
    described.append(
        {
            **described[-1],
            "KeyId": "aaaaaaaa-0000-4000-8000-000000000002",
            "Arn": f"arn:aws:kms:us-east-1:{account}:key/aaaaaaaa-0000-4000-8000-000000000002",
            "Origin": "AWS_KMS",
            "KeyManager": "AWS",
            "Description": "Default key for S3",
        }
    )
    described[-1].pop("CustomKeyStoreId")
    _write("kms_keys.json", described)
    _write("kms_aliases.json", _clean(kms.list_aliases()))
    _write("kms_tags.json", {k["KeyId"]: kms.list_resource_tags(KeyId=k["KeyId"])["Tags"] for k in keys})
    _write(
        "kms_custom_key_stores.json",
        {
            "CustomKeyStores": [
                {
                    "CustomKeyStoreId": store,
                    "CustomKeyStoreName": "wallet-db-store",
                    "CloudHsmClusterId": seeder.resources["hsm:signing-hsm"],
                    "ConnectionState": "CONNECTED",
                    "CreationDate": "2026-01-05 10:00:00+00:00",
                    "CustomKeyStoreType": "AWS_CLOUDHSM",
                }
            ]
        },
    )


def capture_organization() -> None:
    """organizations_tree.json: Root (management, sandbox) / Workloads / Prod (production,
    custody) and Corp (corporate): the answers of every call the collector makes, by parent."""
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    [root] = org.list_roots()["Roots"]
    accounts = {
        name: org.create_account(Email=f"{name}@example.test", AccountName=name)["CreateAccountStatus"][
            "AccountId"
        ]
        for name in ("production", "custody", "corporate", "sandbox")
    }
    workloads = org.create_organizational_unit(ParentId=root["Id"], Name="Workloads")["OrganizationalUnit"]
    for name, members in (("Prod", ("production", "custody")), ("Corp", ("corporate",))):
        unit = org.create_organizational_unit(ParentId=workloads["Id"], Name=name)["OrganizationalUnit"]
        for member in members:
            org.move_account(
                AccountId=accounts[member], SourceParentId=root["Id"], DestinationParentId=unit["Id"]
            )
    parents = [root["Id"]]
    units, members_of = {}, {}
    while parents:
        parent = parents.pop()
        units[parent] = _clean(org.list_organizational_units_for_parent(ParentId=parent))
        members_of[parent] = _clean(org.list_accounts_for_parent(ParentId=parent))
        parents += [unit["Id"] for unit in units[parent]["OrganizationalUnits"]]
    _write(
        "organizations_tree.json",
        {"roots": _clean(org.list_roots()), "units": units, "accounts": members_of},
    )


def capture_segmentation() -> None:
    """Network ACLs (AWS's default one, and a custom one with port, UDP, ICMP and IPv6
    rules) and an HSM cluster with the security group CloudHSM gives it, widened."""
    seeder = Seeder(None)
    account = boto3.client("sts").get_caller_identity()["Account"]
    ec2 = boto3.client("ec2")
    core = seeder.vpc(ec2, "prod-core", "10.0.0.0/16", {"Environment": "Production"})
    subnets = {
        zone: seeder.subnet(ec2, core, f"10.0.{n}.0/24", zone)
        for n, zone in enumerate(("us-east-1a", "us-east-1b"), start=1)
    }
    acl = seeder.network_acl(
        ec2,
        core,
        "prod-web",
        [
            acl_entry(50, "deny", "0.0.0.0/0", tcp=(22, 22)),
            acl_entry(100, "allow", "0.0.0.0/0", tcp=(443, 443)),
            acl_entry(110, "allow", "0.0.0.0/0", tcp=(1024, 65535)),
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),
        ],
        [subnets["us-east-1b"]],
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=120,
        Protocol="17",
        RuleAction="allow",
        Egress=False,
        CidrBlock="10.0.0.0/16",
        PortRange={"From": 53, "To": 53},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=130,
        Protocol="1",
        RuleAction="allow",
        Egress=False,
        CidrBlock="10.0.0.0/16",
        IcmpTypeCode={"Type": -1, "Code": -1},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=140,
        Protocol="-1",
        RuleAction="allow",
        Egress=False,
        Ipv6CidrBlock="::/0",
    )
    _write("ec2_network_acls.json", _clean(ec2.describe_network_acls()))

    group = seeder.hsm_security_group(ec2, core, "signing-hsm", ["10.40.8.0/24"])
    prefix_list = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=5, AddressFamily="IPv4", Entries=[{"Cidr": "10.20.0.0/16"}]
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "temporary"}]},
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "PrefixListIds": [{"PrefixListId": prefix_list}],
            },
        ],
    )
    hsm = boto3.client("cloudhsmv2")
    seeder.hsm_cluster(
        hsm, account, "signing-hsm", subnets, ["ACTIVE", "ACTIVE"], vpc=core, security_group=group
    )
    _write("cloudhsm_clusters_with_group.json", _clean(hsm.describe_clusters()))
    _write("ec2_hsm_security_group.json", _clean(ec2.describe_security_groups(GroupIds=[group])))


def capture_default_vpc() -> None:
    """The account's untagged default VPC as AWS creates it, with a legacy group open on SSH
    and RDP to the internet, and a web group open on HTTPS only."""
    seeder = Seeder(None)
    ec2 = boto3.client("ec2")
    [default] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    seeder.security_group(ec2, default["VpcId"], "legacy-admin", [(22, ["0.0.0.0/0"]), (3389, ["0.0.0.0/0"])])
    seeder.security_group(ec2, default["VpcId"], "public-web", [(443, ["0.0.0.0/0", "::/0"])])
    _write("ec2_default_vpc.json", _clean(ec2.describe_vpcs()))
    _write("ec2_default_vpc_security_groups.json", _clean(ec2.describe_security_groups()))


if __name__ == "__main__":
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    with mock_aws(), moto_gaps.aws_managed_policies():
        capture()
    with mock_aws():
        capture_organization()
    with mock_aws():
        capture_segmentation()
    with mock_aws():
        capture_default_vpc()
