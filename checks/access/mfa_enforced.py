"""MFA enforced by policy, not only enrolled."""

from collections.abc import Iterator

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import machine_not_judged, signs_in_not


@check(
    id="access.mfa_enforced",
    title="Identity providers enforce MFA by policy, not only enrolment",
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity],
    references=["attack:T1078", "attack-mitigation:M1032", "cis-v8:6.3", "nist-csf:PR.AA-03"],
    remediation=(
        "Require MFA in the sign-in policy for every user (Okta authentication policy rules with "
        "two factors, Google 2-Step Verification enforcement per organisational unit, an enabled "
        "Entra Conditional Access policy for all users and all cloud apps granting with MFA); "
        "close one-factor exceptions such as trusted networks."
    ),
)
def mfa_enforced(ctx: CheckContext) -> Iterator[Result]:
    """Enrolled MFA that a policy does not require can be skipped: a password-only rule for the
    office network is all a compromised laptop on that network needs."""
    for identity in ctx.records(Identity):
        found = ctx.identity_class(identity)
        if found.kind == "machine":
            yield not_applicable(identity, machine_not_judged(identity, found), source=identity.source)
            continue
        if identity.suspended or identity.console_access is False:
            yield not_applicable(identity, signs_in_not(identity), source=identity.source)
            continue
        evidence = {"source": identity.source, "mfa_enrolled": identity.mfa_enrolled}
        if identity.mfa_enforced is None:
            gap = ctx.field_gap(identity, "mfa_enforced")
            if gap:  # the source reports enforcement, but reading it failed this time
                yield unknown(identity, f"whether a policy requires MFA could not be read: {gap}", **evidence)
            else:  # judged by the enrolment checks (console_user_mfa, person_without_mfa)
                yield not_applicable(
                    identity, f"{identity.source} does not report whether a policy requires MFA", **evidence
                )
            continue
        if identity.mfa_enforced:
            yield passed(identity, f"{identity.source} policy requires MFA", **evidence)
        else:
            yield failed(identity, f"{identity.source} lets this identity sign in without MFA", **evidence)
