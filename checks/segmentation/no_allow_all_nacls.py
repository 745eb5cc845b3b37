"""Network ACLs of production that let all traffic in from the whole internet.

Inbound rules only, read as AWS reads them: the lowest-numbered matching rule wins. An
allow of all traffic (or of every TCP / UDP port) from 0.0.0.0/0 or ::/0 fails unless
earlier denies matching all its traffic together span the whole address family (then it is
shadowed, and the ACL passes); earlier denies that only carve out some ports or ranges (a
block list) leave it in effect, and are listed. Egress is not judged: ACLs are stateless,
so replies to inbound connections need broad outbound ephemeral ports, and exfiltration is
better filtered by security groups and egress proxies. An ACL is judged when subnets use
it, and always when it is its VPC's default (every new subnet starts on it). A VPC whose zone
is a conflict that may be production is judged as production, but never passes: a clean ACL
there is not applicable until its zone is settled (`vaultward.derived.zones`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vaultward.contract.records import AclEntry, NetworkAcl, PortRange, Vpc
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.names import AccountNames
from vaultward.derived.zones import UNCLASSIFIED, production_verdict, production_vpcs, vpc_label, zone_label

WHOLE_FAMILY = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


@dataclass(frozen=True)
class Opening:
    """An inbound allow-all rule and the earlier denies that bear on it."""

    entry: AclEntry
    denies: list[AclEntry]  # earlier denies of its address family
    shadowed: bool  # the denies that match all its traffic span the whole family


def _describe(entry: AclEntry) -> str:
    return f"rule {entry.rule_number} {entry.action} {entry.ports} from {entry.cidr}"


def _summary(opening: Opening) -> str:
    entry = opening.entry
    text = f"rule {entry.rule_number} allows {entry.ports} in from {entry.cidr}"
    if opening.denies:
        text += " (earlier denies only carve out " + ", ".join(_describe(e) for e in opening.denies) + ")"
    return text


def _all_ports(ports: PortRange) -> bool:
    """All traffic, or every port of TCP or UDP."""
    if ports.protocol == "-1":
        return True
    if ports.protocol not in ("tcp", "udp"):
        return False
    return ports.from_port is None or (ports.from_port <= 0 and (ports.to_port or 0) >= 65535)


def _covers(deny: PortRange, allow: PortRange) -> bool:
    """Whether `deny` matches every packet `allow` does (over the same addresses)."""
    if deny.protocol == "-1":
        return True
    if deny.protocol != allow.protocol:
        return False
    if deny.from_port is None or deny.to_port is None:
        return True
    return (
        allow.from_port is not None
        and deny.from_port <= allow.from_port
        and deny.to_port >= (allow.to_port or 0)
    )


def _openings(acl: NetworkAcl) -> list[Opening]:
    """Inbound rules allowing all traffic (or all ports of TCP / UDP) from 0.0.0.0/0 or ::/0,
    in rule order, up to the first in effect per address family."""
    inbound = sorted((e for e in acl.entries if not e.egress), key=lambda e: e.rule_number)
    openings = []
    for version, whole in WHOLE_FAMILY.items():
        family = [e for e in inbound if ipaddress.ip_network(e.cidr, strict=False).version == version]
        for index, entry in enumerate(family):
            if entry.action != "allow" or ipaddress.ip_network(entry.cidr, strict=False) != whole:
                continue
            if not _all_ports(entry.ports):
                continue
            denies = [e for e in family[:index] if e.action == "deny"]
            covering = [
                ipaddress.ip_network(e.cidr, strict=False) for e in denies if _covers(e.ports, entry.ports)
            ]
            shadowed = list(ipaddress.collapse_addresses(covering)) == [whole]  # type: ignore[type-var]
            openings.append(Opening(entry, denies, shadowed))
            if not shadowed:
                break  # in effect: later rules only see what this one did not match
    return openings


@check(
    id="segmentation.no_allow_all_nacls",
    title="No production network ACL allows all traffic in from the internet",
    mitigation="segmentation",
    severity="medium",
    weight=1,
    reads=[Vpc, NetworkAcl],
    judges=[NetworkAcl],
    references=[
        "attack-mitigation:M1030",
        "attack-mitigation:M1037",
        "cis-v8:12.2",
        "cis-v8:13.4",
        "nist-csf:PR.IR-01",
    ],
    remediation=(
        "Give production subnets a network ACL that admits only the ports and ranges they serve "
        "(plus return traffic on ephemeral ports), and put a low-numbered deny-all from 0.0.0.0/0 "
        "and ::/0 on each VPC's default ACL so new subnets start closed."
    ),
    population=True,
)
def no_allow_all_nacls(ctx: CheckContext) -> Iterator[Result]:
    """A network ACL that lets every protocol and port in from 0.0.0.0/0 or ::/0 leaves a
    production subnet one security-group mistake away from the internet: the second layer
    that should catch the mistake is not there."""
    production = production_vpcs(ctx)
    if production is None:
        yield unknown("zones", UNCLASSIFIED)
        return
    accounts = ctx.account_names
    vpcs = {vpc.key: vpc for vpc in production}
    collected = {vpc.key: vpc for vpc in ctx.records(Vpc)}
    acls = []
    zones = ctx.zones
    for acl in ctx.records(NetworkAcl):
        if acl.vpc_id in vpcs or (acl.vpc_id not in collected and zones.acl(acl) == "production"):
            acls.append(acl)
            continue
        zone = zone_label(zones.acl(acl))
        classify = (
            " (classify it in policy.zones to judge it as production)" if zone == "unclassified" else ""
        )
        yield not_applicable(
            acl,
            f"in {vpc_label(acl.vpc_id, collected, f'{zone} VPC')}: production ACLs are judged{classify}",
            **_where(acl, collected, accounts),
        )
    with_acl = {acl.vpc_id for acl in acls}
    for vpc in production:
        if vpc.key not in with_acl:
            # Every VPC has a default ACL: none collected means the ACLs were not read.
            result = unknown(vpc, "no network ACL of this VPC was collected")
            yield production_verdict(zones.vpc(vpc), result, accounts)
    for acl in acls:
        if acl.default or acl.subnets:
            result = _judge(acl, collected, accounts)
            judged = vpcs.get(acl.vpc_id)
            yield result if judged is None else production_verdict(zones.vpc(judged), result, accounts)
        else:
            yield not_applicable(
                acl, "no subnet uses it and it is not its VPC's default", **_where(acl, collected, accounts)
            )


def _where(acl: NetworkAcl, vpcs: Mapping[str, Vpc], accounts: AccountNames) -> dict[str, Any]:
    """The ACL's VPC (and its name) and account, as the evidence records them."""
    vpc = vpcs.get(acl.vpc_id)
    named_vpc = {"vpc_name": vpc.name} if vpc is not None and vpc.name else {}
    return {"vpc": acl.vpc_id, **named_vpc, **accounts.evidence(acl.account)}


def _judge(acl: NetworkAcl, vpcs: Mapping[str, Vpc], accounts: AccountNames) -> Result:
    openings = _openings(acl)
    evidence = {**_where(acl, vpcs, accounts), "default": acl.default, "subnets": acl.subnets}
    effective = [o for o in openings if not o.shadowed]
    if effective:
        found = [
            {
                "rule": o.entry.rule_number,
                "source": o.entry.cidr,
                "traffic": str(o.entry.ports),
                "exceptions": [_describe(e) for e in o.denies],
            }
            for o in effective
        ]
        owner = f" in {accounts.label(acl.account)}" if acl.account else ""
        place = f"{'default ACL' if acl.default else 'ACL'} of {vpc_label(acl.vpc_id, vpcs)}{owner}"
        return failed(
            acl, f"{place}: " + "; ".join(_summary(o) for o in effective), openings=found, **evidence
        )
    notes = [
        f"{_describe(o.entry)} is shadowed by "
        + ", ".join(_describe(e) for e in o.denies if _covers(e.ports, o.entry.ports))
        for o in openings
    ]
    reason = "no inbound rule allows all traffic from 0.0.0.0/0 or ::/0"
    return passed(acl, "; ".join([reason, *notes]), shadowed=notes, **evidence)
