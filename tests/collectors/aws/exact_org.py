"""Every record the AWS collectors (iam, custody, network, organization) must yield for
`seed_exact_organisation`."""

from __future__ import annotations

from datetime import timedelta

from demo.organisation import DemoOrganisation
from tests.factories import zone_rule
from vaultward.contract.records import (
    AccessKey,
    AclEntry,
    CloudAccount,
    HsmCluster,
    Identity,
    IngressSource,
    NetworkAcl,
    NetworkPath,
    OrgAccount,
    PortRange,
    Record,
    SigningKey,
    Vpc,
)
from vaultward.derived.zones import VpcZone

REGION = "us-east-1"
ALL = PortRange(protocol="-1")


def _entry(rule: int, action: str, cidr: str, ports: PortRange = ALL, egress: bool = False) -> AclEntry:
    return AclEntry(rule_number=rule, egress=egress, action=action, cidr=cidr, ports=ports)  # type: ignore[arg-type]


# What AWS puts in a VPC's default ACL: allow everything (rule 100), then the catch-all deny.
DEFAULT_ENTRIES = [
    _entry(100, "allow", "0.0.0.0/0"),
    _entry(32767, "deny", "0.0.0.0/0"),
    _entry(100, "allow", "0.0.0.0/0", egress=True),
    _entry(32767, "deny", "0.0.0.0/0", egress=True),
]


def _person(account: str, name: str, **fields) -> Identity:
    values = dict(
        key=f"arn:aws:iam::{account}:user/{name}",
        name=name,
        scope=f"aws:{account}",
        source="aws_iam",
        account=account,
        person=True,
        privileged=False,
        console_access=True,
        mfa_enrolled=True,
        programmatic_access=False,
    )
    values.update(fields)
    values.setdefault("full_admin", values["privileged"])  # IAM's privileged routes grant * on *
    return Identity(**values)


def _account(account: str, alias: str, **fields) -> CloudAccount:
    values = dict(
        key=f"aws:{account}",
        name=alias,
        scope=f"aws:{account}",
        account_id=account,
        alias=alias,
        root_mfa_enabled=False,
        root_access_keys_present=False,
    )
    values.update(fields)
    return CloudAccount(**values)


def iam_records(org: DemoOrganisation) -> dict[str, list[Record]]:
    mgmt, prod = org.management_account, org.accounts["production"]
    corp, custody = org.accounts["corporate"], org.accounts["custody"]
    assert org.seeded_at is not None
    ci = f"arn:aws:iam::{prod}:user/ci-deploy"
    return {
        f"aws:{mgmt}": [
            _account(mgmt, "demo-management", root_mfa_enabled=True),
            _person(
                mgmt, "ops-admin", privileged=True, privileged_via=["inline:user/full"], mfa_enrolled=False
            ),
        ],
        f"aws:{prod}": [
            _account(prod, "demo-production"),
            _person(
                prod,
                "alice",
                privileged=True,
                factor_kinds=["virtual"],
                privileged_via=["group:Admins/AdministratorAccess"],
            ),
            _person(
                prod,
                "ci-deploy",
                console_access=False,
                programmatic_access=True,
                mfa_enrolled=False,
                last_used_at=org.seeded_at - timedelta(days=120),
            ),
            AccessKey(
                key=f"{ci}#access_key_1",
                name="ci-deploy access key 1",
                scope=f"aws:{prod}",
                source="aws_iam",
                account=prod,
                identity=ci,
                active=True,
                created_at=org.seeded_at - timedelta(days=200),
                last_used_at=org.seeded_at - timedelta(days=120),
            ),
        ],
        f"aws:{corp}": [
            _account(corp, "demo-corporate"),
            _person(
                corp,
                "dave",
                privileged=True,
                privileged_via=["inline:user/break-glass"],
                factor_kinds=["u2f"],
            ),
            _person(corp, "erin", mfa_enrolled=False),
        ],
        f"aws:{custody}": [
            _account(custody, "demo-custody"),  # production by policy.zones, at evaluation
            _person(custody, "frank", factor_kinds=["hardware_totp"]),
        ],
    }


def custody_records(org: DemoOrganisation) -> dict[str, list[Record]]:
    custody = org.accounts["custody"]
    scope = f"aws:{custody}/{REGION}"
    where = dict(scope=scope, account=custody, region=REGION)
    res = org.resources
    common = dict(enabled=True, state="Enabled", manager="CUSTOMER", **where)
    hsm_ports = PortRange(protocol="tcp", from_port=2223, to_port=2225)

    def key(alias: str, **fields) -> SigningKey:
        arn = res[f"kms:{alias}"]
        return SigningKey(key=arn, arn=arn, name=f"alias/{alias}", description=alias, **common, **fields)

    return {
        **{f"aws:{a}/{REGION}": [] for a in org.all_accounts if a != custody},
        scope: [
            HsmCluster(
                key=res["hsm:signing-hsm"],
                name="signing-hsm",
                state="ACTIVE",
                mode="FIPS",
                hsm_count=2,
                active_hsm_count=2,
                availability_zones=["us-east-1a", "us-east-1b"],
                vpc_id=res["vpc:signing"],
                security_group=res["sg:cloudhsm-signing-hsm"],
                security_group_name="cloudhsm-signing-hsm-sg",
                ingress=[
                    IngressSource(source=source, source_kind=kind, ports=hsm_ports)
                    for source, kind in (
                        ("10.40.8.0/24", "cidr"),
                        (res["sg:cloudhsm-signing-hsm"], "security_group"),
                    )
                ],
                **where,
            ),
            key(
                "hot-wallet-signer",
                origin="AWS_KMS",
                key_usage="SIGN_VERIFY",
                key_spec="ECC_SECG_P256K1",
                tags={"ValueTier": "hot", "Purpose": "signing"},
            ),
            key(
                "imported-signer",
                origin="EXTERNAL",
                key_usage="SIGN_VERIFY",
                key_spec="ECC_SECG_P256K1",
                tags={"ValueTier": "high"},
            ),
            key(
                "backup-encryption",
                origin="AWS_KMS",
                key_usage="ENCRYPT_DECRYPT",
                key_spec="SYMMETRIC_DEFAULT",
            ),
        ],
    }


def network_records(org: DemoOrganisation) -> dict[str, list[Record]]:
    mgmt, prod = org.management_account, org.accounts["production"]
    corp, custody = org.accounts["corporate"], org.accounts["custody"]
    res = org.resources
    core, hub, office = res["vpc:prod-core"], res["vpc:vpn-hub"], res["vpc:office"]
    web, hsm_group = res["sg:prod-web"], res["sg:cloudhsm-signing-hsm"]

    def where(account: str, path: bool = False) -> dict:
        """Where a record was collected; a VPC also records its owner (the same account)."""
        values = dict(scope=f"aws:{account}/{REGION}", account=account, region=REGION)
        return values if path else {**values, "owner": account, "ingress_recorded": True}

    def default(role: str, account: str, **fields) -> Vpc:
        return Vpc(key=res[f"vpc:default:{role}"], cidrs=["172.31.0.0/16"], **where(account), **fields)

    def rule(cidr: str, port: int) -> NetworkPath:
        """A rule of prod-web, recorded whatever its range (its zones: `path_zones`)."""
        return NetworkPath(
            key=f"{web}/ingress/{cidr}/tcp/{port}-{port}",
            name="prod-web",
            path_kind="security_group",
            from_ref=cidr,
            to_ref=web,
            ports=[PortRange(protocol="tcp", from_port=port, to_port=port)],
            vpcs=[core],
            **where(prod, path=True),
        )

    def peering(account: str) -> NetworkPath:
        return NetworkPath(
            key=res["pcx:prod-office"],
            path_kind="vpc_peering",
            from_ref=core,
            to_ref=office,
            from_account=prod,
            to_account=corp,
            from_cidrs=["10.0.0.0/16"],
            to_cidrs=["10.20.0.0/16"],
            vpcs=[core, office],
            **where(account, path=True),
        )

    signing_lock = _entry(90, "deny", "0.0.0.0/0")

    def acl(resource: str, vpc: str, account: str, zone: str = "unknown", **fields) -> NetworkAcl:
        """ACL `acl:<resource>` of VPC `vpc:<vpc>`: a default ACL, unless `fields` say otherwise.
        `zone` is its VPC's, derived at evaluation (`network_zones`), not recorded."""
        values = dict(
            key=res[f"acl:{resource}"],
            vpc_id=res[f"vpc:{vpc}"],
            default=True,
            subnets=sorted(org.subnets.get(res[f"vpc:{vpc}"], [])),
            entries=DEFAULT_ENTRIES,
            **where(account, path=True),
        )
        values.update(fields)
        return NetworkAcl(**values)

    return {
        f"aws:{mgmt}/{REGION}": [
            default("management", mgmt),
            acl("default:management", "default:management", mgmt),
        ],
        f"aws:{prod}/{REGION}": [
            default("production", prod),
            acl("default:production", "default:production", prod),
            acl("prod-core", "prod-core", prod, "production"),
            acl("vpn-hub", "vpn-hub", prod, "corporate"),
            Vpc(
                key=core,
                name="prod-core",
                cidrs=["10.0.0.0/16"],
                tags={"Name": "prod-core", "Environment": "prod"},
                **where(prod),
            ),
            Vpc(
                key=hub,
                name="vpn-hub",
                cidrs=["10.30.0.0/16"],
                tags={"Name": "vpn-hub", "Environment": "corp"},
                **where(prod),
            ),
            peering(prod),
            rule("0.0.0.0/0", 22),
            rule("0.0.0.0/0", 443),
            rule("::/0", 443),
            rule("10.20.0.0/16", 5432),
            rule("10.30.0.0/16", 3389),
            rule("10.0.0.0/16", 8080),  # prod-core's own range
            NetworkPath(
                key=f"{res['tgw:core']}/{hub}-{core}",
                path_kind="transit_gateway",
                from_ref=hub,
                to_ref=core,
                from_account=prod,
                to_account=prod,
                to_cidrs=["10.0.0.0/16"],  # the route table's destination for prod-core
                vpcs=[hub, core],
                **where(prod, path=True),
            ),
        ],
        f"aws:{corp}/{REGION}": [
            default("corporate", corp),
            acl("default:corporate", "default:corporate", corp),
            acl("office", "office", corp, "corporate"),
            Vpc(
                key=office,
                name="office",
                cidrs=["10.20.0.0/16"],
                tags={"Name": "office"},
                **where(corp),
            ),
            peering(corp),  # seen from the accepter's side: prod-core zoned by its CIDR
        ],
        f"aws:{custody}/{REGION}": [
            default("custody", custody),
            acl("default:custody", "default:custody", custody, "production"),
            # the HSM subnets moved to signing-hsm; the default ACL locked by rule 90
            acl(
                "signing",
                "signing",
                custody,
                "production",
                subnets=[],
                entries=[signing_lock, *DEFAULT_ENTRIES],
            ),
            acl(
                "signing-hsm",
                "signing",
                custody,
                "production",
                name="signing-hsm",
                default=False,
                entries=[
                    _entry(
                        100, "allow", "10.40.8.0/24", PortRange(protocol="tcp", from_port=2223, to_port=2225)
                    ),
                    _entry(
                        100,
                        "allow",
                        "10.40.8.0/24",
                        PortRange(protocol="tcp", from_port=1024, to_port=65535),
                        egress=True,
                    ),
                ],
            ),
            Vpc(
                key=res["vpc:signing"],
                name="signing",
                cidrs=["10.40.0.0/16"],
                tags={"Name": "signing"},
                **where(custody),
            ),
            # The HSMs' group admits the signing service's range: recorded, though it joins no
            # zones (`path_zones`).
            NetworkPath(
                key=f"{hsm_group}/ingress/10.40.8.0/24/tcp/2223-2225",
                name="cloudhsm-signing-hsm-sg",
                path_kind="security_group",
                from_ref="10.40.8.0/24",
                to_ref=hsm_group,
                ports=[PortRange(protocol="tcp", from_port=2223, to_port=2225)],
                vpcs=[res["vpc:signing"]],
                **where(custody, path=True),
            ),
        ],
    }


def network_zones(org: DemoOrganisation) -> dict[str, VpcZone]:
    """The zone of each VPC of `network_records` under the organisation's policy, derived at
    evaluation (`ctx.zones`): every rule that matched, the first one giving the zone."""
    res, custody = org.resources, org.accounts["custody"]
    unknown = {res[f"vpc:default:{role}"]: VpcZone() for role in ("management", "production", "corporate")}
    by_account = (zone_rule("account", "production", f"account {custody}"),)
    custody_reason = f"account {custody} is a production account"
    return {
        **unknown,
        res["vpc:prod-core"]: VpcZone(
            "production",
            "tag Environment=prod",
            # the tag and the CIDR agree: no conflict
            (
                zone_rule("tag", "production", "tag Environment=prod"),
                zone_rule("cidr", "production", "CIDR 10.0.0.0/16"),
            ),
        ),
        res["vpc:vpn-hub"]: VpcZone(
            "corporate", "tag Environment=corp", (zone_rule("tag", "corporate", "tag Environment=corp"),)
        ),
        res["vpc:office"]: VpcZone(
            "corporate",
            "CIDR 10.20.0.0/16 inside corporate_cidrs",
            (zone_rule("cidr", "corporate", "CIDR 10.20.0.0/16"),),
        ),
        res["vpc:default:custody"]: VpcZone("production", custody_reason, by_account),
        res["vpc:signing"]: VpcZone("production", custody_reason, by_account),
    }


def path_zones(org: DemoOrganisation) -> dict[str, tuple[str, str] | None]:
    """The zones each path of `network_records` joins under the organisation's policy,
    derived at evaluation (`ctx.zones.path`); None for a rule that joins none."""
    res = org.resources
    core, hub, web = res["vpc:prod-core"], res["vpc:vpn-hub"], res["sg:prod-web"]
    rules = {
        f"{web}/ingress/0.0.0.0/0/tcp/22-22": ("internet", "production"),
        f"{web}/ingress/0.0.0.0/0/tcp/443-443": ("internet", "production"),
        f"{web}/ingress/::/0/tcp/443-443": ("internet", "production"),
        f"{web}/ingress/10.20.0.0/16/tcp/5432-5432": ("corporate", "production"),  # corporate_cidrs
        f"{web}/ingress/10.30.0.0/16/tcp/3389-3389": ("corporate", "production"),  # vpn-hub's range
        f"{web}/ingress/10.0.0.0/16/tcp/8080-8080": None,  # inside prod-core: no zones joined
        f"{res['sg:cloudhsm-signing-hsm']}/ingress/10.40.8.0/24/tcp/2223-2225": None,  # signing's own
    }
    return {
        **rules,
        res["pcx:prod-office"]: ("production", "corporate"),
        f"{res['tgw:core']}/{hub}-{core}": ("corporate", "production"),
    }


def organization_records(org: DemoOrganisation) -> dict[str, list[Record]]:
    """One scope, the management account: where each account sits (custody is production by
    policy.zones, derived at evaluation)."""
    mgmt, res = org.management_account, org.resources
    root, workloads, production = res["ou:Root"], res["ou:Workloads"], res["ou:Workloads/Production"]

    def member(account: str, name: str, ou_ids: list[str], ou_path: str, **fields) -> OrgAccount:
        return OrgAccount(
            key=f"aws:{account}",
            name=name,
            scope=f"aws:{mgmt}",
            account_id=account,
            status="ACTIVE",
            parent_id=ou_ids[-1],
            ou_ids=ou_ids,
            ou_path=ou_path,
            **fields,
        )

    platform = [root, res["ou:Platform"]]
    return {
        f"aws:{mgmt}": [
            member(mgmt, "master", [root], "Root", tags={}),  # moto names the management account "master"
            member(
                org.accounts["production"],
                "production",
                [root, workloads, production],
                "Root/Workloads/Production",
                tags={"Team": "platform"},
            ),
            member(org.accounts["corporate"], "corporate", platform, "Root/Platform", tags={"Team": "it"}),
            member(
                org.accounts["custody"], "custody", platform, "Root/Platform", tags={"Team": "treasury"}
            ),  # production by policy.zones, at evaluation
        ]
    }


def comparable(records: list) -> list:
    """Sorted by kind and key; identities' creation times are moto's clock, so dropped."""
    out = []
    for record in records:
        if isinstance(record, Identity):
            record = record.model_copy(update={"created_at": None})
        out.append(record)
    return sorted(out, key=lambda r: (r.kind, r.key))
