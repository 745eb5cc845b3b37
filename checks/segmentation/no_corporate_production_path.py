"""Network paths between corporate and production zones."""

from collections.abc import Iterator

from checks.segmentation.zones import UNCLASSIFIED, paths_by_vpc, production_vpcs, unique_paths
from vaultward.records import NetworkPath, Vpc
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


def _describe(path: NetworkPath) -> str:
    ports = ", ".join(str(p) for p in path.ports) or "all traffic"
    return f"{path.path_kind} {path.from_ref} -> {path.to_ref} ({ports})"


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
    crossing = unique_paths(
        ctx,
        lambda path: {path.from_zone, path.to_zone} == {"corporate", "production"} and path.state == "active",
    )
    joining = paths_by_vpc(crossing)
    for vpc in production:
        paths = joining.get(vpc.key, [])
        if paths:
            yield failed(
                vpc,
                f"{len(paths)} path(s) from corporate: " + "; ".join(_describe(p) for p in paths),
                paths=[p.key for p in paths],
                zone_reason=vpc.zone_reason,
            )
        else:
            yield passed(vpc, "no path from a corporate zone", zone_reason=vpc.zone_reason)
