"""Nobody fails the recent phishing tests repeatedly."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from vaultward.contract.records import Identity, PhishingResult, PhishingTest
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.people import not_a_person
from vaultward.derived.phishing import finished_tests, unlinked_people


@dataclass
class Tally:
    reached: list[str] = field(default_factory=list)  # labels of the tests that reached them
    failed: dict[str, list[str]] = field(default_factory=dict)  # test label -> how they failed
    unsure: list[str] = field(default_factory=list)  # tests whose outcome for them is not known


@check(
    id="training.repeat_clickers",
    title="Nobody fails phishing tests repeatedly (2 or more of the last 6, by default)",
    mitigation="training",
    severity="medium",
    weight=1,
    reads=[PhishingResult, PhishingTest, Identity],
    judges=[PhishingResult],
    references=["attack:T1566.002", "attack-mitigation:M1017", "cis-v8:14.2", "nist-csf:PR.AT-01"],
    remediation=(
        "Talk to each listed person, assign the lure module with real examples, and keep them "
        "in the monthly simulations until a run of tests passes; remove standing privileges "
        "from anyone who keeps failing."
    ),
)
def repeat_clickers(ctx: CheckContext) -> Iterator[Result]:
    """Someone who falls for simulated lures again and again, after the training each failure
    brings, is the person a real recruiter's or collaborator's lure will reach."""
    policy = ctx.policy.training
    recent = finished_tests(ctx)[-policy.recent_phishing_tests :]
    needed = policy.repeat_clicker_failures
    tallies: dict[str, Tally] = {}
    for outcome in recent:
        for email, result in outcome.results.items():
            tally = tallies.setdefault(email, Tally())
            if result.delivered is not True:
                continue  # bounced or never sent: it did not test them
            tally.reached.append(outcome.label)
            if result.failures is None:
                tally.unsure.append(outcome.label)
            elif result.failures:
                tally.failed[outcome.label] = list(result.failures)
    partial = [outcome for outcome in recent if outcome.gap]
    people = {person.email: person for person in ctx.people() if person.email}
    unlinked = unlinked_people(ctx)
    window = f"the last {len(recent)} finished tests"
    for email in sorted({ctx.directory.email_of(r.person) for r in ctx.records(PhishingResult)}):
        person = people.get(email)
        if person is not None and (person.machine or not person.active_identities):
            yield not_applicable(email, not_a_person(person))
            continue
        tally = tallies.get(email, Tally())
        # A test that does not list all its recipients may have reached them too.
        unsure = tally.unsure + [o.label for o in partial if email not in o.results]
        evidence = {
            "failed": tally.failed,
            "reached_by": tally.reached,
            "unsure": unsure,
            "window": len(recent),
        }
        count = len(tally.failed)
        if count >= needed:
            yield failed(email, f"failed {count} of {window}: {', '.join(tally.failed)}", **evidence)
        elif count + len(unsure) >= needed:
            yield unknown(email, f"failed {count} of {window}; not known in {', '.join(unsure)}", **evidence)
        elif tally.reached:
            yield passed(
                email,
                f"failed {count} of the {len(tally.reached)} recent tests that reached them ({window})",
                **evidence,
            )
        elif email in unlinked:
            yield unknown(
                email,
                "their results name no phishing test the source listed: when they were tested is not known",
            )
        else:
            yield not_applicable(email, f"none of {window} reached them", **evidence)
    for outcome in partial:
        yield unknown(outcome.test, f"{outcome.gap}: the people it does not list cannot be judged")
