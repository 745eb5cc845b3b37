"""Security-awareness training passed within the last year, per person."""

from collections.abc import Iterator
from datetime import timedelta

from checks.training.people import latest_completion, people
from vaultward.records import Identity, TrainingRecord
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="training.awareness_recent",
    title="Everyone passed security-awareness training in the last 12 months",
    mitigation="training",
    severity="medium",
    weight=1,
    reads=[Identity, TrainingRecord],
    references=["attack:T1566", "attack-mitigation:M1017", "cis-v8:14.1", "nist-csf:PR.AT-01"],
    remediation="Enrol the listed people in the awareness module and follow up until they pass.",
)
def awareness_recent(ctx: CheckContext) -> Iterator[Result]:
    """People who have never seen a convincing lure are the ones who open the fake recruiter's
    coding test or the 'collaborator's' PDF."""
    records = ctx.records(TrainingRecord)
    if not records:
        yield unknown("training", "no training source is connected: completion cannot be measured")
        return
    window = timedelta(days=ctx.policy.training.awareness_max_age_days)
    for person, identity in people(ctx.records(Identity)):
        completed = latest_completion(records, person, "awareness")
        if completed is None:
            yield failed(identity, "no passed awareness training on record", person=person)
        elif ctx.now - completed > window:
            yield failed(
                identity, f"last passed {(ctx.now - completed).days} days ago", completed_at=completed
            )
        else:
            yield passed(identity, f"passed {(ctx.now - completed).days} days ago", completed_at=completed)
