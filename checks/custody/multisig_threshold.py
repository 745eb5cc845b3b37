"""High-value wallets need a safe m-of-n."""

from collections.abc import Iterator
from math import ceil

from vaultward.contract.records import Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.quorum import UNITS, quorum


@check(
    id="custody.multisig_threshold",
    title="High-value wallets are multisig with a safe threshold",
    mitigation="custody",
    severity="critical",
    weight=3,
    reads=[Wallet],
    references=["attack:T1657", "attack-mitigation:M1026", "ccss:v8:1.02", "seal:ms-2.1.1", "cis-v8:6.8"],
    remediation=(
        "Raise the threshold to at least 2 and at least half of the signers, with at least "
        "three signers and never all of them (n-of-n locks funds when one key is lost)."
    ),
)
def multisig_threshold(ctx: CheckContext) -> Iterator[Result]:
    """A high-value wallet one signer can empty is one compromised laptop away from the
    attacker's address; n-of-n fails the other way, when one key is lost."""
    # m-of-n as the vendor defines it (vaultward.derived.quorum): Safe owners, BitGo keys (user,
    # backup, BitGo; its admin approvals are custody.bitgo_policy_rules'). Never m over the
    # people who can spend: a BitGo wallet with one spender is 2-of-3 keys, not 2-of-1.
    policy = ctx.policy.custody
    for wallet in ctx.records(Wallet):
        # Every wallet's value tier lands in the evidence: the weekly report lists it from here.
        value = ctx.value_of(wallet)
        shown = quorum(wallet)
        evidence = {
            "quorum": shown,
            "threshold": wallet.threshold,
            "keys": wallet.threshold_of,
            "signers": wallet.signer_count,
            "approvals_required": wallet.approvals_required,
            "provider": wallet.provider,
            "tags": wallet.tags,
            **value.evidence(),
        }
        if wallet.threshold is None and wallet.multisig_type == "mpc":
            yield not_applicable(
                wallet,
                "an MPC vault: its approvals are the transfer policy's (custody.transfer_policy_approvals)",
                **evidence,
            )
            continue
        if value.high is False:
            yield not_applicable(wallet, f"not high-value: {value.reason}", **evidence)
            continue
        if value.high is None:
            yield unknown(wallet, f"whether it is high-value is unknown: {value.reason}", **evidence)
            continue
        m, n = wallet.threshold, wallet.threshold_of
        if m is None or not n:
            yield unknown(wallet, f"{wallet.provider} did not report its threshold and keys", **evidence)
            continue
        unit = UNITS.get(wallet.multisig_type, "keys")
        needed = max(2, ceil(n * policy.min_threshold_ratio))
        problems = []
        if m < 2:
            problems.append(f"{m}-of-{n} {unit}: one signer can move funds")
        elif m < needed:
            problems.append(f"{m}-of-{n} {unit}: below {needed} (at least half)")
        if m >= n and n > 1:
            problems.append(f"{m}-of-{n} {unit}: every one is needed; one lost key locks the funds")
        if n < policy.min_signers:
            problems.append(f"{n} {unit}, need at least {policy.min_signers}")
        if problems:
            yield failed(wallet, "; ".join(problems), **evidence)
        else:
            yield passed(wallet, shown, **evidence)
