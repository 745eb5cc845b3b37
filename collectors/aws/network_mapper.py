"""Pure mapping from EC2 payloads (VPCs, peerings, transit gateways, security groups) to
what zones are derived from: `Vpc`s (owner account, tags, CIDRs) and the `NetworkPath`s
that may join them (and admit source ranges into them). The rules of `policy.zones` are
applied at evaluation (`vaultward.derived.zones`), never here.

Each active peering is one path (requester to accepter; traffic flows both ways). Two VPCs
on the same transit gateway are one path when either's associated route table has an active
route to the other's attachment (from the VPC that routes; by VPC id when both do). `vpcs`
lists the VPCs a path joins, and `from_account` / `to_account` the accounts owning them, as
the peering's `OwnerId` and the attachment's `ResourceOwnerId` say (findings name them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vaultward.contract.records import NetworkPath, PortRange, Vpc


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
                ingress_recorded=True,  # map_security_groups records every rule admitting a range
            )
        )
    return records


def _peer_cidrs(info: Mapping[str, Any]) -> list[str]:
    return [b["CidrBlock"] for b in info.get("CidrBlockSet") or []] or (
        [info["CidrBlock"]] if info.get("CidrBlock") else []
    )


def map_peerings(
    peerings: Iterable[Mapping[str, Any]],
    account: str,
    region: str,
) -> list[NetworkPath]:
    """One path per active peering, requester to accepter (traffic flows both ways), with
    each side's owner account and CIDRs: a peer VPC in another account or region is zoned
    by them."""
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
                from_ref=source["VpcId"],
                to_ref=target["VpcId"],
                from_account=source.get("OwnerId", ""),
                to_account=target.get("OwnerId", ""),
                from_cidrs=_peer_cidrs(source),
                to_cidrs=_peer_cidrs(target),
                vpcs=[source["VpcId"], target["VpcId"]],
            )
        )
    return paths


def map_transit_gateways(
    attachments: Iterable[Mapping[str, Any]],
    routes: Mapping[str, Sequence[Mapping[str, Any]]],
    account: str,
    region: str,
) -> list[NetworkPath]:
    """`attachments` are `DescribeTransitGatewayAttachments` entries; `routes` maps a route
    table id to its active routes (`SearchTransitGatewayRoutes`). Each end records its owner
    account and the destinations routed to its attachment, what it is zoned by when its VPC
    was not collected."""
    live = [a for a in attachments if a.get("ResourceType") == "vpc" and a.get("State") == "available"]
    by_id = {a["TransitGatewayAttachmentId"]: a for a in live}

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
                from_ref=source["ResourceId"],
                to_ref=target["ResourceId"],
                from_account=source.get("ResourceOwnerId", ""),
                to_account=target.get("ResourceOwnerId", ""),
                from_cidrs=destinations.get(from_id, []),
                to_cidrs=destinations.get(to_id, []),
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


def map_security_groups(groups: Iterable[Mapping[str, Any]], account: str, region: str) -> list[NetworkPath]:
    """Every ingress rule that admits a CIDR range, one path per range and ports, whatever
    the range: which zone it reaches (the internet, corporate, or none) is derived at
    evaluation (`ctx.zones.path`), so a corporate range added to the policy finds rules
    collected before it."""
    paths = []
    for group in groups:
        vpc_id = group.get("VpcId", "")
        for permission in group.get("IpPermissions") or []:
            ports = permission_ports(permission)
            sources = [r["CidrIp"] for r in permission.get("IpRanges") or []]
            sources += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or []]
            for cidr in sources:
                span = "all" if ports.from_port is None else f"{ports.from_port}-{ports.to_port}"
                paths.append(
                    NetworkPath(
                        key=f"{group['GroupId']}/ingress/{cidr}/{ports.protocol}/{span}",
                        name=group.get("GroupName", ""),
                        account=account,
                        region=region,
                        path_kind="security_group",
                        from_ref=cidr,
                        to_ref=group["GroupId"],
                        ports=[ports],
                        vpcs=[vpc_id] if vpc_id else [],
                    )
                )
    return paths
