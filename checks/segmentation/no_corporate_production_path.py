"""Network paths between corporate and production zones.

Production VPCs pass or fail. A VPC no rule of `policy.zones` classified is `unknown`, with
the paths from corporate that reach it: were it production, they would be the finding. A
production VPC peered or routed only to unclassified networks besides is `unknown` too, as
the other side may be corporate. Corporate VPCs are the other end of the paths judged here.
"""

from collections.abc import Iterator

from checks.segmentation.zones import (
    CLASSIFY_VPC,
    UNCLASSIFIED,
    ZONE_RULES,
    paths_by_vpc,
    production_vpcs,
    unique_paths,
)
from vaultward.records import NetworkPath, Vpc
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


def _describe(path: NetworkPath) -> str:
    ports = ", ".join(str(p) for p in path.ports) or "all traffic"
    return f"{path.path_kind} {path.from_ref} -> {path.to_ref} ({ports})"


def _between(path: NetworkPath, zones: set[str]) -> bool:
    return {path.from_zone, path.to_zone} == zones and path.state == "active"


@check(
    id="segmentation.no_corporate_production_path",
    title="No network path from corporate to production",
    mitigation="segmentation",
    severity="critical",
    weight=3,
    reads=[Vpc, NetworkPath],
    references=["attack:T1021", "attack-mitigation:M1030", "cis-v8:12.2", "nist-csf:PR.IR-01"],
    remediation=(
        "Remove the peering, transit-gateway route or security-group rule that joins corporate and "
        "production; reach production only through a hardened, MFA-gated bastion or access proxy."
    ),
    population=True,
)
def no_corporate_production_path(ctx: CheckContext) -> Iterator[Result]:
    """A compromised laptop on the corporate network is where these intrusions start; any
    route from there into production lets the attacker walk to the signing path."""
    production = production_vpcs(ctx)
    if production is None:
        yield unknown("zones", UNCLASSIFIED)
        return
    joining = paths_by_vpc(unique_paths(ctx, lambda path: _between(path, {"corporate", "production"})))
    to_unclassified = paths_by_vpc(
        unique_paths(
            ctx,
            lambda path: path.path_kind != "security_group" and _between(path, {"production", "unknown"}),
        )
    )
    from_corporate = paths_by_vpc(unique_paths(ctx, lambda path: _between(path, {"corporate", "unknown"})))
    for vpc in production:
        paths = joining.get(vpc.key, [])
        unclassified = to_unclassified.get(vpc.key, [])
        if paths:
            yield failed(
                vpc,
                f"{len(paths)} path(s) from corporate: " + "; ".join(_describe(p) for p in paths),
                paths=[p.key for p in paths],
                zone_reason=vpc.zone_reason,
            )
        elif unclassified:
            yield unknown(
                vpc,
                "joined to unclassified network(s), which may be corporate: "
                + "; ".join(_describe(p) for p in unclassified)
                + f"; classify them {ZONE_RULES}",
                paths=[p.key for p in unclassified],
                zone_reason=vpc.zone_reason,
            )
        else:
            yield passed(vpc, "no path from a corporate zone", zone_reason=vpc.zone_reason)
    for vpc in ctx.records(Vpc):
        if vpc.zone != "unknown":
            continue
        paths = from_corporate.get(vpc.key, [])
        reached = f": {len(paths)} path(s) from corporate reach it: " if paths else ""
        yield unknown(
            vpc,
            CLASSIFY_VPC + reached + "; ".join(_describe(p) for p in paths),
            paths=[p.key for p in paths],
            zone="unclassified",
        )
