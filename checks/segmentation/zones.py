"""Shared by the segmentation checks: the production VPCs, network paths counted once, and VPCs
named as people know them."""

from collections.abc import Callable, Mapping

from vaultward.contract.records import NetworkPath, Vpc
from vaultward.contract.sdk import CheckContext, Result
from vaultward.derived.names import AccountNames, named
from vaultward.derived.zones import conflicted, could_be, judged_in_conflict

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
    production = [vpc for vpc in vpcs if could_be(vpc, "production")]
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


def production_verdict(vpc: Vpc, result: Result, accounts: AccountNames | None = None) -> Result:
    """A production-only check's verdict on a VPC judged as production; under a zone conflict,
    the worst over the zones it could be in (`vaultward.derived.zones.judged_in_conflict`)."""
    return judged_in_conflict(vpc, {"production": result}, accounts) if conflicted(vpc) else result
