"""Zones as the checks judge them, derived at evaluation from what the collectors observed
under the evaluation's `policy.zones` (`Zones`, given to checks as `ctx.zones`): the zone of
each account, VPC and network ACL, every zone a VPC could be in, and its zone conflicts.

A VPC's classifications (account, tag, CIDR) may disagree: an account listed under
`production_accounts` holding a VPC tagged `Environment=corp`. Nothing decides that silently.
The VPC is a zone conflict, reported as such, and a check judges it under every zone it
could be in and keeps the worst verdict (`worst`), naming the conflict: a contradiction may
only lower a score, never raise it.

Also what the segmentation checks share: the production VPCs, network paths counted once,
and VPCs named as people know them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from vaultward.config.policy import ZoneRules
from vaultward.contract.records import (
    CloudAccount,
    NetworkAcl,
    NetworkPath,
    OrgAccount,
    Vpc,
    Zone,
    ZoneClassification,
)
from vaultward.contract.sdk import CheckContext, Result
from vaultward.derived.names import AccountNames, named
from vaultward.derived.zone_rules import NON_INTERNET, account_zone, classifications, source_zone

ZONE_ORDER: tuple[Zone, ...] = ("production", "corporate", "unknown")

# Worst first, as a score sees it: a fail lowers it, unknown counts as not passing, not
# applicable leaves it out, a pass raises it.
VERDICT_ORDER = ("fail", "unknown", "skipped", "pass")

FIX = "fix the tag or CIDR, or policy.zones"


@dataclass(frozen=True)
class VpcZone:
    """A VPC's zone under the policy: the first rule that matched (account, then tag, then
    CIDR) and why, and every rule that matched."""

    zone: Zone = "unknown"
    reason: str = ""
    classifications: tuple[ZoneClassification, ...] = ()

    @property
    def candidates(self) -> tuple[Zone, ...]:
        """Every zone the VPC could be in, production first: its classifications' zones, or
        its zone alone when it has none (an older fact recorded before classifications were)."""
        zones = {c.zone for c in self.classifications} or {self.zone}
        return tuple(zone for zone in ZONE_ORDER if zone in zones)

    def could_be(self, zone: Zone) -> bool:
        return zone in self.candidates

    @property
    def conflicted(self) -> bool:
        """Whether rules of `policy.zones` put the VPC in different zones."""
        return len(self.candidates) > 1


class Zones:
    """The zones of the evaluation's facts under its policy (`ctx.zones`): collectors record
    observations (account ids, tags, CIDRs), and the rules of `policy.zones` are applied
    here, at every evaluation, so a policy edit counts at the next one without collecting
    again. A fact stored before issue 17 carries the zone its collector gave
    (`recorded_zone`): it stands only where no rule of the policy classifies the fact, so
    the fact is judged as it was then, never better. Worked out once per VPC."""

    def __init__(self, rules: ZoneRules, vpcs: Iterable[Vpc] = ()) -> None:
        self.rules = rules
        self.vpcs = {vpc.key: vpc for vpc in vpcs}  # the collected VPCs, by id
        self._zoned: dict[tuple[str, str], VpcZone] = {}
        self._paths: dict[tuple[str, str], tuple[Zone, Zone] | None] = {}
        self._corporate: dict[str, list[Vpc]] | None = None

    def account(self, account: CloudAccount | OrgAccount) -> Zone:
        """The zone the account rules give the account (production first), else the zone
        recorded with an older fact, else unknown."""
        return account_zone(account.account_id, self.rules) or account.recorded_zone or "unknown"

    def vpc(self, vpc: Vpc) -> VpcZone:
        """The VPC's zone from its owner account, tags and CIDRs (`zone_rules.classifications`)."""
        found = self._zoned.get((vpc.scope, vpc.key))
        if found is None:
            matched = classifications(vpc.owner or vpc.account, vpc.tags, vpc.cidrs, self.rules)
            if matched:
                found = VpcZone(matched[0][0].zone, matched[0][1], tuple(c for c, _ in matched))
            elif vpc.recorded_zone is not None or vpc.recorded_classifications:
                found = VpcZone(
                    vpc.recorded_zone or "unknown",
                    vpc.recorded_zone_reason,
                    tuple(vpc.recorded_classifications),
                )
            else:
                found = VpcZone()
            self._zoned[(vpc.scope, vpc.key)] = found
        return found

    def acl(self, acl: NetworkAcl) -> Zone:
        """Its VPC's zone; for an ACL whose VPC was not collected, the zone an older fact
        recorded, else unknown."""
        vpc = self.vpcs.get(acl.vpc_id)
        return self.vpc(vpc).zone if vpc is not None else acl.recorded_zone or "unknown"

    def path(self, path: NetworkPath) -> tuple[Zone, Zone] | None:
        """The zones a path joins, from and to; None when it joins none (a security-group rule
        admitting a range that is neither the internet nor corporate, or corporate into a
        corporate VPC). An end the policy gives no zone keeps the zone an older fact recorded."""
        at = (path.scope, path.key)
        if at not in self._paths:
            if path.path_kind == "security_group":
                self._paths[at] = self._rule(path)
            else:
                self._paths[at] = (
                    self._end(path.from_ref, path.from_account, path.from_cidrs, path.recorded_from_zone),
                    self._end(path.to_ref, path.to_account, path.to_cidrs, path.recorded_to_zone),
                )
        return self._paths[at]

    def open_to_internet(self, path: NetworkPath) -> bool:
        zones = self.path(path)
        return zones is not None and zones[0] == "internet"

    def _end(self, vpc_id: str, owner: str, cidrs: list[str], recorded: Zone | None) -> Zone:
        """A peering's or route's end: its VPC's zone when collected, else its owner account's
        and CIDRs' (the first rule that matches)."""
        vpc = self.vpcs.get(vpc_id)
        if vpc is not None:
            zone = self.vpc(vpc).zone
        else:
            matched = classifications(owner, {}, cidrs, self.rules)
            zone = matched[0][0].zone if matched else "unknown"
        return recorded if zone == "unknown" and recorded else zone

    def _rule(self, path: NetworkPath) -> tuple[Zone, Zone] | None:
        """A security-group rule: from the internet into any VPC, and from corporate ranges
        (`corporate_cidrs`, or the CIDRs of another VPC of its account and region that any rule
        calls corporate: a conflict counts at its worst) into any VPC not corporate only."""
        vpc_id = path.vpcs[0] if path.vpcs else ""
        vpc = self.vpcs.get(vpc_id)
        to: Zone = self.vpc(vpc).zone if vpc is not None else "unknown"
        if to == "unknown" and path.recorded_to_zone:
            to = path.recorded_to_zone
        if self._corporate is None:
            self._corporate = {}
            for other in self.vpcs.values():
                if self.vpc(other).could_be("corporate"):
                    self._corporate.setdefault(other.scope, []).append(other)
        corporate = [*self.rules.corporate_cidrs] + [
            cidr
            for other in self._corporate.get(path.scope, [])
            if other.key != vpc_id
            for cidr in other.cidrs
        ]
        source = source_zone(path.from_ref, corporate) or path.recorded_from_zone
        if source in (None, "unknown") or (
            source == "corporate" and vpc is not None and self.vpc(vpc).candidates == ("corporate",)
        ):
            return None  # corporate into corporate is no path between zones
        return (source, to)  # type: ignore[return-value]

    def unrecorded_corporate(self, vpc: Vpc) -> list[str]:
        """The corporate ranges of the policy that a security-group rule into `vpc` may admit
        unseen: empty when its fact records every rule (`Vpc.ingress_recorded`). An older fact
        left out the rules whose range was private and not corporate at collection, so a
        private range of `corporate_cidrs`, or of a VPC of its account and region that a rule
        now calls corporate, may match one of them."""
        if vpc.ingress_recorded:
            return []
        ranges = [*self.rules.corporate_cidrs] + [
            cidr
            for other in self.vpcs.values()
            if other.scope == vpc.scope
            and other.key != vpc.key
            and any(
                c.zone == "corporate"
                for c, _ in classifications(other.owner or other.account, other.tags, other.cidrs, self.rules)
            )
            for cidr in other.cidrs
        ]
        return [cidr for cidr in dict.fromkeys(ranges) if _private(cidr)]

    def conflicts(self) -> list[Vpc]:
        """The conflicted VPCs, once each (a VPC is seen from one scope), in key order."""
        return sorted(
            (vpc for vpc in self.vpcs.values() if self.vpc(vpc).conflicted), key=lambda vpc: vpc.key
        )


def _private(cidr: str) -> bool:
    network = ipaddress.ip_network(cidr, strict=False)
    return any(network.version == n.version and network.subnet_of(n) for n in NON_INTERNET)  # type: ignore[arg-type]


def rule_text(rule: ZoneClassification, accounts: AccountNames | None = None) -> str:
    """What one rule says, an account rule naming the account as people know it: `account
    "prod-payments" (111111111111) says production`."""
    if accounts is not None and rule.rule == "account":
        return f"{accounts.label(rule.matched.removeprefix('account '))} says {rule.zone}"
    return str(rule)


def conflict_text(zoned: VpcZone, accounts: AccountNames | None = None) -> str:
    """What disagrees, e.g. "account 111111111111 says production, tag Environment=corp says
    corporate"; "" when nothing does."""
    if not zoned.conflicted:
        return ""
    return ", ".join(rule_text(c, accounts) for c in zoned.classifications)


def conflict_line(vpc: Vpc, zoned: VpcZone, accounts: AccountNames | None = None) -> str:
    """One line per conflicted VPC, as `vaultward evaluate` prints it."""
    account = vpc.account and (accounts.label(vpc.account) if accounts is not None else vpc.account)
    where = " / ".join(part for part in (account, vpc.region) if part)
    name = f" ({vpc.name})" if vpc.name else ""
    return f"{vpc.key}{name}{f' in {where}' if where else ''}: {conflict_text(zoned, accounts)}; {FIX}"


def worst(results: Iterable[Result]) -> Result:
    """The verdict a score likes least; the first of equals."""
    return min(results, key=lambda result: VERDICT_ORDER.index(result.status))


def judged_in_conflict(
    zoned: VpcZone, verdicts: Mapping[Zone, Result], accounts: AccountNames | None = None
) -> Result:
    """A check's verdict on a conflicted VPC, given its verdict in each zone it judges: the
    worst over every zone the VPC could be in (a zone the check does not judge gives not
    applicable, so a pass that holds in one zone only is never the verdict), naming the
    conflict, the zone that gave it and what the other zones gave."""
    given = next(iter(verdicts.values()))  # names the resource judged: the VPC, or its ACL
    unjudged = "not judged as {}: counted once its zone is settled"
    judged = {
        zone: verdicts.get(zone) or replace(given, status="skipped", reason=unjudged.format(zone))
        for zone in zoned.candidates
    }
    result = worst(judged.values())
    zone = next(zone for zone, verdict in judged.items() if verdict is result)
    others = "".join(f"; as {z} ({r.status}): {r.reason}" for z, r in judged.items() if z != zone)
    conflict = conflict_text(zoned, accounts)
    return replace(
        result,
        reason=f"zone conflict ({conflict}), judged as {zone}, the worst of {', '.join(judged)}: "
        + result.reason
        + others,
        evidence={
            **result.evidence,
            "zone_conflict": conflict,
            "judged_as": zone,
            "verdicts": {z: r.status for z, r in judged.items()},
        },
    )


# --- what the segmentation checks share ---------------------------------------------------

UNCLASSIFIED = "no VPC is classified as production: set policy.zones in the configuration"
ZONE_RULES = (
    "(policy.zones: production_accounts / corporate_accounts, production_tags / corporate_tags "
    "or production_cidrs / corporate_cidrs)"
)
CLASSIFY_VPC = f"classify this VPC {ZONE_RULES}"


def zone_label(zone: str) -> str:
    """A zone as findings name it: "unknown" is a VPC no rule of policy.zones classified."""
    return "unclassified" if zone == "unknown" else zone


def vpc_label(vpc_id: str, vpcs: Mapping[str, Vpc], noun: str = "VPC") -> str:
    """`VPC "prod-core" (vpc-0abc)`; the id alone when the VPC has no name or was not collected."""
    vpc = vpcs.get(vpc_id)
    return named(noun, vpc.name if vpc is not None else "", vpc_id)


def vpc_where(vpc: Vpc, accounts: AccountNames, zone: str = "") -> str:
    """The VPC and its account as a finding names them: `production VPC "prod-core"
    (vpc-0abc) in account "prod-payments" (111111111111)`."""
    text = named(f"{zone} VPC".strip(), vpc.name, vpc.key)
    return f"{text} in {accounts.label(vpc.account)}" if vpc.account else text


def production_vpcs(ctx: CheckContext) -> list[Vpc] | None:
    """The VPCs that may be production (a zone conflict counts); None when VPCs were
    collected but none may be production (the zone rules are missing, so nothing can be
    judged)."""
    vpcs = ctx.records(Vpc)
    production = [vpc for vpc in vpcs if ctx.zones.vpc(vpc).could_be("production")]
    if vpcs and not production:
        return None
    return production


def unique_paths(ctx: CheckContext, keep: Callable[[NetworkPath], bool]) -> list[NetworkPath]:
    """Paths that `keep` selects, once each: a peering is seen from both of its accounts."""
    return list({path.key: path for path in ctx.records(NetworkPath) if keep(path)}.values())


def paths_by_vpc(paths: list[NetworkPath]) -> dict[str, list[NetworkPath]]:
    """The paths reaching or joining each VPC, in the order given: one pass, rather than
    every path scanned for every VPC."""
    by_vpc: dict[str, list[NetworkPath]] = {}
    for path in paths:
        for vpc in dict.fromkeys(path.vpcs):
            by_vpc.setdefault(vpc, []).append(path)
    return by_vpc


def production_verdict(zoned: VpcZone, result: Result, accounts: AccountNames | None = None) -> Result:
    """A production-only check's verdict on a VPC judged as production; under a zone conflict,
    the worst over the zones it could be in (`judged_in_conflict`)."""
    return judged_in_conflict(zoned, {"production": result}, accounts) if zoned.conflicted else result
