"""Seeds a moto server (or in-process `mock_aws`) with a demo crypto platform's AWS estate.

The organisation: a management account (under the root) and three members in
organisational units: production in Workloads/Production, custody and corporate sharing
Platform. Most of it goes through the ordinary AWS APIs, and AWS's AdministratorAccess
policy through moto's documented configuration. What moto cannot do through its API (root
MFA, HSMs in a cluster, access-key ages, transit-gateway route attachments) goes through
demo/moto_gaps.py, which needs moto in this process (`mock_aws` or
`ThreadedMotoServer`); `DemoOrganisation.backend_seeded` says whether that part happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from demo import moto_gaps
from demo.seeder import (
    CORPORATE_CIDRS,
    PRODUCTION_CIDRS,
    REGION,
    ROLE_NAME,
    SIGNING_CIDRS,
    Seeder,
    acl_entry,
)


@dataclass
class DemoOrganisation:
    """What was seeded: account ids by role, resource ids by name, and how to configure."""

    endpoint_url: str | None
    management_account: str
    accounts: dict[str, str]  # production / corporate / custody -> account id
    regions: list[str] = field(default_factory=lambda: [REGION])
    # e.g. "vpc:prod-core" -> vpc id; "acl:prod-core" is that VPC's default network ACL
    resources: dict[str, str] = field(default_factory=dict)
    subnets: dict[str, list[str]] = field(default_factory=dict)  # VPC id -> its subnet ids
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
        """`aws`, `policy.zones` and the signing subnets for `vaultward.config.settings.parse_settings`.
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
        return {
            "aws": aws,
            "policy": {"zones": self.zone_rules(), "custody": {"signing_cidrs": list(SIGNING_CIDRS)}},
        }


def _place_in_units(org: Any, seeder: Seeder, units: dict[str, list[str]]) -> None:
    """Create each OU (path of names below the root, parents first) and move its accounts in
    from the root; ids land in `seeder.resources` as "ou:<path>" and "ou:Root"."""
    [root] = org.list_roots()["Roots"]
    seeder.resources["ou:Root"] = root["Id"]
    for path, accounts in units.items():
        parent, _, name = path.rpartition("/")
        unit = org.create_organizational_unit(ParentId=seeder.resources[f"ou:{parent or 'Root'}"], Name=name)
        seeder.resources[f"ou:{path}"] = unit["OrganizationalUnit"]["Id"]
        for account in accounts:
            org.move_account(
                AccountId=account,
                SourceParentId=root["Id"],
                DestinationParentId=seeder.resources[f"ou:{path}"],
            )


def _seed(endpoint_url: str | None, demo: bool, now: datetime | None = None) -> DemoOrganisation:
    with moto_gaps.aws_managed_policies():
        return _seed_organisation(endpoint_url, demo, now)


ACCOUNT_TEAMS = {"production": "platform", "corporate": "it", "custody": "treasury"}


def _seed_organisation(endpoint_url: str | None, demo: bool, now: datetime | None) -> DemoOrganisation:
    seeder = Seeder(endpoint_url, now)
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = {}
    for role in ("production", "corporate", "custody"):
        status = org.create_account(Email=f"{role}@demo.vaultward.test", AccountName=role)
        accounts[role] = status["CreateAccountStatus"]["AccountId"]
        # Who runs each account, as an Organizations tag ([policy.owners] names owners by it).
        org.tag_resource(ResourceId=accounts[role], Tags=[{"Key": "Team", "Value": ACCOUNT_TEAMS[role]}])
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    prod, corp, custody = accounts["production"], accounts["corporate"], accounts["custody"]

    # Organisational units: production under Workloads; custody shares Platform with corporate.
    _place_in_units(
        org, seeder, {"Workloads": [], "Workloads/Production": [prod], "Platform": [custody, corp]}
    )

    # Management: root MFA on, one administrator without MFA (inline allow-all).
    iam = seeder.client("iam")
    iam.create_account_alias(AccountAlias="demo-management")
    seeder.person(iam, management, "ops-admin", inline_admin="full")
    seeder.backend_seeded = moto_gaps.runs_in_process(management, "ops-admin")
    if seeder.backend_seeded:
        moto_gaps.enable_root_mfa(management)

    # Production: an administrator with a virtual MFA, a stale CI key; VPCs, SG, TGW.
    iam = seeder.client("iam", prod)
    iam.create_account_alias(AccountAlias="demo-production")
    seeder.admin_group(iam, "Admins")
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
    # The HSM subnets on an ACL that admits CloudHSM's ports from the signing service only;
    # the VPC's default ACL locked by a deny-all numbered before AWS's allow-all rule 100.
    seeder.network_acl(
        custody_ec2,
        signing,
        "signing-hsm",
        [
            acl_entry(100, "allow", SIGNING_CIDRS[0], tcp=(2223, 2225)),
            acl_entry(100, "allow", SIGNING_CIDRS[0], tcp=(1024, 65535), egress=True),
        ],
        list(subnets.values()),
    )
    locked = acl_entry(90, "deny", "0.0.0.0/0")
    custody_ec2.create_network_acl_entry(NetworkAclId=seeder.resources["acl:signing"], **locked)
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
        group = seeder.hsm_security_group(custody_ec2, signing, "signing-hsm", SIGNING_CIDRS)
        seeder.hsm_cluster(
            hsm, custody, "signing-hsm", subnets, ["ACTIVE", "ACTIVE"], vpc=signing, security_group=group
        )
        if demo:
            # Reachable from the office network too, as a leftover from its set-up.
            group = seeder.hsm_security_group(custody_ec2, signing, "legacy-hsm", CORPORATE_CIDRS)
            seeder.hsm_cluster(
                hsm,
                custody,
                "legacy-hsm",
                {"us-east-1a": subnets["us-east-1a"]},
                ["DEGRADED"],
                cluster_state="DEGRADED",
                vpc=signing,
                security_group=group,
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
        default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        seeder.resources[f"vpc:default:{role}"] = default
        seeder.resources[f"acl:default:{role}"] = seeder.default_acl(ec2, default)
        in_vpc = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"]
        seeder.subnets[default] = [subnet["SubnetId"] for subnet in in_vpc]

    return DemoOrganisation(
        endpoint_url=endpoint_url,
        seeded_at=seeder.now,
        management_account=management,
        accounts=accounts,
        resources=dict(seeder.resources),
        subnets=dict(seeder.subnets),
        backend_seeded=seeder.backend_seeded,
    )


def seed_exact_organisation(endpoint_url: str | None = None) -> DemoOrganisation:
    """The small organisation whose every record the collector tests know (see
    tests/collectors/aws/test_exact_organisation.py). `endpoint_url` None: `mock_aws`."""
    return _seed(endpoint_url, demo=False)


def seed_demo_organisation(endpoint_url: str, now: datetime | None = None) -> DemoOrganisation:
    """The exact organisation plus more people, a degraded HSM cluster and another signer.
    `now`: the day back-dated access keys count from (default: the clock)."""
    return _seed(endpoint_url, demo=True, now=now)
