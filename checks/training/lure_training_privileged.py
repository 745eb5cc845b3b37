"""Specialised lure training for privileged people and wallet signers, within six months."""

from collections.abc import Iterator

from checks.access.privilege import privilege_gap
from checks.custody.signers import custody_people
from checks.training.people import humans, judge_training, not_judged
from vaultward.people import Person
from vaultward.records import Identity, TrainingRecord, TransferPolicy, Wallet
from vaultward.sdk import CheckContext, Result, check, unknown


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
    # Signers: the people policy.people.signers names and every wallet signer or transfer
    # approver that resolves to a person, whether or not a source marks them privileged.
    people = {person.id: person for person in humans(ctx) if person.privileged}
    everyone = {person.id: person for person in ctx.people()}
    for email in custody_people(ctx):
        if email not in people:
            # a signer known only from the signer map is still judged by e-mail
            people[email] = everyone.get(email) or Person(id=email, identities=(), machine=False)
    chosen = [people[key] for key in sorted(people)]
    yield from judge_training(ctx, chosen, "lure", ctx.policy.training.lure_training_max_age_days)
    # Whether some people are privileged is unknown (a failed request): never left out.
    unsure = []
    for person in humans(ctx):
        gaps = [gap for identity in person.active_identities if (gap := privilege_gap(ctx, identity))]
        if person.id not in people and person.privileged is None and gaps:
            unsure.append(person)
            yield unknown(person.id, f"whether {person.label} is privileged is unknown: {gaps[0]}")
    yield from not_judged(
        ctx, [*chosen, *unsure], "neither privileged nor a wallet signer or transfer approver"
    )
