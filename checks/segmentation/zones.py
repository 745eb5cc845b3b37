"""Shared by the segmentation checks: the production VPCs, and network paths counted once."""

from collections.abc import Callable
from dataclasses import replace

from vaultward.records import NetworkPath, Vpc
from vaultward.sdk import CheckContext, Result
from vaultward.zones import conflict_text, could_be

UNCLASSIFIED = "no VPC is classified as production: set policy.zones in the configuration"
ZONE_RULES = (
    "(policy.zones: production_accounts / corporate_accounts, production_tags / corporate_tags "
    "or production_cidrs / corporate_cidrs)"
)
CLASSIFY_VPC = f"classify this VPC {ZONE_RULES}"


def zone_label(zone: str) -> str:
    """A zone as findings name it: "unknown" is a VPC no rule of policy.zones classified."""
    return "unclassified" if zone == "unknown" else zone


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


def production_verdict(vpc: Vpc, result: Result) -> Result:
    """A production-only check's verdict on a VPC judged as production. Under a zone conflict
    the worst of it and what another zone gives (not applicable) is kept: a pass, which holds
    only were the VPC production, becomes not applicable, and every verdict names the
    conflict. A VPC without a conflict keeps its verdict."""
    conflict = conflict_text(vpc)
    if not conflict:
        return result
    status = "skipped" if result.status == "pass" else result.status
    settle = ": counted once its zone is settled" if status == "skipped" else ""
    return replace(
        result,
        status=status,
        reason=f"zone conflict ({conflict}){settle}; as production: {result.reason}",
        evidence={**result.evidence, "zone_conflict": conflict},
    )
