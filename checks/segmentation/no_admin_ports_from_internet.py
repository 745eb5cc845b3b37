"""Administrative and database ports of production open to the internet."""

from collections.abc import Iterator

from checks.segmentation.zones import UNCLASSIFIED, paths_by_vpc, production_vpcs, unique_paths
from vaultward.records import NetworkPath, Vpc
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="segmentation.no_admin_ports_from_internet",
    title="No production admin or database port is open to the internet",
    mitigation="segmentation",
    severity="critical",
    weight=3,
    reads=[Vpc, NetworkPath],
    references=[
        "attack:T1133",
        "attack:T1021.004",
        "attack-mitigation:M1030",
        "attack-mitigation:M1035",
        "cis-v8:12.2",
    ],
    remediation=(
        "Delete ingress rules that admit 0.0.0.0/0 or ::/0 to admin or database ports in production; "
        "use SSM Session Manager or an identity-aware proxy instead of open SSH/RDP."
    ),
    population=True,
)
def no_admin_ports_from_internet(ctx: CheckContext) -> Iterator[Result]:
    """SSH, RDP or a database port open to the internet in production is a door that stolen
    credentials or an exploit walk straight through, skipping every internal control."""
    admin_ports = ctx.policy.zones.admin_ports
    production = production_vpcs(ctx)
    if production is None:
        yield unknown("zones", UNCLASSIFIED)
        return
    open_paths = unique_paths(ctx, lambda path: path.from_zone == "internet" and path.to_zone == "production")
    reaching = paths_by_vpc(open_paths)
    for vpc in production:
        exposures = []
        for path in reaching.get(vpc.key, []):
            ports = sorted(port for port in admin_ports if path.exposes(port))
            if ports:
                exposures.append(
                    {"rule": path.key, "source": path.from_ref, "group": path.to_ref, "ports": ports}
                )
        if exposures:
            summary = ", ".join(
                f"{e['group']} port(s) {', '.join(map(str, e['ports']))} from {e['source']}"
                for e in exposures
            )
            yield failed(vpc, f"open to the internet: {summary}", exposures=exposures)
        else:
            yield passed(vpc, "no admin or database port open to the internet", admin_ports=admin_ports)
