"""Administrative and database ports open to the internet, in every zone.

Every collected VPC is judged, whatever its zone: production, corporate or unclassified
(no rule of `policy.zones` matched). An exposure fails in every zone, with the same severity
and weight, as Prowler's `ec2_securitygroup_allow_ingress_from_internet_to_*` checks do: an
open SSH or RDP port outside production is still the foothold these intrusions start from,
and an unclassified VPC may well be production. The zone is named in the message and the
evidence, so a reader can rank the failures.

Only production VPCs pass. A clean VPC elsewhere is reported as not applicable (left out of
the score): otherwise the default VPCs of every unused region would water down a failing
production VPC, and one open SSH port in production would score 99 %.

A VPC whose zone is a conflict (`vaultward.derived.zones`) is judged as production if any rule says
production: an exposure fails naming the conflict, and a clean one is not applicable until
the zone is settled (as production it would pass, as corporate not count: the worse is kept).
"""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from vaultward.contract.records import NetworkPath, Vpc
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed
from vaultward.derived.names import named
from vaultward.derived.zones import (
    paths_by_vpc,
    production_verdict,
    unique_paths,
    vpc_where,
    zone_label,
)


def _exposures(paths: list[NetworkPath], admin_ports: list[int]) -> list[dict[str, Any]]:
    exposures = []
    for path in paths:
        ports = sorted(port for port in admin_ports if path.exposes(port))
        if ports:
            exposures.append(
                {
                    "rule": path.key,
                    "source": path.from_ref,
                    "group": path.to_ref,
                    "group_name": path.name,
                    "ports": ports,
                }
            )
    return exposures


def _summary(exposures: list[dict[str, Any]]) -> str:
    """One clause per group and source: `security group "legacy-admin" (sg-1) port(s) 22, 3389
    from 0.0.0.0/0`; the group's id alone when it has no name."""
    merged: dict[tuple[str, str, str], list[int]] = {}
    for exposure in exposures:
        ports = merged.setdefault((exposure["group"], exposure["group_name"], exposure["source"]), [])
        ports.extend(port for port in exposure["ports"] if port not in ports)
    return "; ".join(
        f"{named('security group', name, group)} port(s) {', '.join(map(str, sorted(ports)))} from {source}"
        for (group, name, source), ports in merged.items()
    )


@check(
    id="segmentation.no_admin_ports_from_internet",
    title="No admin or database port is open to the internet, in any zone",
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
        "Delete ingress rules that admit 0.0.0.0/0 or ::/0 (or any public range) to admin or database "
        "ports, in every VPC; use SSM Session Manager or an identity-aware proxy instead of open SSH/RDP."
    ),
    population=True,
)
def no_admin_ports_from_internet(ctx: CheckContext) -> Iterator[Result]:
    """SSH, RDP or a database port open to the internet is a door that stolen credentials or
    an exploit walk straight through, skipping every internal control; outside production it
    is the foothold from which the attacker moves on to production."""
    admin_ports = ctx.policy.zones.admin_ports
    accounts = ctx.account_names
    reaching = paths_by_vpc(unique_paths(ctx, ctx.zones.open_to_internet))
    vpcs = {vpc.key: vpc for vpc in ctx.records(Vpc)}
    for vpc in vpcs.values():
        # A zone conflict is judged as its most exposed zone: production if any rule says so.
        zoned = ctx.zones.vpc(vpc)
        zone = zone_label(zoned.candidates[0])
        where = {"zone": zone, "zone_reason": zoned.reason, **accounts.evidence(vpc.account)}
        exposures = _exposures(reaching.get(vpc.key, []), admin_ports)
        if exposures:
            yield production_verdict(
                zoned,
                failed(
                    vpc,
                    f"open to the internet in {vpc_where(vpc, accounts, zone)}: {_summary(exposures)}",
                    exposures=exposures,
                    **where,
                ),
                accounts,
            )
        elif zone == "production":
            yield production_verdict(
                zoned,
                passed(
                    vpc,
                    f"no admin or database port open to the internet ({zone} VPC)",
                    admin_ports=admin_ports,
                    **where,
                ),
                accounts,
            )
        else:
            yield not_applicable(
                vpc,
                f"no admin or database port open to the internet; {zone} VPC: counted only when exposed"
                + (
                    ""
                    if zoned.zone != "unknown"
                    else " (classify it in policy.zones to judge it as production)"
                ),
                admin_ports=admin_ports,
                **where,
            )
    # A group whose VPC was not collected (not listed, or its facts expired) is still reported.
    for vpc_id, paths in reaching.items():
        exposures = _exposures(paths, admin_ports) if vpc_id not in vpcs else []
        if exposures:
            zone = zone_label((ctx.zones.path(paths[0]) or ("", "unknown"))[1])
            account = paths[0].account
            result = failed(
                vpc_id,
                f"open to the internet in {zone} VPC {vpc_id}"
                + (f" in {accounts.label(account)}" if account else "")
                + " (the VPC itself was not collected): "
                + _summary(exposures),
                exposures=exposures,
                zone=zone,
                **accounts.evidence(account),
            )
            yield replace(result, scope=paths[0].scope)  # stale or partial, it turns unknown
