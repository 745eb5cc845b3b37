"""Specialised lure training for privileged people, within six months."""

from collections.abc import Iterator

from checks.training.people import humans, judge_training
from vaultward.records import Identity, TrainingRecord
from vaultward.sdk import CheckContext, Result, check


@check(
    id="training.lure_training_privileged",
    title="Privileged people passed lure training (fake recruiter, collaborator) in the last 6 months",
    mitigation="training",
    severity="high",
    weight=2,
    reads=[Identity, TrainingRecord],
    references=["attack:T1566.003", "attack-mitigation:M1017", "cis-v8:14.2", "nist-csf:PR.AT-02"],
    remediation=(
        "Run the specialised module with real lure examples (fake job offers, coding tests, "
        "'collaborator' documents and meeting links) for every administrator and signer."
    ),
)
def lure_training_privileged(ctx: CheckContext) -> Iterator[Result]:
    """Administrators and signers are the targets of the months-long rapport-building lures
    that opened the largest crypto thefts; generic training does not prepare them for it."""
    privileged = [person for person in humans(ctx) if person.privileged]
    yield from judge_training(ctx, privileged, "lure", ctx.policy.training.lure_training_max_age_days)
