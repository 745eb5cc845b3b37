"""Security-awareness training passed within the last year, per person."""

from collections.abc import Iterator

from vaultward.contract.records import Identity, TrainingRecord
from vaultward.contract.sdk import CheckContext, Result, check
from vaultward.derived.training import humans, judge_training, not_judged


@check(
    id="training.awareness_recent",
    title="Everyone passed security-awareness training in the last 12 months",
    mitigation="training",
    severity="medium",
    weight=1,
    reads=[Identity, TrainingRecord],
    references=["attack:T1566", "attack-mitigation:M1017", "cis-v8:14.1", "nist-csf:PR.AT-01"],
    remediation="Enrol the listed people in the awareness module and follow up until they pass.",
    population=True,  # a missing training record reads as "never trained"
)
def awareness_recent(ctx: CheckContext) -> Iterator[Result]:
    """People who have never seen a convincing lure are the ones who open the fake recruiter's
    coding test or the 'collaborator's' PDF."""
    people = humans(ctx)
    yield from judge_training(ctx, people, "awareness", ctx.policy.training.awareness_max_age_days)
    yield from not_judged(ctx, people, "not a person with an active identity")
