"""People with MFA in no source at all."""

from collections.abc import Iterator

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.people import not_a_person


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
    # Staff only: machines have nobody to answer a prompt, and a guest's MFA is their home
    # organisation's (their accounts here are judged one by one by access.console_user_mfa).
    for person in ctx.people():
        active = person.active_identities
        if not person.employee or not active:
            yield not_applicable(person.id, not_a_person(person), sources=person.sources)
            continue
        # An HR roster entry is a record of employment, not a login: it says nothing of MFA.
        sign_in = person.sign_in_identities
        evidence = {"sources": person.sources, "identities": [i.key for i in active]}
        silent = sorted({identity.source for identity in sign_in if identity.mfa_enrolled is None})
        if any(identity.mfa_enrolled is True for identity in active):
            yield passed(person.id, "has MFA in at least one source", **evidence)
        elif not sign_in and not person.email:
            # An account that cannot sign in and that nothing ties to anyone (an IAM user with
            # neither a console password nor an access key): no way in, and no one to judge.
            yield not_applicable(
                person.id, "no identity that signs in, and nothing ties it to a person", **evidence
            )
        elif not sign_in:
            records = ", ".join(sorted({identity.source for identity in active}))
            yield unknown(
                person.id,
                f"no account they sign in with was seen (only {records}, which grants no sign-in): "
                "whether they have MFA is unknown",
                **evidence,
            )
        elif silent:
            yield unknown(person.id, f"no MFA seen, and {', '.join(silent)} did not say", **evidence)
        else:
            signs_in_with = sorted({identity.source for identity in sign_in})
            yield failed(person.id, f"no MFA in any of {', '.join(signs_in_with)}", **evidence)
