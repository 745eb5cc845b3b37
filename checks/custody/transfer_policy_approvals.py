"""Custody transfer policies: high-value transfers need independent approvals."""

from collections.abc import Iterator

from vaultward.contract.records import TransferPolicy
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed


@check(
    id="custody.transfer_policy_approvals",
    title="High-value transfers need two approvers, not the initiator, to allow-listed addresses",
    mitigation="custody",
    severity="critical",
    weight=3,
    reads=[TransferPolicy],
    references=["attack:T1657", "attack-mitigation:M1026", "seal:ms-3.1.2", "nist-csf:PR.AA-05"],
    remediation=(
        "For every rule that allows transfers above the high-value bound: require at least two "
        "approvers, forbid the initiator from approving, and allow only whitelisted destinations."
    ),
)
def transfer_policy_approvals(ctx: CheckContext) -> Iterator[Result]:
    """A transfer rule that lets one person initiate and approve a large withdrawal to any
    address is the signing path Lazarus operators look for after the first foothold."""
    bound = ctx.policy.custody.high_value_usd
    for rule in ctx.records(TransferPolicy):
        if not rule.active:
            yield not_applicable(rule, "inactive rule", provider=rule.provider)
            continue
        if rule.rule_kind.upper() not in ("TRANSFER", ""):
            yield not_applicable(
                rule, f"a {rule.rule_kind} rule, not a transfer rule", provider=rule.provider
            )
            continue
        if rule.approvals_required is None and rule.initiator_can_approve is None:
            yield not_applicable(
                rule, "a BLOCK rule or one without approvals to judge", provider=rule.provider
            )
            continue
        if rule.amount_to_usd is not None and rule.amount_to_usd < bound:
            yield not_applicable(
                rule,
                f"small transfers only (up to {rule.amount_to_usd:g} USD, bound {bound:g})",
                provider=rule.provider,
            )
            continue
        evidence = {
            "approvals_required": rule.approvals_required,
            "initiator_can_approve": rule.initiator_can_approve,
            "destinations_allowlisted": rule.destinations_allowlisted,
            "amount_from_usd": rule.amount_from_usd,
            "provider": rule.provider,
        }
        problems = []
        if rule.approvals_required is None or rule.approvals_required < 2:
            problems.append(f"{rule.approvals_required or 0} approval(s) required, need 2")
        if rule.initiator_can_approve is not False:
            problems.append(
                "the initiator may approve their own transfer"
                if rule.initiator_can_approve
                else "whether the initiator may approve is unknown"
            )
        if rule.destinations_allowlisted is not True:
            problems.append("destinations are not limited to allow-listed addresses")
        if problems:
            yield failed(rule, "; ".join(problems), **evidence)
        else:
            yield passed(
                rule,
                f"{rule.approvals_required} independent approvals, allow-listed destinations",
                **evidence,
            )
