"""Network paths between corporate and production zones.

Production VPCs pass or fail. A VPC no rule of `policy.zones` classified is `unknown`, with
the paths from corporate that reach it: were it production, they would be the finding. A
production VPC peered or routed only to unclassified networks besides is `unknown` too, as
the other side may be corporate. Corporate VPCs are the other end of the paths judged here.

A zone conflict (rules of `policy.zones` disagree, see `vaultward.zones`) is judged under
every zone it could be in, the worst verdict kept: the other end of a path counts as every
zone it could be in, and a conflicted VPC fails as production when corporate reaches it and
as corporate when it reaches production; otherwise it is not applicable, never a pass.
"""

from collections.abc import Iterator, Mapping

from checks.segmentation.zones import (
    CLASSIFY_VPC,
    UNCLASSIFIED,
    ZONE_RULES,
    paths_by_vpc,
    production_vpcs,
    unique_paths,
)
from vaultward.records import NetworkPath, Vpc, Zone
from vaultward.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.zones import candidates, conflict_text, conflicted, judged_in_conflict


def _other_end(path: NetworkPath, vpc: str, vpcs: Mapping[str, Vpc]) -> tuple[Zone, ...]:
    """Every zone the far end of a path from `vpc` could be in: a peer VPC's candidates when
    it was collected, else the zone recorded on the path (a security group's source range)."""
    if path.path_kind == "security_group":
        return (path.from_zone,)
    ref, zone = (path.to_ref, path.to_zone) if path.from_ref == vpc else (path.from_ref, path.from_zone)
    other = vpcs.get(ref)
    return candidates(other) if other is not None else (zone,)


def _describe(path: NetworkPath, vpcs: Mapping[str, Vpc]) -> str:
    ports = ", ".join(str(p) for p in path.ports) or "all traffic"
    notes = [
        f"{key}: {conflict_text(vpcs[key])}" for key in path.vpcs if key in vpcs and conflicted(vpcs[key])
    ]
    return f"{path.path_kind} {path.from_ref} -> {path.to_ref} ({ports})" + (
        f" [zone conflict: {'; '.join(notes)}]" if notes else ""
    )


def _reaching(vpc: Vpc, paths: list[NetworkPath], vpcs: Mapping[str, Vpc], zone: Zone) -> list[NetworkPath]:
    return [path for path in paths if zone in _other_end(path, vpc.key, vpcs)]


def _as_production(vpc: Vpc, paths: list[NetworkPath], vpcs: Mapping[str, Vpc]) -> Result:
    joining = _reaching(vpc, paths, vpcs, "corporate")
    unclassified = [p for p in _reaching(vpc, paths, vpcs, "unknown") if p.path_kind != "security_group"]
    if joining:
        return failed(
            vpc,
            f"{len(joining)} path(s) from corporate: " + "; ".join(_describe(p, vpcs) for p in joining),
            paths=[p.key for p in joining],
            zone_reason=vpc.zone_reason,
        )
    if unclassified:
        return unknown(
            vpc,
            "joined to unclassified network(s), which may be corporate: "
            + "; ".join(_describe(p, vpcs) for p in unclassified)
            + f"; classify them {ZONE_RULES}",
            paths=[p.key for p in unclassified],
            zone_reason=vpc.zone_reason,
        )
    return passed(vpc, "no path from a corporate zone", zone_reason=vpc.zone_reason)


def _as_corporate(vpc: Vpc, paths: list[NetworkPath], vpcs: Mapping[str, Vpc]) -> Result:
    # A security group's source range is never production, so only peerings and routes count.
    reaching = _reaching(vpc, paths, vpcs, "production")
    if reaching:
        return failed(
            vpc,
            f"{len(reaching)} path(s) to production: " + "; ".join(_describe(p, vpcs) for p in reaching),
            paths=[p.key for p in reaching],
            zone_reason=vpc.zone_reason,
        )
    return not_applicable(vpc, "no path to production", zone_reason=vpc.zone_reason)


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
    if production_vpcs(ctx) is None:
        yield unknown("zones", UNCLASSIFIED)
        return
    vpcs = {vpc.key: vpc for vpc in ctx.records(Vpc)}
    by_vpc = paths_by_vpc(unique_paths(ctx, lambda path: path.state == "active"))
    for vpc in ctx.records(Vpc):
        paths = by_vpc.get(vpc.key, [])
        zones = candidates(vpc)
        if conflicted(vpc):
            yield judged_in_conflict(
                vpc,
                {
                    "production": _as_production(vpc, paths, vpcs),
                    "corporate": _as_corporate(vpc, paths, vpcs),
                },
            )
        elif zones == ("production",):
            yield _as_production(vpc, paths, vpcs)
        elif zones == ("corporate",):
            yield not_applicable(
                vpc,
                "corporate VPC: judged as the far end of the paths into production VPCs",
                zone_reason=vpc.zone_reason,
            )
        elif zones == ("unknown",):
            reaching = _reaching(vpc, paths, vpcs, "corporate")
            reached = f": {len(reaching)} path(s) from corporate reach it: " if reaching else ""
            yield unknown(
                vpc,
                CLASSIFY_VPC + reached + "; ".join(_describe(p, vpcs) for p in reaching),
                paths=[p.key for p in reaching],
                zone="unclassified",
            )
