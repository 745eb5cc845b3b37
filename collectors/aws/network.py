"""aws_network: VPCs and the paths that may join them, per account and region."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from collectors.aws import acl_mapper, network_mapper
from collectors.aws.session import (
    SCOPE_PERMISSIONS,
    AwsCollector,
    all_pages,
    core_call,
    listing,
    optional_call,
)
from vaultward.contract.records import NetworkAcl, NetworkPath, Record, Vpc
from vaultward.contract.sdk import Problem, Scope

ACTIVE_PEERINGS = [{"Name": "status-code", "Values": ["active"]}]
VPC_ATTACHMENTS = [
    {"Name": "resource-type", "Values": ["vpc"]},
    {"Name": "state", "Values": ["available"]},
]
ACTIVE_ROUTES = [{"Name": "state", "Values": ["active"]}]


class AwsNetworkCollector(AwsCollector):
    """Per account x region: VPCs, peerings, transit-gateway routes, every security-group
    rule that admits a CIDR range, and network ACLs (zones are derived at evaluation)."""

    name = "aws_network"
    title = "AWS VPC segmentation"
    produces = (Vpc, NetworkPath, NetworkAcl)
    permissions = (
        *SCOPE_PERMISSIONS,
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeTransitGatewayAttachments",
        "ec2:SearchTransitGatewayRoutes",
    )

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        account, region = scope.params["account_id"], scope.params["region"]
        session = self.sessions.scope_session(scope)
        ec2 = self.sessions.client(session, "ec2", region)

        with core_call(scope.id, "ec2:DescribeVpcs"):
            vpcs = network_mapper.map_vpcs(all_pages(ec2, "describe_vpcs", "Vpcs"), account, region)
        with core_call(scope.id, "ec2:DescribeVpcPeeringConnections"):
            peerings = all_pages(
                ec2, "describe_vpc_peering_connections", "VpcPeeringConnections", Filters=ACTIVE_PEERINGS
            )
        groups = yield from listing(
            scope.id,
            "ec2:DescribeSecurityGroups",
            (NetworkPath.kind,),
            ec2,
            "describe_security_groups",
            "SecurityGroups",
        )

        records: list[Record] = [*vpcs]
        records += network_mapper.map_peerings(peerings, account, region)
        records += network_mapper.map_security_groups(groups, account, region)

        # Optional: a role granted before ACLs were read keeps its other facts.
        acls = optional_call(
            scope.id,
            "ec2:DescribeNetworkAcls",
            "the region",
            (NetworkAcl.kind,),
            lambda: all_pages(ec2, "describe_network_acls", "NetworkAcls"),
        )
        if isinstance(acls, Problem):
            yield acls
        else:
            records += acl_mapper.map_network_acls(acls, account, region)

        attachments = optional_call(
            scope.id,
            "ec2:DescribeTransitGatewayAttachments",
            "the region",
            (NetworkPath.kind,),
            lambda: all_pages(
                ec2,
                "describe_transit_gateway_attachments",
                "TransitGatewayAttachments",
                Filters=VPC_ATTACHMENTS,
            ),
        )
        if isinstance(attachments, Problem):
            yield attachments
            attachments = []
        routes: dict[str, list[dict]] = {}
        tables = sorted(
            {
                a["Association"]["TransitGatewayRouteTableId"]
                for a in attachments
                if (a.get("Association") or {}).get("TransitGatewayRouteTableId")
            }
        )
        for table in tables:
            found = optional_call(
                scope.id,
                "ec2:SearchTransitGatewayRoutes",
                f"route table {table}",
                (NetworkPath.kind,),
                partial(
                    ec2.search_transit_gateway_routes,
                    TransitGatewayRouteTableId=table,
                    Filters=ACTIVE_ROUTES,
                ),
            )
            if isinstance(found, Problem):
                yield found
                continue
            if found.get("AdditionalRoutesAvailable"):
                yield Problem(
                    f"{scope.id}: route table {table} has more than 1000 active routes; "
                    "only the first 1000 were read",
                    (NetworkPath.kind,),
                )
            routes[table] = found.get("Routes", [])
        records += network_mapper.map_transit_gateways(attachments, routes, account, region)

        for record in records:
            yield record.model_copy(update={"scope": scope.id})
