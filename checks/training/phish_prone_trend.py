"""The organisation's phish-prone percentage at or under its bound, and not rising, in each of
the latest phishing tests."""

from collections.abc import Iterator

from vaultward.contract.records import PhishingResult, PhishingTest
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.phishing import finished_tests, why_not_counted


@check(
    id="training.phish_prone_trend",
    title="The organisation's phish-prone percentage is under its bound and not rising, test after test",
    mitigation="training",
    severity="medium",
    weight=1,
    reads=[PhishingTest, PhishingResult],
    references=["attack:T1566", "attack-mitigation:M1017", "cis-v8:14.2", "nist-csf:PR.AT-01"],
    remediation=(
        "Look at what the failing test imitated and train for it: assign the lure module to "
        "everyone who failed it, and keep simulations monthly until the phish-prone percentage "
        "is back under policy.training.org_max_phish_prone_percent."
    ),
)
def phish_prone_trend(ctx: CheckContext) -> Iterator[Result]:
    """A phish-prone percentage that rises from one simulation to the next means the lures
    are getting through more often, not less: the training is not holding."""
    bound = ctx.policy.training.org_max_phish_prone_percent
    finished = finished_tests(ctx)
    place = {outcome.test.key: index for index, outcome in enumerate(finished)}
    first_judged = max(0, len(finished) - ctx.policy.training.phish_trend_tests)
    for outcome in ctx.phishing_outcomes:
        evidence = {**outcome.evidence(), "bound": bound}
        index = place.get(outcome.test.key)
        if index is None:
            yield not_applicable(outcome.test, why_not_counted(outcome), **evidence)
            continue
        if index < first_judged:
            yield not_applicable(
                outcome.test,
                f"{outcome.label}: before the last {len(finished) - first_judged} finished tests the trend judges",
                **evidence,
            )
            continue
        before = finished[index - 1] if index else None
        if before is not None:
            evidence |= {"previous": before.label, "previous_percentage": before.evidence()["percentage"]}
        percentage = outcome.percentage
        if percentage is None:
            yield unknown(
                outcome.test, f"{outcome.label}: phish-prone percentage not known: {outcome.gap}", **evidence
            )
        elif percentage > bound:
            yield failed(
                outcome.test,
                f"{outcome.label}: phish-prone {percentage:.1f} % (bound {bound:g} %)",
                **evidence,
            )
        elif before is None:
            yield unknown(
                outcome.test,
                f"{outcome.label}: phish-prone {percentage:.1f} %, the first finished test: no earlier "
                "one to compare it with",
                **evidence,
            )
        elif before.percentage is None:
            yield unknown(
                outcome.test,
                f"{outcome.label}: phish-prone {percentage:.1f} %, but the test before cannot be "
                f"measured: {before.gap}",
                **evidence,
            )
        elif percentage > before.percentage:
            yield failed(
                outcome.test,
                f"{outcome.label}: phish-prone rose to {percentage:.1f} % from {before.percentage:.1f} % "
                f"in {before.label}",
                **evidence,
            )
        else:
            yield passed(
                outcome.test,
                f"{outcome.label}: phish-prone {percentage:.1f} % (bound {bound:g} %), "
                f"{before.percentage:.1f} % in {before.label}",
                **evidence,
            )
