"""A synthetic AWS organisation of any size: a deterministic plan (seeded random) of accounts,
IAM users and security groups, the facts the collectors should store for it, and the seeding
of a moto server's in-process backends with it.

The member accounts are created through the Organizations API (so discovery lists them as
for a real organisation); users, VPCs and security groups are written straight into moto's
backends (`iam_backends[account]["global"]`, `ec2_backends[account][region]`), because
500 accounts x 50 users through the API would take tens of thousands of calls. Roles need no
seeding: moto's STS lets the management account assume `OrganizationAccountAccessRole` in
any account, as the demo (demo/seeder.py) relies on too.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from demo.seeder import ALLOW_ALL, ROLE_NAME

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-1", "us-west-2")
MANAGEMENT_ACCOUNT = "123456789012"  # moto's default account: the caller, and the org's master
PASSWORD = "Synthetic-Password-1!"  # noqa: S105 - a fake user's password in the emulator
# Source ranges of security-group rules: the internet, corporate, and ranges of neither zone
# (the network collector records them all; the evaluation zones them).
INTERNET_SOURCES = ("0.0.0.0/0", "::/0", "203.0.113.0/24")
CORPORATE_CIDR = "10.20.0.0/16"
OTHER_SOURCES = ("10.0.0.0/16", "192.168.10.0/24")
ADMIN_PORTS = (22, 3389, 5432, 6379, 9200)
VPCS = (  # name, CIDR, Environment tag: the zone the collector gives it
    ("prod", "10.0.0.0/16", "production"),
    ("office", CORPORATE_CIDR, "corporate"),
)
ZONES = {
    "production_tags": {"Environment": ["production"]},
    "corporate_tags": {"Environment": ["corporate"]},
    "corporate_cidrs": [CORPORATE_CIDR],
}


@dataclass(frozen=True)
class OrgShape:
    """How big: `accounts` counts the management account too."""

    accounts: int = 500
    regions: int = 2
    users: int = 50
    security_groups: int = 20
    seed: int = 8

    @property
    def region_names(self) -> list[str]:
        return list(REGIONS[: self.regions])


@dataclass(frozen=True)
class PlannedUser:
    name: str
    console: bool
    mfa: str  # "" | virtual | u2f | hardware
    access_keys: int
    admin: str  # "" | group | inline


@dataclass(frozen=True)
class PlannedGroup:
    name: str
    vpc: int  # index into VPCS
    rules: tuple[tuple[int, str], ...]  # (TCP port, source CIDR)

    def paths(self) -> int:
        """Rules the network collector records: every rule that admits a CIDR range, one per
        range and ports (which zones it joins is the evaluation's to derive)."""
        return len(set(self.rules))


@dataclass(frozen=True)
class PlannedAccount:
    index: int
    users: tuple[PlannedUser, ...]
    groups: dict[str, tuple[PlannedGroup, ...]]  # region -> its security groups

    def expected(self, regions: list[str]) -> Counter[str]:
        """Facts by kind its aws_iam and aws_network Runs store; every region also has the
        default VPC AWS (and moto) creates, and every VPC its default network ACL."""
        vpcs = len(VPCS) + 1
        return Counter(
            {
                "cloud.account": 1,
                "identity": len(self.users),
                "credential.access_key": sum(user.access_keys for user in self.users),
                "network.vpc": vpcs * len(regions),
                "network.acl": vpcs * len(regions),
                "network.path": sum(group.paths() for region in regions for group in self.groups[region]),
            }
        )


@dataclass
class SyntheticOrganisation:
    """What was seeded, and where."""

    shape: OrgShape
    endpoint_url: str
    accounts: list[str]  # the management account first
    plans: dict[str, PlannedAccount] = field(default_factory=dict)

    def role_arn(self, account: str) -> str:
        return f"arn:aws:iam::{account}:role/{ROLE_NAME}"

    def expected(self, accounts: list[str] | None = None) -> Counter[str]:
        """Facts by kind of one collection of aws_organization, aws_iam and aws_network over
        `accounts` (default all; the others excluded from discovery)."""
        chosen = self.accounts if accounts is None else accounts
        regions = self.shape.region_names
        total: Counter[str] = Counter()
        for account in chosen:
            total += self.plans[account].expected(regions)
        total["org.account"] = len(self.accounts)  # the whole tree, whoever is collected
        total["collection.scope"] = len(chosen) * (1 + len(regions)) + 1
        return total

    def settings_dict(self, max_workers: int, accounts: list[str] | None = None) -> dict[str, Any]:
        excluded = [] if accounts is None else sorted(set(self.accounts) - set(accounts))
        return {
            "aws": {
                "regions": self.shape.region_names,
                "endpoint_url": self.endpoint_url,
                "organizations": {"enabled": True, "role_name": ROLE_NAME, "exclude_accounts": excluded},
                "retry_mode": "standard",
                "max_attempts": 3,
                "max_workers": max_workers,
            },
            "policy": {"zones": ZONES},
        }


def plan_account(shape: OrgShape, index: int) -> PlannedAccount:
    """The same account for the same shape, seed and index."""
    rng = random.Random(f"{shape.seed}/{index}")
    users = []
    for number in range(shape.users):
        console = rng.random() < 0.7
        mfa = rng.choices(["virtual", "u2f", "hardware", ""], [50, 10, 5, 35])[0] if console else ""
        keys = rng.choices([0, 1, 2], [40, 45, 15])[0] if console else rng.choice([1, 2])
        admin = rng.choices(["", "group", "inline"], [85, 10, 5])[0]
        users.append(PlannedUser(f"user-{number:03d}", console, mfa, keys, admin))
    groups: dict[str, tuple[PlannedGroup, ...]] = {}
    for region in shape.region_names:
        planned = []
        for number in range(shape.security_groups):
            sources = rng.choices(
                [*INTERNET_SOURCES, CORPORATE_CIDR, *OTHER_SOURCES], [6, 2, 2, 6, 42, 42], k=rng.randint(1, 4)
            )
            ports = rng.sample([*ADMIN_PORTS, 80, 443, 8080, 8443], k=len(sources))
            planned.append(
                PlannedGroup(f"sg-{number:03d}", number % len(VPCS), tuple(zip(ports, sources, strict=True)))
            )
        groups[region] = tuple(planned)
    return PlannedAccount(index, tuple(users), groups)


def seed(shape: OrgShape, endpoint_url: str) -> SyntheticOrganisation:
    """Seed the moto server at `endpoint_url`, which must run in this process (its backends
    are written directly). moto's ids are seeded too, so the same shape gives the same ids."""
    from moto.backends import get_backend
    from moto.moto_api._internal import mock_random

    from demo.seeder import Seeder

    mock_random.seed(shape.seed)
    org = Seeder(endpoint_url).client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = [MANAGEMENT_ACCOUNT]
    for index in range(1, shape.accounts):
        status = org.create_account(
            Email=f"account-{index:04d}@synthetic.test", AccountName=f"account-{index:04d}"
        )
        accounts.append(status["CreateAccountStatus"]["AccountId"])
    organisation = SyntheticOrganisation(shape, endpoint_url, accounts)
    iam_backends, ec2_backends = get_backend("iam"), get_backend("ec2")
    for index, account in enumerate(accounts):
        plan = plan_account(shape, index)
        organisation.plans[account] = plan
        _seed_iam(iam_backends[account]["global"], account, plan)
        for region in shape.region_names:
            _seed_network(ec2_backends[account][region], plan.groups[region])
    return organisation


def _seed_iam(iam: Any, account: str, plan: PlannedAccount) -> None:
    iam.create_account_alias(f"synthetic-{plan.index:04d}")
    iam.create_group("Admins")
    iam.put_group_policy("Admins", "admin", ALLOW_ALL)
    for user in plan.users:
        iam.create_user("us-east-1", user.name, tags=[{"Key": "Team", "Value": "synthetic"}])
        if user.console:
            iam.create_login_profile(user.name, PASSWORD)
        serial = ""
        if user.mfa == "virtual":
            serial = iam.create_virtual_mfa_device(user.name, "/").serial_number
        elif user.mfa == "u2f":
            serial = f"arn:aws:iam::{account}:u2f/user/{user.name}/fidosecuritykey-{plan.index:04d}"
        elif user.mfa == "hardware":
            serial = f"GAHT{plan.index:04d}{user.name[-3:]}"
        if serial:
            iam.enable_mfa_device(user.name, serial, "123456", "654321")
        for _ in range(user.access_keys):
            iam.create_access_key(user.name)
        if user.admin == "group":
            iam.add_user_to_group("Admins", user.name)
        elif user.admin == "inline":
            iam.put_user_policy(user.name, "break-glass", ALLOW_ALL)
    # AWS answers COMPLETE for a report younger than four hours: every pass reads the same.
    iam.generate_report()


def _seed_network(ec2: Any, groups: tuple[PlannedGroup, ...]) -> None:
    vpcs = [
        ec2.create_vpc(cidr, tags=[{"Key": "Name", "Value": name}, {"Key": "Environment", "Value": zone}]).id
        for name, cidr, zone in VPCS
    ]
    for group in groups:
        made = ec2.create_security_group(group.name, group.name, vpc_id=vpcs[group.vpc])
        for port, cidr in group.rules:
            ranges = [{"CidrIpv6": cidr}] if ":" in cidr else [{"CidrIp": cidr}]
            ec2.authorize_security_group_ingress(made.id, "tcp", port, port, ranges, vpc_id=vpcs[group.vpc])
