"""People with MFA in no source at all."""

from collections.abc import Iterator

from vaultward.people import not_a_person
from vaultward.records import Identity
from vaultward.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown


@check(
    id="access.person_without_mfa",
    title="Every person has MFA in at least one identity source",
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity],
    references=["attack:T1078", "attack-mitigation:M1032", "cis-v8:6.3"],
    remediation=(
        "Enrol MFA for the listed people in their identity provider first, then in every other "
        "system they sign in to; remove accounts they no longer need."
    ),
    population=True,  # a person's MFA-enrolled identity may be on the page that failed
)
def person_without_mfa(ctx: CheckContext) -> Iterator[Result]:
    """Someone with no second factor anywhere is the cheapest way in: one phished password
    opens whatever their accounts reach."""
    for person in ctx.people():
        active = person.active_identities
        if person.machine or not active:
            yield not_applicable(person.id, not_a_person(person), sources=person.sources)
            continue
        evidence = {"sources": person.sources, "identities": [i.key for i in active]}
        states = [identity.mfa_enrolled for identity in active]
        if any(state is True for state in states):
            yield passed(person.id, "has MFA in at least one source", **evidence)
        elif any(state is None for state in states):
            yield unknown(person.id, "no MFA seen, and a source did not say", **evidence)
        else:
            yield failed(person.id, f"no MFA in any of {', '.join(person.sources)}", **evidence)
