"""Seeds a moto server (or in-process `mock_aws`) with a demo crypto platform's AWS estate.

The organisation: a management account and three members (production, corporate,
custody). Most of it goes through the ordinary AWS APIs. What moto 5.2 cannot do through
its API is written into moto's in-process backends, which works under `mock_aws` and under
`moto.server.ThreadedMotoServer` (same process), not against a separate `moto_server`:
root MFA (`AccountMFAEnabled` is always 0), HSMs in a cluster (`create_hsm` is missing),
access-key ages, the attachments of static transit-gateway routes (lost in moto's
response), and AWS's AdministratorAccess policy when managed policies are not loaded.
`DemoOrganisation.backend_seeded` says whether that part happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

REGION = "us-east-1"
ROLE_NAME = "OrganizationAccountAccessRole"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CORPORATE_CIDRS = ["10.20.0.0/16"]
PRODUCTION_CIDRS = ["10.0.0.0/16"]


@dataclass
class DemoOrganisation:
    """What was seeded: account ids by role, resource ids by name, and how to configure."""

    endpoint_url: str | None
    management_account: str
    accounts: dict[str, str]  # production / corporate / custody -> account id
    regions: list[str] = field(default_factory=lambda: [REGION])
    resources: dict[str, str] = field(default_factory=dict)  # e.g. "vpc:prod-core" -> vpc id
    backend_seeded: bool = False
    seeded_at: datetime | None = None  # the "now" that back-dated access keys count from

    def role_arn(self, account_id: str) -> str:
        return f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"

    @property
    def all_accounts(self) -> list[str]:
        return [self.management_account, *self.accounts.values()]

    def zone_rules(self) -> dict[str, Any]:
        return {
            "production_accounts": [self.accounts["custody"]],
            "corporate_accounts": [],
            "production_cidrs": list(PRODUCTION_CIDRS),
            "corporate_cidrs": list(CORPORATE_CIDRS),
        }

    def settings_dict(self, discovery: str = "organizations") -> dict[str, Any]:
        """`aws` and `policy.zones` sections for `vaultward.config.parse_settings`.
        `discovery`: "organizations" (list the members) or "accounts" (name them)."""
        aws: dict[str, Any] = {
            "regions": list(self.regions),
            "retry_mode": "standard",
            "max_attempts": 2,
        }
        if self.endpoint_url:
            aws["endpoint_url"] = self.endpoint_url
        if discovery == "organizations":
            aws["organizations"] = {"enabled": True, "role_name": ROLE_NAME}
        else:
            aws["accounts"] = [{"account_id": self.management_account, "name": "management"}] + [
                {"role_arn": self.role_arn(account), "name": role} for role, account in self.accounts.items()
            ]
        return {"aws": aws, "policy": {"zones": self.zone_rules()}}


class _Seeder:
    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url
        self.backend_seeded = True
        self.resources: dict[str, str] = {}
        self.now = datetime.now(UTC).replace(microsecond=0)

    def client(self, service: str, account: str | None = None) -> Any:
        session = boto3.Session(region_name=REGION, **DUMMY)
        if account is not None:
            sts = session.client("sts", endpoint_url=self.endpoint_url)
            role = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
            creds = sts.assume_role(RoleArn=role, RoleSessionName="vaultward-seed")["Credentials"]
            session = boto3.Session(
                region_name=REGION,
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def backend(self, service: str, account: str, region: str = REGION) -> Any:
        """moto's in-process backend, when the server runs in this process."""
        from moto.backends import get_backend

        return get_backend(service)[account][region]  # type: ignore[call-overload,index]

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

    def admin_group(self, iam: Any, account: str, group: str) -> None:
        iam.create_group(GroupName=group)
        try:
            iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN_POLICY)
        except iam.exceptions.NoSuchEntityException:
            # moto loads AWS-managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES=true.
            from moto.iam.aws_managed_policies import aws_managed_policies_data
            from moto.iam.models import AWSManagedPolicy

            backend = self.backend("iam", account, "global")
            data = json.loads(aws_managed_policies_data)["AdministratorAccess"]
            policy = AWSManagedPolicy.from_data("AdministratorAccess", account, "global", data)
            backend.managed_policies[policy.arn] = policy
            iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN_POLICY)

    def machine(self, iam: Any, account: str, name: str, age_days: int, unused_days: int) -> None:
        iam.create_user(UserName=name)
        iam.create_access_key(UserName=name)
        key = self.backend("iam", account, "global").users[name].access_keys[0]
        key.create_date = self.now - timedelta(days=age_days)
        key.last_used = self.now - timedelta(days=unused_days)

    def root_mfa(self, account: str) -> None:
        self.backend("iam", account, "global").account_summary._account_mfa_enabled = 1

    # --- network ---------------------------------------------------------------------

    def vpc(self, ec2: Any, name: str, cidr: str, tags: dict[str, str] | None = None) -> str:
        all_tags = [{"Key": "Name", "Value": name}] + [
            {"Key": k, "Value": v} for k, v in (tags or {}).items()
        ]
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": all_tags}])[
            "Vpc"
        ]["VpcId"]
        self.resources[f"vpc:{name}"] = vpc
        return vpc

    def subnet(self, ec2: Any, vpc: str, cidr: str, zone: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

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
        """moto keeps a static route's attachment as a dict its serializer drops."""
        for route in self.backend("ec2", account).transit_gateways_route_tables[table].routes.values():
            target = route.get("transitGatewayAttachments")
            if isinstance(target, dict):
                route["transitGatewayAttachments"] = [target]

    # --- custody ---------------------------------------------------------------------

    def hsm_cluster(
        self,
        hsm: Any,
        account: str,
        name: str,
        subnets: dict[str, str],
        states: list[str],
        cluster_state: str = "ACTIVE",
    ) -> str:
        cluster = hsm.create_cluster(
            HsmType="hsm2m.medium",
            SubnetIds=list(subnets.values()),
            Mode="FIPS",
            TagList=[{"Key": "Name", "Value": name}],
        )["Cluster"]["ClusterId"]
        self.resources[f"hsm:{name}"] = cluster
        backend_cluster = self.backend("cloudhsmv2", account).clusters[cluster]
        backend_cluster.state = cluster_state
        backend_cluster.hsms = [
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


def _in_process(seeder: _Seeder, account: str, user: str) -> bool:
    try:
        return user in seeder.backend("iam", account, "global").users
    except Exception:  # noqa: BLE001 - moto missing or a server in another process
        return False


def _seed(endpoint_url: str | None, demo: bool) -> DemoOrganisation:
    seeder = _Seeder(endpoint_url)
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = {}
    for role in ("production", "corporate", "custody"):
        status = org.create_account(Email=f"{role}@demo.vaultward.test", AccountName=role)
        accounts[role] = status["CreateAccountStatus"]["AccountId"]
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    prod, corp, custody = accounts["production"], accounts["corporate"], accounts["custody"]

    # Management: root MFA on, one administrator without MFA (inline allow-all).
    iam = seeder.client("iam")
    iam.create_account_alias(AccountAlias="demo-management")
    seeder.person(iam, management, "ops-admin", inline_admin="full")
    seeder.backend_seeded = _in_process(seeder, management, "ops-admin")
    if seeder.backend_seeded:
        seeder.root_mfa(management)

    # Production: an administrator with a virtual MFA, a stale CI key; VPCs, SG, TGW.
    iam = seeder.client("iam", prod)
    iam.create_account_alias(AccountAlias="demo-production")
    seeder.admin_group(iam, prod, "Admins")
    seeder.person(iam, prod, "alice", mfa="virtual", groups=("Admins",))
    if seeder.backend_seeded:
        seeder.machine(iam, prod, "ci-deploy", age_days=200, unused_days=120)
    ec2 = seeder.client("ec2", prod)
    core = seeder.vpc(ec2, "prod-core", "10.0.0.0/16", {"Environment": "prod"})
    hub = seeder.vpc(ec2, "vpn-hub", "10.30.0.0/16", {"Environment": "corp"})
    seeder.security_group(
        ec2,
        core,
        "prod-web",
        [
            (22, ["0.0.0.0/0"]),
            (443, ["0.0.0.0/0", "::/0"]),
            (5432, CORPORATE_CIDRS),
            (3389, ["10.30.0.0/16"]),
            (8080, ["10.0.0.0/16"]),
        ],
    )
    tgw = ec2.create_transit_gateway(Description="core")["TransitGateway"]
    seeder.resources["tgw:core"] = tgw["TransitGatewayId"]
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    core_attachment = ""
    for vpc, cidr, zone in ((core, "10.0.1.0/24", "us-east-1a"), (hub, "10.30.1.0/24", "us-east-1a")):
        attachment = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw["TransitGatewayId"],
            VpcId=vpc,
            SubnetIds=[seeder.subnet(ec2, vpc, cidr, zone)],
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        core_attachment = core_attachment or attachment
    ec2.create_transit_gateway_route(
        DestinationCidrBlock="10.0.0.0/16",
        TransitGatewayRouteTableId=table,
        TransitGatewayAttachmentId=core_attachment,
    )
    if seeder.backend_seeded:
        seeder.route_attachments_fix(prod, table)

    # Corporate: a break-glass admin with a security key, a user without MFA; the office VPC
    # peered with production.
    iam = seeder.client("iam", corp)
    iam.create_account_alias(AccountAlias="demo-corporate")
    seeder.person(iam, corp, "dave", mfa="u2f", inline_admin="break-glass")
    seeder.person(iam, corp, "erin")
    corp_ec2 = seeder.client("ec2", corp)
    office = seeder.vpc(corp_ec2, "office", "10.20.0.0/16")
    peering = ec2.create_vpc_peering_connection(VpcId=core, PeerVpcId=office, PeerOwnerId=corp)
    peering_id = peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    corp_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
    seeder.resources["pcx:prod-office"] = peering_id

    # Custody: a signer with a hardware token; HSM cluster(s) and KMS keys.
    iam = seeder.client("iam", custody)
    iam.create_account_alias(AccountAlias="demo-custody")
    seeder.person(iam, custody, "frank", mfa="hardware")
    custody_ec2 = seeder.client("ec2", custody)
    signing = seeder.vpc(custody_ec2, "signing", "10.40.0.0/16")
    subnets = {
        zone: seeder.subnet(custody_ec2, signing, f"10.40.{n}.0/24", zone)
        for n, zone in enumerate(("us-east-1a", "us-east-1b"), start=1)
    }
    kms = seeder.client("kms", custody)
    seeder.kms_key(
        kms,
        "hot-wallet-signer",
        "SIGN_VERIFY",
        "ECC_SECG_P256K1",
        tags={"ValueTier": "hot", "Purpose": "signing"},
    )
    seeder.kms_key(
        kms,
        "imported-signer",
        "SIGN_VERIFY",
        "ECC_SECG_P256K1",
        origin="EXTERNAL",
        tags={"ValueTier": "high"},
    )
    seeder.kms_key(kms, "backup-encryption", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
    if seeder.backend_seeded:
        hsm = seeder.client("cloudhsmv2", custody)
        seeder.hsm_cluster(hsm, custody, "signing-hsm", subnets, ["ACTIVE", "ACTIVE"])
        if demo:
            seeder.hsm_cluster(
                hsm,
                custody,
                "legacy-hsm",
                {"us-east-1a": subnets["us-east-1a"]},
                ["DEGRADED"],
                cluster_state="DEGRADED",
            )

    if demo:
        iam = seeder.client("iam", prod)
        seeder.person(iam, prod, "grace", groups=("Admins",))  # an admin without MFA
        seeder.person(iam, prod, "heidi", mfa="virtual")
        if seeder.backend_seeded:
            seeder.machine(iam, prod, "backup-job", age_days=400, unused_days=300)
        iam = seeder.client("iam", corp)
        for name in ("ivan", "judy", "mallory"):
            seeder.person(iam, corp, name, mfa="virtual" if name != "mallory" else "")
        seeder.kms_key(
            kms,
            "treasury-signer",
            "SIGN_VERIFY",
            "ECC_SECG_P256K1",
            tags={"ValueTier": "high", "Purpose": "signing"},
        )

    for role, account in (("management", management), *accounts.items()):
        ec2 = seeder.client("ec2", None if account == management else account)
        default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        seeder.resources[f"vpc:default:{role}"] = default[0]["VpcId"]

    return DemoOrganisation(
        endpoint_url=endpoint_url,
        seeded_at=seeder.now,
        management_account=management,
        accounts=accounts,
        resources=dict(seeder.resources),
        backend_seeded=seeder.backend_seeded,
    )


def seed_exact_organisation(endpoint_url: str | None = None) -> DemoOrganisation:
    """The small organisation whose every record the collector tests know (see
    tests/collectors/aws/test_exact_organisation.py). `endpoint_url` None: `mock_aws`."""
    return _seed(endpoint_url, demo=False)


def seed_demo_organisation(endpoint_url: str) -> DemoOrganisation:
    """The exact organisation plus more people, a degraded HSM cluster and another signer."""
    return _seed(endpoint_url, demo=True)
