"""Pure mapping from EC2 payloads (VPCs, peerings, transit gateways, security groups) to
`Vpc` zones and the `NetworkPath`s between zones (and from the internet into every zone).

Zones come from, in order: the account (`production_accounts` / `corporate_accounts`), the
VPC's tags (`production_tags` / `corporate_tags`, values compared case-insensitively), its
CIDRs (all inside `production_cidrs` / `corporate_cidrs`); every rule that matched is kept
on the VPC, so a conflict between them is shown (`vaultward.derived.zones`), never settled here.
Each active peering is one path (requester to accepter; traffic flows both ways). Two VPCs
on the same transit gateway are one path when either's associated route table has an active
route to the other's attachment (from the VPC that routes; by VPC id when both do). `vpcs`
lists the VPCs a path joins, and `from_account` / `to_account` the accounts owning them, as
the peering's `OwnerId` and the attachment's `ResourceOwnerId` say (findings name them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vaultward.config.policy import ZoneRules
from vaultward.contract.records import NetworkPath, PortRange, Vpc, Zone
from vaultward.derived.zone_rules import classify
from vaultward.derived.zones import Zones

# Address space that is never the internet: RFC 1918, carrier-grade NAT, loopback,
# link-local, IPv6 unique-local. A source range reaching beyond these admits the internet.
NON_INTERNET = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def _tags(items: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in items or []}


def vpc_cidrs(vpc: Mapping[str, Any]) -> list[str]:
    cidrs = [
        block["CidrBlock"]
        for block in vpc.get("CidrBlockAssociationSet") or []
        if block.get("CidrBlockState", {}).get("State", "associated") == "associated"
    ] or ([vpc["CidrBlock"]] if vpc.get("CidrBlock") else [])
    cidrs += [
        block["Ipv6CidrBlock"]
        for block in vpc.get("Ipv6CidrBlockAssociationSet") or []
        if block.get("Ipv6CidrBlockState", {}).get("State", "associated") == "associated"
    ]
    return cidrs


def map_vpcs(vpcs: Iterable[Mapping[str, Any]], account: str, region: str) -> list[Vpc]:
    """What zones are derived from at evaluation: the owner account, tags and CIDRs."""
    records = []
    for vpc in vpcs:
        tags = _tags(vpc.get("Tags"))
        records.append(
            Vpc(
                key=vpc["VpcId"],
                name=tags.get("Name", ""),
                account=account,
                region=region,
                owner=vpc.get("OwnerId") or "",
                cidrs=vpc_cidrs(vpc),
                tags=tags,
            )
        )
    return records


def _side_zone(info: Mapping[str, Any], known: Mapping[str, Vpc], zones: ZoneRules) -> Zone:
    vpc = known.get(info.get("VpcId", ""))
    if vpc is not None:
        return Zones(zones).vpc(vpc).zone
    cidrs = [b["CidrBlock"] for b in info.get("CidrBlockSet") or []] or (
        [info["CidrBlock"]] if info.get("CidrBlock") else []
    )
    return classify(info.get("OwnerId", ""), {}, cidrs, zones)[0]


def map_peerings(
    peerings: Iterable[Mapping[str, Any]],
    vpcs: list[Vpc],
    account: str,
    region: str,
    zones: ZoneRules,
) -> list[NetworkPath]:
    """One path per active peering, requester to accepter (traffic flows both ways). A peer
    VPC in another account or region is zoned by its account, then its CIDR."""
    known = {vpc.key: vpc for vpc in vpcs}
    paths = []
    for peering in peerings:
        if peering.get("Status", {}).get("Code") != "active":
            continue
        source, target = peering["RequesterVpcInfo"], peering["AccepterVpcInfo"]
        paths.append(
            NetworkPath(
                key=peering["VpcPeeringConnectionId"],
                name=_tags(peering.get("Tags")).get("Name", ""),
                account=account,
                region=region,
                path_kind="vpc_peering",
                from_zone=_side_zone(source, known, zones),
                to_zone=_side_zone(target, known, zones),
                from_ref=source["VpcId"],
                to_ref=target["VpcId"],
                from_account=source.get("OwnerId", ""),
                to_account=target.get("OwnerId", ""),
                vpcs=[source["VpcId"], target["VpcId"]],
            )
        )
    return paths


def map_transit_gateways(
    attachments: Iterable[Mapping[str, Any]],
    routes: Mapping[str, Sequence[Mapping[str, Any]]],
    vpcs: list[Vpc],
    account: str,
    region: str,
    zones: ZoneRules,
) -> list[NetworkPath]:
    """`attachments` are `DescribeTransitGatewayAttachments` entries; `routes` maps a route
    table id to its active routes (`SearchTransitGatewayRoutes`)."""
    known = {vpc.key: vpc for vpc in vpcs}
    live = [a for a in attachments if a.get("ResourceType") == "vpc" and a.get("State") == "available"]
    by_id = {a["TransitGatewayAttachmentId"]: a for a in live}

    def zone_of(attachment: Mapping[str, Any], destinations: list[str]) -> Zone:
        vpc = known.get(attachment["ResourceId"])
        if vpc is not None:
            return Zones(zones).vpc(vpc).zone
        return classify(attachment.get("ResourceOwnerId", ""), {}, destinations, zones)[0]

    destinations: dict[str, list[str]] = {}
    for table_routes in routes.values():
        for route in table_routes:
            for target in route.get("TransitGatewayAttachments") or []:
                cidr = route.get("DestinationCidrBlock")
                if cidr:
                    destinations.setdefault(target["TransitGatewayAttachmentId"], []).append(cidr)

    routed: set[tuple[str, str]] = set()  # (from attachment, to attachment)
    for source in live:
        table = (source.get("Association") or {}).get("TransitGatewayRouteTableId")
        for route in routes.get(table or "", []):
            for target in route.get("TransitGatewayAttachments") or []:
                other = by_id.get(target["TransitGatewayAttachmentId"])
                if (
                    other is not None
                    and other is not source
                    and (other["TransitGatewayId"] == source["TransitGatewayId"])
                ):
                    routed.add((source["TransitGatewayAttachmentId"], target["TransitGatewayAttachmentId"]))

    paths = []
    pairs = sorted(routed, key=lambda pair: (by_id[pair[0]]["ResourceId"], by_id[pair[1]]["ResourceId"]))
    seen: set[frozenset[str]] = set()
    for from_id, to_id in pairs:
        if frozenset((from_id, to_id)) in seen:
            continue
        seen.add(frozenset((from_id, to_id)))
        source, target = by_id[from_id], by_id[to_id]
        paths.append(
            NetworkPath(
                key=f"{source['TransitGatewayId']}/{source['ResourceId']}-{target['ResourceId']}",
                account=account,
                region=region,
                path_kind="transit_gateway",
                from_zone=zone_of(source, destinations.get(from_id, [])),
                to_zone=zone_of(target, destinations.get(to_id, [])),
                from_ref=source["ResourceId"],
                to_ref=target["ResourceId"],
                from_account=source.get("ResourceOwnerId", ""),
                to_account=target.get("ResourceOwnerId", ""),
                vpcs=[source["ResourceId"], target["ResourceId"]],
            )
        )
    return paths


def permission_ports(permission: Mapping[str, Any]) -> PortRange:
    """The protocol and ports of one security-group `IpPermissions` entry."""
    protocol = str(permission.get("IpProtocol", "-1"))
    if protocol == "-1":
        return PortRange(protocol="-1")
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if low == -1 or high == -1:
        low = high = None
    return PortRange(protocol=protocol, from_port=low, to_port=high)


def source_zone(cidr: str, corporate: list[str]) -> Zone | None:
    """Where a rule's source range reaches: the internet if any of it is public address space
    (0.0.0.0/0, but also 0.0.0.0/1 or a single public address), corporate if it overlaps a
    corporate range (inside it, or wider, like 10.0.0.0/8 around 10.20.0.0/16)."""
    network = ipaddress.ip_network(cidr, strict=False)
    private = [n for n in NON_INTERNET if n.version == network.version]
    if not any(network.subnet_of(n) for n in private):  # type: ignore[arg-type]
        return "internet"
    for parent in corporate:
        other = ipaddress.ip_network(parent, strict=False)
        if other.version == network.version and network.overlaps(other):  # type: ignore[arg-type]
            return "corporate"
    return None


def map_security_groups(
    groups: Iterable[Mapping[str, Any]],
    vpcs: list[Vpc],
    account: str,
    region: str,
    zones: ZoneRules,
) -> list[NetworkPath]:
    """Ingress from the internet into every group, whatever its VPC's zone, and from corporate
    ranges (`corporate_cidrs`, or the CIDR of another VPC that any rule calls corporate) into
    every group outside a VPC that is corporate only; see `source_zone`. `to_zone` is the
    group's VPC's zone as first classified ("unknown" when no rule of `policy.zones` matched,
    or the VPC was not listed): the checks decide what a zone means, so an unclassified VPC's
    open SSH is kept, not dropped."""
    known = {vpc.key: vpc for vpc in vpcs}
    zoned = Zones(zones, vpcs)
    # A VPC some rule calls corporate is a corporate source (its zone may be a conflict: the
    # worst case is kept), except into its own groups: traffic inside one VPC joins no zones.
    maybe_corporate = [vpc for vpc in vpcs if zoned.vpc(vpc).could_be("corporate")]
    paths = []
    for group in groups:
        vpc_id = group.get("VpcId", "")
        vpc = known.get(vpc_id)
        to_zone = zoned.vpc(vpc).zone if vpc is not None else "unknown"
        only_corporate = vpc is not None and zoned.vpc(vpc).candidates == ("corporate",)
        corporate = list(zones.corporate_cidrs) + [
            cidr for other in maybe_corporate if other.key != vpc_id for cidr in other.cidrs
        ]
        for permission in group.get("IpPermissions") or []:
            ports = permission_ports(permission)
            sources = [r["CidrIp"] for r in permission.get("IpRanges") or []]
            sources += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or []]
            for cidr in sources:
                from_zone = source_zone(cidr, corporate)
                # Corporate into corporate is no path between zones.
                if from_zone is None or (from_zone == "corporate" and only_corporate):
                    continue
                span = "all" if ports.from_port is None else f"{ports.from_port}-{ports.to_port}"
                paths.append(
                    NetworkPath(
                        key=f"{group['GroupId']}/ingress/{cidr}/{ports.protocol}/{span}",
                        name=group.get("GroupName", ""),
                        account=account,
                        region=region,
                        path_kind="security_group",
                        from_zone=from_zone,
                        to_zone=to_zone,
                        from_ref=cidr,
                        to_ref=group["GroupId"],
                        ports=[ports],
                        vpcs=[vpc_id] if vpc_id else [],
                    )
                )
    return paths
