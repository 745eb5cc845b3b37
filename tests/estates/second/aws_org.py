"""Northwind Digital Assets' AWS organisation, seeded into moto: three accounts in one region,
written for the second estate and different from the demo's.

- management (under the root): root MFA on; `nadia` (console, FIDO security key, inline
  allow-all); an unclassified VPC `analytics` (10.70.0.0/16, untagged, in no zone list) with a
  group open on 22 to the internet, peered to production's default VPC; a multi-region trail
  that is logging; GuardDuty enabled.
- production (OU Production, listed in `production_accounts`): root without MFA; `priya`
  (console, virtual MFA, in group Admins with AdministratorAccess); `ci-runner` (no console,
  one access key 200 days old, used 10 days ago, inline allow-all: a key-only admin machine
  user); the untagged default VPC with a group open on 22 and 3389 to 0.0.0.0/0; `payments`
  (Environment=prod) peered with `corp-tools` (Environment=corp: the tag says corporate,
  the account says production); a single-region trail; a suspended GuardDuty detector; a
  secp256k1 signing key generated in KMS.
- corporate (OU Corporate, listed in `corporate_accounts`): root without MFA; `omar`
  (console, no MFA), `old-contractor` (console, no MFA, tied to no e-mail); `office`
  (10.60.0.0/16) with a group open on 3389 to the internet, peered with production's default
  VPC; no trail, no GuardDuty detector.

What moto's API cannot set (root MFA, access-key ages) goes through
demo/moto_gaps.py, which needs moto in this process (`ThreadedMotoServer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from demo import moto_gaps
from demo.seeder import REGION, ROLE_NAME, Seeder

CORPORATE_CIDRS = ["10.60.0.0/16"]


@dataclass
class NorthwindAws:
    endpoint_url: str
    management: str
    production: str
    corporate: str
    resources: dict[str, str] = field(default_factory=dict)  # "vpc:payments" -> vpc id, ...
    seeded_at: datetime | None = None

    def role_arn(self, account: str) -> str:
        return f"arn:aws:iam::{account}:role/{ROLE_NAME}"

    def user(self, account: str, name: str) -> str:
        return f"arn:aws:iam::{account}:user/{name}"

    def aws_settings(self) -> dict[str, Any]:
        return {
            "regions": [REGION],
            "endpoint_url": self.endpoint_url,
            "retry_mode": "standard",
            "max_attempts": 2,
            "accounts": [
                {"account_id": self.management, "name": "management"},
                {"role_arn": self.role_arn(self.production), "name": "production"},
                {"role_arn": self.role_arn(self.corporate), "name": "corporate"},
            ],
        }

    def zones(self) -> dict[str, Any]:
        return {
            "production_accounts": [self.production],
            "corporate_accounts": [self.corporate],
            "corporate_cidrs": list(CORPORATE_CIDRS),
        }

    def aliases(self) -> dict[str, str]:
        """IAM users carry no e-mail: the configuration ties the people's users to them."""
        return {
            self.user(self.management, "nadia"): "nadia@northwind.example",
            self.user(self.production, "priya"): "priya@northwind.example",
            self.user(self.corporate, "omar"): "omar@northwind.example",
        }


def _open_group(seeder: Seeder, ec2: Any, vpc: str, name: str, ports: list[int]) -> str:
    return seeder.security_group(ec2, vpc, name, [(port, ["0.0.0.0/0"]) for port in ports])


def _default_vpc(seeder: Seeder, ec2: Any, name: str) -> str:
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    seeder.resources[f"vpc:{name}"] = vpc
    seeder.resources[f"acl:{name}"] = seeder.default_acl(ec2, vpc)
    return vpc


def _peer(requester: Any, accepter: Any, vpc: str, peer_vpc: str, peer_owner: str) -> str:
    peering = requester.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc, PeerOwnerId=peer_owner)
    peering_id = peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    accepter.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
    return peering_id


def _trail(seeder: Seeder, account: str | None, name: str, multi_region: bool) -> None:
    s3 = seeder.client("s3", account)
    bucket = f"northwind-{name}-{account or 'management'}"
    s3.create_bucket(Bucket=bucket)
    cloudtrail = seeder.client("cloudtrail", account)
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region)
    cloudtrail.start_logging(Name=name)


def seed_northwind(endpoint_url: str) -> NorthwindAws:
    with moto_gaps.aws_managed_policies():
        return _seed(endpoint_url)


def _seed(endpoint_url: str) -> NorthwindAws:
    seeder = Seeder(endpoint_url)
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = {}
    for role in ("production", "corporate"):
        status = org.create_account(Email=f"aws-{role}@northwind.example", AccountName=f"northwind-{role}")
        ids[role] = status["CreateAccountStatus"]["AccountId"]
    mgmt = org.describe_organization()["Organization"]["MasterAccountId"]
    prod, corp = ids["production"], ids["corporate"]
    [root] = org.list_roots()["Roots"]
    for name, account in (("Production", prod), ("Corporate", corp)):
        unit = org.create_organizational_unit(ParentId=root["Id"], Name=name)["OrganizationalUnit"]["Id"]
        seeder.resources[f"ou:{name}"] = unit
        org.move_account(AccountId=account, SourceParentId=root["Id"], DestinationParentId=unit)

    # management
    iam = seeder.client("iam")
    iam.create_account_alias(AccountAlias="northwind-management")
    seeder.person(iam, mgmt, "nadia", mfa="u2f", inline_admin="administrator")
    if not moto_gaps.runs_in_process(mgmt, "nadia"):
        raise RuntimeError("the second estate needs moto in this process (ThreadedMotoServer)")
    moto_gaps.enable_root_mfa(mgmt)
    ec2_mgmt = seeder.client("ec2")
    _default_vpc(seeder, ec2_mgmt, "default:management")
    analytics = seeder.vpc(ec2_mgmt, "analytics", "10.70.0.0/16")
    _open_group(seeder, ec2_mgmt, analytics, "jupyter", [22])
    _trail(seeder, None, "org-audit", multi_region=True)
    seeder.resources["guardduty:management"] = seeder.client("guardduty").create_detector(Enable=True)[
        "DetectorId"
    ]

    # production
    iam = seeder.client("iam", prod)
    iam.create_account_alias(AccountAlias="northwind-production")
    seeder.admin_group(iam, "Admins")
    seeder.person(iam, prod, "priya", mfa="virtual", groups=("Admins",))
    seeder.machine(iam, prod, "ci-runner", age_days=200, unused_days=10)
    iam.put_user_policy(
        UserName="ci-runner",
        PolicyName="deploy-everything",
        PolicyDocument='{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    )
    ec2_prod = seeder.client("ec2", prod)
    default_prod = _default_vpc(seeder, ec2_prod, "default:production")
    _open_group(seeder, ec2_prod, default_prod, "legacy-bastion", [22, 3389])
    payments = seeder.vpc(ec2_prod, "payments", "10.50.0.0/16", {"Environment": "prod"})
    corp_tools = seeder.vpc(ec2_prod, "corp-tools", "10.51.0.0/16", {"Environment": "corp"})
    seeder.resources["pcx:payments-corp-tools"] = _peer(ec2_prod, ec2_prod, payments, corp_tools, prod)
    _trail(seeder, prod, "prod-local", multi_region=False)
    detector = seeder.client("guardduty", prod).create_detector(Enable=False)["DetectorId"]
    seeder.resources["guardduty:production"] = detector
    seeder.kms_key(
        seeder.client("kms", prod),
        "payments-signer",
        "SIGN_VERIFY",
        "ECC_SECG_P256K1",
        tags={"Purpose": "signing"},
    )

    # corporate
    iam = seeder.client("iam", corp)
    iam.create_account_alias(AccountAlias="northwind-corporate")
    seeder.person(iam, corp, "omar")
    seeder.person(iam, corp, "old-contractor")
    ec2_corp = seeder.client("ec2", corp)
    _default_vpc(seeder, ec2_corp, "default:corporate")
    office = seeder.vpc(ec2_corp, "office", "10.60.0.0/16")
    _open_group(seeder, ec2_corp, office, "office-rdp", [3389])

    # peerings into production's default VPC: from the unclassified analytics VPC, and from
    # the office
    seeder.resources["pcx:analytics-prod"] = _peer(ec2_mgmt, ec2_prod, analytics, default_prod, prod)
    seeder.resources["pcx:office-prod"] = _peer(ec2_corp, ec2_prod, office, default_prod, prod)

    return NorthwindAws(
        endpoint_url=endpoint_url,
        management=mgmt,
        production=prod,
        corporate=corp,
        resources=dict(seeder.resources),
        seeded_at=seeder.now,
    )
