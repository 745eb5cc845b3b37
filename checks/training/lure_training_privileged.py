"""Specialised lure training for privileged people and wallet signers, within six months."""

from collections.abc import Iterator

from vaultward.contract.records import Identity, TrainingRecord, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check
from vaultward.derived.training import judge_training, not_privileged, privileged_and_signers


@check(
    id="training.lure_training_privileged",
    title=(
        "Privileged people and wallet signers passed lure training (fake recruiter, collaborator) "
        "in the last 6 months"
    ),
    mitigation="training",
    severity="high",
    weight=2,
    reads=[Identity, TrainingRecord, Wallet, TransferPolicy],
    references=["attack:T1566.003", "attack-mitigation:M1017", "cis-v8:14.2", "nist-csf:PR.AT-02"],
    remediation=(
        "Run the specialised module with real lure examples (fake job offers, coding tests, "
        "'collaborator' documents and meeting links) for every administrator and signer."
    ),
)
def lure_training_privileged(ctx: CheckContext) -> Iterator[Result]:
    """Administrators and signers are the targets of the months-long rapport-building lures
    that opened the largest crypto thefts; generic training does not prepare them for it."""
    # Signers: every wallet signer or transfer approver that resolves to a person, whether or
    # not a source marks them privileged.
    people = privileged_and_signers(ctx)
    chosen = [people[key] for key in sorted(people)]
    yield from judge_training(ctx, chosen, "lure", ctx.policy.training.lure_training_max_age_days)
    yield from not_privileged(ctx, chosen)
