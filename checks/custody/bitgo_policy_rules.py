"""BitGo wallets: admin approvals, an address whitelist and a velocity limit."""

from collections.abc import Iterator

from vaultward.contract.records import TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown

WHITELIST_RULES = frozenset({"advancedWhitelist", "coinAddressWhitelist"})
VELOCITY_RULES = frozenset({"velocityLimit"})


def _count(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@check(
    id="custody.bitgo_policy_rules",
    title="BitGo wallets need admin approvals and have a whitelist and a velocity limit",
    mitigation="custody",
    severity="critical",
    weight=3,
    reads=[Wallet, TransferPolicy],
    references=["attack:T1657", "attack-mitigation:M1026", "seal:ms-3.1.2", "nist-csf:PR.AA-05"],
    remediation=(
        "In each BitGo wallet's settings require at least two admin approvals for a high-value "
        "wallet (approvalsRequired), add an address whitelist rule (advancedWhitelist) that denies "
        "or holds other destinations, and a velocity-limit rule that holds withdrawals above the "
        "daily amount the business needs."
    ),
)
def bitgo_policy_rules(ctx: CheckContext) -> Iterator[Result]:
    """BitGo co-signs whatever a stolen user key and password ask for unless the wallet policy
    stops it: without a whitelist and a velocity limit one compromised spender drains the
    wallet to any address, in one go."""
    for wallet in ctx.records(Wallet):
        if wallet.provider != "bitgo":
            yield not_applicable(wallet, f"a {wallet.provider} wallet: BitGo policy rules do not apply")
            continue
        own = ctx.transfer_rules.applying(wallet)
        whitelists = [r.label for r in own if r.rule_kind in WHITELIST_RULES]
        velocity = [r.label for r in own if r.rule_kind in VELOCITY_RULES]
        approvals = _count(wallet.tags.get("approvals_required"))
        value = ctx.value_of(wallet)
        high = value.high
        evidence = {
            "approvals_required": approvals,
            "high_value": high,
            **value.evidence(),
            "whitelist_rules": whitelists,
            "velocity_rules": velocity,
            "rules": [f"{r.label} ({r.rule_kind})" for r in own],
        }
        if not wallet.tags.get("policy_rules"):
            yield unknown(
                wallet, "BitGo did not return this wallet's policy (admin.policy.rules)", **evidence
            )
            continue
        needed = 2 if high else 1
        problems, doubts = [], []
        if approvals is None:
            doubts.append("BitGo did not report how many approvals are required")
        elif approvals < needed:
            problems.append(
                f"{approvals} admin approval(s) required, need {needed}"
                + (" for a high-value wallet" if high else "")
            )
        elif approvals < 2 and high is None:
            doubts.append(
                f"{approvals} admin approval required: a high-value wallet needs 2, and whether "
                f"this one is high-value is unknown: {value.reason}"
            )
        if not whitelists:
            problems.append("no address whitelist rule")
        if not velocity:
            problems.append("no velocity-limit rule")
        if problems:
            yield failed(wallet, "; ".join(problems + doubts), **evidence)
        elif doubts:
            yield unknown(wallet, "; ".join(doubts), **evidence)
        else:
            yield passed(
                wallet,
                f"{approvals} admin approval(s), whitelist {', '.join(whitelists)}, "
                f"velocity limit {', '.join(velocity)}",
                **evidence,
            )
