"""Network mapper from captured payloads (moto 5.2; the static transit-gateway route's
attachments are restored in moto's backend before capture, see capture_payloads.py)."""

from __future__ import annotations

import pytest

from collectors.aws import network_mapper
from tests.collectors.aws.payloads import load
from vaultward.config.policy import ZoneRules
from vaultward.contract.records import NetworkPath, PortRange, Vpc, ZoneClassification
from vaultward.derived.zone_rules import classifications, source_zone
from vaultward.derived.zones import VpcZone, Zones, conflict_line

ACCOUNT, REGION = "123456789012", "us-east-1"
DEFAULT, CORE, HUB = "vpc-dd09b8179a5fe3f89", "vpc-518840363e5a3dc5f", "vpc-15481848e3a24abaf"
OFFICE, LAB = "vpc-91cc0e2790242fdd5", "vpc-2dedcd0b86359f222"
WEB, OFFICE_SSH = "sg-25e66e1dc3565a950", "sg-18946f02ba61fe295"
ZONES = ZoneRules(corporate_cidrs=["10.20.0.0/16"])
WHERE = dict(account=ACCOUNT, region=REGION)
OWNED = dict(owner=ACCOUNT, ingress_recorded=True, **WHERE)


def zone_candidates(vpc: Vpc, zones: ZoneRules) -> tuple[str, ...]:
    return Zones(zones).vpc(vpc).candidates


def zone_conflicts(vpcs: list[Vpc], zones: ZoneRules) -> list[Vpc]:
    return Zones(zones, vpcs).conflicts()


def joined(paths: list[NetworkPath], vpcs: list[Vpc], zones: ZoneRules) -> list:
    """Each path's zones (from, to) under `zones` as evaluation derives them, None when the
    path joins no zones."""
    view = Zones(zones, vpcs)
    return [view.path(path) for path in paths]


def _says(rule: str, zone: str, matched: str) -> ZoneClassification:
    return ZoneClassification(rule=rule, zone=zone, matched=matched)  # type: ignore[arg-type]


@pytest.fixture
def vpcs() -> list[Vpc]:
    return network_mapper.map_vpcs(load("ec2_vpcs.json")["Vpcs"], ACCOUNT, REGION)


def test_vpc_zones_from_tags_and_cidrs(vpcs):
    # The mapper records observations only: owner, CIDRs, tags.
    assert vpcs == [
        Vpc(key=DEFAULT, cidrs=["172.31.0.0/16"], **OWNED),
        Vpc(
            key=CORE,
            name="prod-core",
            cidrs=["10.0.0.0/16"],
            tags={"Name": "prod-core", "Environment": "Production"},
            **OWNED,
        ),
        Vpc(
            key=HUB,
            name="vpn-hub",
            cidrs=["10.30.0.0/16"],
            tags={"Name": "vpn-hub", "Zone": "corporate"},
            **OWNED,
        ),
        Vpc(key=OFFICE, name="office", cidrs=["10.20.0.0/16"], tags={"Name": "office"}, **OWNED),
        Vpc(key=LAB, name="lab", cidrs=["192.168.0.0/16"], tags={"Name": "lab"}, **OWNED),
    ]
    # The zones are derived from them under the policy.
    zones = Zones(ZONES)
    assert [zones.vpc(vpc) for vpc in vpcs] == [
        VpcZone(),
        VpcZone(
            "production",
            "tag Environment=Production",
            (_says("tag", "production", "tag Environment=Production"),),
        ),
        VpcZone("corporate", "tag Zone=corporate", (_says("tag", "corporate", "tag Zone=corporate"),)),
        VpcZone(
            "corporate",
            "CIDR 10.20.0.0/16 inside corporate_cidrs",
            (_says("cidr", "corporate", "CIDR 10.20.0.0/16"),),
        ),
        VpcZone(),
    ]


def test_account_rule_wins_over_tags():
    zones = ZoneRules(corporate_accounts=[ACCOUNT], production_cidrs=["10.0.0.0/8"])
    [core] = [
        v for v in network_mapper.map_vpcs(load("ec2_vpcs.json")["Vpcs"], ACCOUNT, REGION) if v.key == CORE
    ]
    zoned = Zones(zones).vpc(core)
    assert (zoned.zone, zoned.reason) == ("corporate", f"account {ACCOUNT} is a corporate account")
    # The tag and the CIDR disagree with the account: all three are kept, the conflict shown.
    assert zoned.classifications == (
        _says("account", "corporate", f"account {ACCOUNT}"),
        _says("tag", "production", "tag Environment=Production"),
        _says("cidr", "production", "CIDR 10.0.0.0/16"),
    )
    [(rule, reason)] = classifications("999999999999", {}, ["10.1.0.0/24"], zones)
    assert (rule.zone, reason) == ("production", "CIDR 10.1.0.0/24 inside production_cidrs")
    # A VPC only partly inside the ranges is not classified by CIDR.
    assert classifications("9", {}, ["10.1.0.0/24", "172.16.0.0/24"], zones) == []


def test_active_peerings_only(vpcs):
    paths = network_mapper.map_peerings(
        load("ec2_vpc_peering_connections.json")["VpcPeeringConnections"], ACCOUNT, REGION
    )
    assert paths == [
        NetworkPath(
            key="pcx-8cf18d1bcf6278022",
            path_kind="vpc_peering",
            from_ref=CORE,
            to_ref=OFFICE,
            from_account=ACCOUNT,  # each side's OwnerId
            to_account=ACCOUNT,
            from_cidrs=["10.0.0.0/16"],  # each side's CIDRs
            to_cidrs=["10.20.0.0/16"],
            vpcs=[CORE, OFFICE],
            **WHERE,
        )
    ]
    assert joined(paths, vpcs, ZONES) == [("production", "corporate")]


def test_peer_in_another_account_is_zoned_by_account_then_cidr():
    peering = {
        "VpcPeeringConnectionId": "pcx-1",
        "Status": {"Code": "active"},
        "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111111111111", "CidrBlock": "10.0.0.0/16"},
        "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": "222222222222", "CidrBlock": "10.20.5.0/24"},
    }
    zones = ZoneRules(production_accounts=["111111111111"], corporate_cidrs=["10.20.0.0/16"])
    [path] = network_mapper.map_peerings([peering], ACCOUNT, REGION)
    assert joined([path], [], zones) == [("production", "corporate")]
    assert (path.from_account, path.to_account) == ("111111111111", "222222222222")


def test_transit_gateway_route_joins_zones(vpcs):
    paths = network_mapper.map_transit_gateways(
        load("ec2_transit_gateway_attachments.json")["TransitGatewayAttachments"],
        load("ec2_transit_gateway_routes.json"),
        ACCOUNT,
        REGION,
    )
    [path] = paths
    assert path == NetworkPath(
        key=f"tgw-7d9206c11dbc1e121/{HUB}-{CORE}",
        path_kind="transit_gateway",
        from_ref=HUB,
        to_ref=CORE,
        from_account=ACCOUNT,  # each attachment's ResourceOwnerId
        to_account=ACCOUNT,
        to_cidrs=["10.0.0.0/16"],  # the destinations routed to each attachment (none to the hub)
        vpcs=[HUB, CORE],
        **WHERE,
    )
    assert joined(paths, vpcs, ZONES) == [("corporate", "production")]


def test_transit_gateway_without_routes_is_no_path(vpcs):
    attachments = load("ec2_transit_gateway_attachments.json")["TransitGatewayAttachments"]
    assert network_mapper.map_transit_gateways(attachments, {}, ACCOUNT, REGION) == []


def test_security_groups_in_every_zone(vpcs):
    paths = network_mapper.map_security_groups(
        load("ec2_security_groups.json")["SecurityGroups"], ACCOUNT, REGION
    )

    def rule(cidr, zone, ports, span, group=WEB, name="prod-web", to_zone="production", vpc=CORE):
        protocol = ports.protocol
        return NetworkPath(
            key=f"{group}/ingress/{cidr}/{protocol}/{span}",
            name=name,
            path_kind="security_group",
            from_ref=cidr,
            to_ref=group,
            ports=[ports],
            vpcs=[vpc],
            **WHERE,
        ), (zone and (zone, to_zone))

    ssh = PortRange(protocol="tcp", from_port=22, to_port=22)
    postgres = PortRange(protocol="tcp", from_port=5432, to_port=5432)
    # Every rule admitting a range is recorded; 10.99.0.0/16 is neither internet nor corporate,
    # so it joins no zones. office-ssh, in a corporate VPC, counts: the internet reaches every
    # zone. The default groups admit only themselves.
    office_ssh = rule(
        "0.0.0.0/0", "internet", ssh, "22-22", OFFICE_SSH, "office-ssh", to_zone="corporate", vpc=OFFICE
    )
    expected = sorted(
        [
            office_ssh,
            rule("0.0.0.0/0", "internet", ssh, "22-22"),
            rule("10.20.0.0/16", "corporate", postgres, "5432-5432"),
            rule("10.99.0.0/16", None, postgres, "5432-5432"),
            rule("::/0", "internet", PortRange(protocol="-1"), "all"),
            rule("0.0.0.0/0", "internet", PortRange(protocol="icmp"), "all"),
        ],
        key=lambda rule: rule[0].key,
    )
    paths = sorted(paths, key=lambda p: p.key)
    assert paths == [path for path, _ in expected]
    assert joined(paths, vpcs, ZONES) == [zones for _, zones in expected]
    assert [p.exposes(22) for p in paths] == [
        True,
        False,
        True,
        False,
        False,
        True,
    ]  # office ssh, icmp, ssh, postgres (corporate), postgres (10.99), all


def test_corporate_ranges_into_a_corporate_vpc_are_no_path(vpcs):
    group = {
        "GroupId": "sg-office-db",
        "VpcId": OFFICE,
        "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}
        ],
    }
    assert joined(network_mapper.map_security_groups([group], ACCOUNT, REGION), vpcs, ZONES) == [None]
    # The same rule in the unclassified lab VPC counts, zoned as classified: unknown.
    [path] = network_mapper.map_security_groups([{**group, "VpcId": LAB}], ACCOUNT, REGION)
    assert (joined([path], vpcs, ZONES), path.vpcs) == ([("corporate", "unknown")], [LAB])


# An account's untagged default VPC (captured by `capture_default_vpc`): legacy-admin is open
# on SSH and RDP to the internet, public-web on HTTPS.
DEFAULT_VPC, LEGACY, PUBLIC_WEB = "vpc-961de5f2cd9f653e8", "sg-2707aad198db56460", "sg-e3b655b746f1a176e"


@pytest.mark.parametrize(
    ("zones", "zone", "reason"),
    [
        (ZoneRules(), "unknown", ""),
        (
            ZoneRules(production_accounts=[ACCOUNT]),
            "production",
            f"account {ACCOUNT} is a production account",
        ),
    ],
    ids=["unlisted", "production-account"],
)
def test_default_vpc_groups_are_kept_in_any_zone(zones, zone, reason):
    [vpc] = network_mapper.map_vpcs(load("ec2_default_vpc.json")["Vpcs"], ACCOUNT, REGION)
    zoned = Zones(zones).vpc(vpc)
    assert (vpc.key, zoned.zone, zoned.reason, vpc.tags) == (DEFAULT_VPC, zone, reason, {})
    paths = network_mapper.map_security_groups(
        load("ec2_default_vpc_security_groups.json")["SecurityGroups"], ACCOUNT, REGION
    )
    view = Zones(zones, [vpc])
    assert sorted((p.to_ref, p.name, p.from_ref, str(p.ports[0]), view.path(p)[1]) for p in paths) == [
        (LEGACY, "legacy-admin", "0.0.0.0/0", "tcp/22", zone),
        (LEGACY, "legacy-admin", "0.0.0.0/0", "tcp/3389", zone),
        (PUBLIC_WEB, "public-web", "0.0.0.0/0", "tcp/443", zone),
        (PUBLIC_WEB, "public-web", "::/0", "tcp/443", zone),
    ]
    assert all(view.open_to_internet(p) and p.vpcs == [DEFAULT_VPC] for p in paths)


def test_a_group_whose_vpc_was_not_listed_is_kept_as_unknown():
    groups = load("ec2_default_vpc_security_groups.json")["SecurityGroups"]
    paths = network_mapper.map_security_groups(groups, ACCOUNT, REGION)
    assert len(paths) == 4 and {zones[1] for zones in joined(paths, [], ZoneRules())} == {"unknown"}


@pytest.mark.parametrize(
    ("cidr", "zone"),
    [
        ("0.0.0.0/0", "internet"),
        ("::/0", "internet"),
        ("0.0.0.0/1", "internet"),  # half the internet is still the internet
        ("198.51.100.7/32", "internet"),  # one public address (a home IP) is outside the organisation
        ("10.20.5.0/24", "corporate"),  # inside the corporate range
        ("10.0.0.0/8", "corporate"),  # wider than the corporate range: still admits it
        ("10.99.0.0/16", None),  # private, not corporate (e.g. production itself)
        ("fd00::/64", None),
    ],
)
def test_source_zone_of_a_rule(cidr, zone):
    assert source_zone(cidr, ["10.20.0.0/16"]) == zone


def _vpc(tags: dict[str, str], cidr: str = "10.5.0.0/16", owner: str = ACCOUNT) -> dict:
    return {
        "VpcId": "vpc-x",
        "OwnerId": owner,
        "CidrBlock": cidr,
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }


def test_a_corporate_tag_in_a_production_account_keeps_both_classifications():
    """Issue 15: the account rule used to win silently; now both rules are on the record."""
    zones = ZoneRules(production_accounts=[ACCOUNT], corporate_tags={"env": ["corp"]})
    [vpc] = network_mapper.map_vpcs([_vpc({"env": "corp"})], ACCOUNT, REGION)
    zoned = Zones(zones).vpc(vpc)
    assert zoned.classifications == (
        _says("account", "production", f"account {ACCOUNT}"),
        _says("tag", "corporate", "tag env=corp"),
    )
    # `zone` keeps the first rule, for readers that know no better; the checks read candidates.
    assert (zoned.zone, zoned.reason) == ("production", f"account {ACCOUNT} is a production account")
    assert zone_conflicts([vpc], zones) == [vpc]
    assert conflict_line(vpc, zoned) == (
        f"vpc-x in {ACCOUNT} / {REGION}: account {ACCOUNT} says production, tag env=corp says corporate; "
        "fix the tag or CIDR, or policy.zones"
    )


@pytest.mark.parametrize(
    ("zones", "tags", "candidates"),
    [
        # Tags that disagree with each other.
        (ZoneRules(), {"Environment": "prod", "Zone": "corporate"}, ("production", "corporate")),
        # A CIDR inside both lists.
        (
            ZoneRules(production_cidrs=["10.0.0.0/8"], corporate_cidrs=["10.5.0.0/16"]),
            {},
            ("production", "corporate"),
        ),
        # An account listed twice.
        (
            ZoneRules(production_accounts=[ACCOUNT], corporate_accounts=[ACCOUNT]),
            {},
            ("production", "corporate"),
        ),
        # Rules that agree are no conflict.
        (
            ZoneRules(production_accounts=[ACCOUNT]),
            {"Environment": "prod", "Zone": "production"},
            ("production",),
        ),
        (ZoneRules(), {}, ("unknown",)),
    ],
    ids=["tag-vs-tag", "cidr-vs-cidr", "account-in-both-lists", "agreeing", "unclassified"],
)
def test_every_matching_rule_is_recorded(zones, tags, candidates):
    [vpc] = network_mapper.map_vpcs([_vpc(tags)], ACCOUNT, REGION)
    assert zone_candidates(vpc, zones) == candidates
    assert bool(zone_conflicts([vpc], zones)) == (len(candidates) > 1)


def test_a_vpc_that_may_be_corporate_is_a_corporate_source_into_other_vpcs_only():
    """A conflicted VPC's range is corporate into another VPC's groups (the worst case), and
    corporate ranges into the conflicted VPC are kept: it may be production."""
    zones = ZoneRules(production_cidrs=["10.0.0.0/8"], corporate_cidrs=["10.20.0.0/16"])
    conflicted = network_mapper.map_vpcs([_vpc({"Environment": "corp"})], ACCOUNT, REGION)
    # The tag says corporate and comes first; the CIDR says production.
    assert [(Zones(zones).vpc(v).zone, zone_candidates(v, zones)) for v in conflicted] == [
        ("corporate", ("production", "corporate"))
    ]
    prod = network_mapper.map_vpcs([{**_vpc({}, cidr="10.0.0.0/16"), "VpcId": "vpc-prod"}], ACCOUNT, REGION)

    def group(group_id: str, vpc_id: str, cidr: str) -> dict:
        permission = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": cidr}]}
        return {"GroupId": group_id, "VpcId": vpc_id, "IpPermissions": [permission]}

    groups = [
        group("sg-prod", "vpc-prod", "10.5.0.0/16"),  # from the conflicted VPC
        group("sg-self", "vpc-x", "10.5.0.0/16"),  # the conflicted VPC's own range: no path
        group("sg-office", "vpc-x", "10.20.0.0/16"),  # corporate into a VPC that may be production
    ]
    paths = network_mapper.map_security_groups(groups, ACCOUNT, REGION)
    view = Zones(zones, [*conflicted, *prod])
    assert sorted((p.to_ref, zones[0], p.from_ref) for p in paths if (zones := view.path(p))) == [
        ("sg-office", "corporate", "10.20.0.0/16"),
        ("sg-prod", "corporate", "10.5.0.0/16"),
    ]
