"""VPCs whose zone rules disagree: the account, a tag or the CIDRs say different zones.

A conflict fails, naming every rule that matched. The other segmentation checks judge such a
VPC under every zone it could be in (`vaultward.derived.zones`); this finding is where the
contradiction itself is reported, so it is fixed rather than lived with. A VPC that no rule
matches has nothing to disagree about and is not applicable (the path check asks to
classify it). An older fact that no rule of the policy classifies, judged by the zone its
collector recorded without the rules that matched, is unknown.
"""

from collections.abc import Iterator

from vaultward.contract.records import Vpc
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.zones import FIX, conflict_text, rule_text


@check(
    id="segmentation.zone_classification_consistent",
    title="Each VPC's zone rules agree (account, tags, CIDRs)",
    mitigation="segmentation",
    severity="high",
    weight=2,
    reads=[Vpc],
    references=["attack-mitigation:M1030", "cis-v8:12.4", "nist-csf:ID.AM-03"],
    remediation=(
        "Make the VPC's account, tags and CIDRs say one zone: fix the tag (or the CIDR), or move "
        "the account between policy.zones.production_accounts and corporate_accounts."
    ),
)
def zone_classification_consistent(ctx: CheckContext) -> Iterator[Result]:
    """A VPC tagged corporate in a production account (or the reverse) is one whose isolation
    nobody can state: the corporate-to-production paths it joins hide behind whichever rule
    happens to win, and the people fixing segmentation argue about the map, not the routes."""
    names = ctx.account_names
    for vpc in ctx.records(Vpc):
        zoned = ctx.zones.vpc(vpc)
        zones = zoned.candidates
        rules = [rule_text(c, names) for c in zoned.classifications]
        account = names.evidence(vpc.account)
        if len(zones) > 1:
            yield failed(
                vpc,
                f"{conflict_text(zoned, names)}: {FIX}",
                classifications=rules,
                candidates=list(zones),
                **account,
            )
        elif rules:
            yield passed(vpc, f"{zones[0]}: {', '.join(rules)}", classifications=rules, **account)
        elif zoned.zone == "unknown":
            yield not_applicable(vpc, "no rule of policy.zones matches it: nothing to disagree about")
        else:
            yield unknown(
                vpc,
                f"{zoned.zone} ({zoned.reason}), collected before every matching rule was recorded: collect again",
                zone=zoned.zone,
            )
