"""Phish-prone percentage under the configured bound."""

from collections.abc import Iterator

from vaultward.contract.records import PhishProne
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="training.phish_prone_bound",
    title="Each person's phish-prone percentage is under the configured bound",
    mitigation="training",
    severity="medium",
    weight=1,
    reads=[PhishProne],
    references=["attack:T1566", "attack-mitigation:M1017", "cis-v8:14.2"],
    remediation=(
        "Give the listed people the lure module and extra simulations until their phish-prone "
        "percentage falls under policy.training.max_phish_prone_percent."
    ),
)
def phish_prone_bound(ctx: CheckContext) -> Iterator[Result]:
    """People who keep clicking simulated lures will click the real recruiter's link."""
    bound = ctx.policy.training.max_phish_prone_percent
    for record in ctx.records(PhishProne):
        person = ctx.directory.email_of(record.person)
        if record.percentage is None:
            yield unknown(person, f"{record.source} gave no phish-prone percentage")
        elif record.percentage > bound:
            yield failed(
                person, f"phish-prone {record.percentage:g}% (bound {bound:g}%)", percentage=record.percentage
            )
        else:
            yield passed(person, f"phish-prone {record.percentage:g}%", percentage=record.percentage)
