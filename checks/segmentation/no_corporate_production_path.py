"""Network paths between corporate and production zones.

Production VPCs pass or fail. A VPC no rule of `policy.zones` classified is `unknown`, with
the paths from corporate that reach it: were it production, they would be the finding. A
production VPC peered or routed only to unclassified networks besides is `unknown` too, as
the other side may be corporate. Corporate VPCs are the other end of the paths judged here.

A zone conflict (rules of `policy.zones` disagree, see `vaultward.derived.zones`) is judged under
every zone it could be in, the worst verdict kept: the other end of a path counts as every
zone it could be in, and a conflicted VPC fails as production when corporate reaches it and
as corporate when it reaches production; otherwise it is not applicable, never a pass.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vaultward.contract.records import NetworkPath, Vpc, Zone
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.names import AccountNames, named
from vaultward.derived.zones import (
    CLASSIFY_VPC,
    UNCLASSIFIED,
    ZONE_RULES,
    Zones,
    conflict_text,
    judged_in_conflict,
    paths_by_vpc,
    production_vpcs,
    unique_paths,
    vpc_label,
)


def _other_end(path: NetworkPath, vpc: str, zones: Zones) -> tuple[Zone, ...]:
    """Every zone the far end of a path from `vpc` could be in: a peer VPC's candidates when
    it was collected, else the zone the path's end is given (a security group's source range);
    none when the path joins no zones."""
    joined = zones.path(path)
    if joined is None:
        return ()
    if path.path_kind == "security_group":
        return (joined[0],)
    ref, zone = (path.to_ref, joined[1]) if path.from_ref == vpc else (path.from_ref, joined[0])
    other = zones.vpcs.get(ref)
    return zones.vpc(other).candidates if other is not None else (zone,)


@dataclass(frozen=True)
class Naming:
    """What names a path's ends: the collected VPCs and the accounts, seen from the VPC judged
    (an end in another account names that account)."""

    zones: Zones
    accounts: AccountNames
    home: str = ""  # the judged VPC's account

    @property
    def vpcs(self) -> Mapping[str, Vpc]:
        return self.zones.vpcs

    def end(self, vpc_id: str, owner: str) -> str:
        vpc = self.vpcs.get(vpc_id)
        account = (vpc.account if vpc is not None else "") or owner
        text = vpc_label(vpc_id, self.vpcs)
        return f"{text} in {self.accounts.label(account)}" if account and account != self.home else text

    def path(self, path: NetworkPath) -> str:
        """`peering pcx-1 between VPC "corp-main" (vpc-a) and VPC "prod-core" (vpc-b)`; `security
        group "lab" (sg-1) admits tcp/22 from 10.20.0.0/16`; a conflicted end says so."""
        notes = [
            f"{key}: {conflict_text(self.zones.vpc(self.vpcs[key]), self.accounts)}"
            for key in path.vpcs
            if key in self.vpcs and self.zones.vpc(self.vpcs[key]).conflicted
        ]
        if path.path_kind == "security_group":
            ports = ", ".join(str(p) for p in path.ports) or "all traffic"
            text = f"{named('security group', path.name, path.to_ref)} admits {ports} from {path.from_ref}"
        else:
            ends = (
                f"{self.end(path.from_ref, path.from_account)} and {self.end(path.to_ref, path.to_account)}"
            )
            if path.path_kind == "vpc_peering":
                text = f"{named('peering', path.name, path.key)} between {ends}"
            else:  # the key starts with the transit gateway's id (collectors/aws/network_mapper.py)
                text = (
                    f"{named('transit gateway', path.name, path.key.partition('/')[0])} route between {ends}"
                )
        return text + (f" [zone conflict: {'; '.join(notes)}]" if notes else "")

    def evidence(self, vpc: Vpc, paths: list[NetworkPath]) -> dict[str, Any]:
        return {
            "paths": [p.key for p in paths],
            "named_paths": [self.path(p) for p in paths],
            "zone_reason": self.zones.vpc(vpc).reason,
            **self.accounts.evidence(vpc.account),
        }


def _reaching(vpc: Vpc, paths: list[NetworkPath], zones: Zones, zone: Zone) -> list[NetworkPath]:
    return [path for path in paths if zone in _other_end(path, vpc.key, zones)]


def _as_production(vpc: Vpc, paths: list[NetworkPath], naming: Naming) -> Result:
    joining = _reaching(vpc, paths, naming.zones, "corporate")
    unclassified = [
        p for p in _reaching(vpc, paths, naming.zones, "unknown") if p.path_kind != "security_group"
    ]
    if joining:
        return failed(
            vpc,
            f"{len(joining)} path(s) from corporate: " + "; ".join(naming.path(p) for p in joining),
            **naming.evidence(vpc, joining),
        )
    if unclassified:
        return unknown(
            vpc,
            "joined to unclassified network(s), which may be corporate: "
            + "; ".join(naming.path(p) for p in unclassified)
            + f"; classify them {ZONE_RULES}",
            **naming.evidence(vpc, unclassified),
        )
    unseen = naming.zones.unrecorded_corporate(vpc)
    if unseen:
        # Never a pass the facts cannot show: a rule admitting one of these may be unrecorded.
        return unknown(
            vpc,
            "no recorded path from a corporate zone, but its security-group rules were collected "
            f"before every rule was recorded: one may admit {', '.join(unseen)}; collect again",
            zone_reason=naming.zones.vpc(vpc).reason,
            unrecorded_ranges=unseen,
        )
    return passed(vpc, "no path from a corporate zone", zone_reason=naming.zones.vpc(vpc).reason)


def _as_corporate(vpc: Vpc, paths: list[NetworkPath], naming: Naming) -> Result:
    # A security group's source range is never production, so only peerings and routes count.
    reaching = _reaching(vpc, paths, naming.zones, "production")
    if reaching:
        return failed(
            vpc,
            f"{len(reaching)} path(s) to production: " + "; ".join(naming.path(p) for p in reaching),
            **naming.evidence(vpc, reaching),
        )
    return not_applicable(vpc, "no path to production", zone_reason=naming.zones.vpc(vpc).reason)


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
    zones = ctx.zones
    by_vpc = paths_by_vpc(unique_paths(ctx, lambda path: path.state == "active"))
    for vpc in ctx.records(Vpc):
        paths = by_vpc.get(vpc.key, [])
        zoned = zones.vpc(vpc)
        naming = Naming(zones, ctx.account_names, vpc.account)
        if zoned.conflicted:
            yield judged_in_conflict(
                zoned,
                {
                    "production": _as_production(vpc, paths, naming),
                    "corporate": _as_corporate(vpc, paths, naming),
                },
                ctx.account_names,
            )
        elif zoned.candidates == ("production",):
            yield _as_production(vpc, paths, naming)
        elif zoned.candidates == ("corporate",):
            yield not_applicable(
                vpc,
                "corporate VPC: judged as the far end of the paths into production VPCs",
                zone_reason=zoned.reason,
            )
        elif zoned.candidates == ("unknown",):
            reaching = _reaching(vpc, paths, zones, "corporate")
            reached = f": {len(reaching)} path(s) from corporate reach it: " if reaching else ""
            yield unknown(
                vpc,
                CLASSIFY_VPC + reached + "; ".join(naming.path(p) for p in reaching),
                **naming.evidence(vpc, reaching),
                zone="unclassified",
            )
