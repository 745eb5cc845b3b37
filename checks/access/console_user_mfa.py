"""Console (password) users without MFA."""

from collections.abc import Iterator

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import home_mfa_unseen, machine_not_judged, signs_in_not


@check(
    id="access.console_user_mfa",
    title="Every identity that can sign in with a password has MFA",
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity],
    references=["attack:T1078", "attack-mitigation:M1032", "cis-v8:6.3", "cis-v8:6.5"],
    remediation=(
        "Enrol an MFA device for each listed user, then enforce it: deny every action without "
        "aws:MultiFactorAuthPresent (or move people to SSO with enforced MFA and remove passwords)."
    ),
)
def console_user_mfa(ctx: CheckContext) -> Iterator[Result]:
    """A stolen or phished password is enough to sign in as a user without MFA, the first
    step from a lured employee to the production console."""
    # Employees' and guests' accounts are judged (a guest's is a way into the tenant too);
    # machines' are not: no one is there to answer an MFA prompt.
    for identity in ctx.records(Identity):
        found = ctx.identity_class(identity)
        if found.kind == "machine":
            yield not_applicable(identity, machine_not_judged(identity, found), source=identity.source)
            continue
        if identity.suspended or identity.console_access is False:
            yield not_applicable(identity, signs_in_not(identity), source=identity.source)
            continue
        if identity.console_access is None or identity.mfa_enrolled is None:
            yield unknown(
                identity, f"{identity.source} did not say whether this identity has a password and MFA"
            )
        elif identity.mfa_enrolled:
            yield passed(identity, "password sign-in protected by MFA", factors=identity.factor_kinds)
        elif found.kind == "guest" and (why := home_mfa_unseen(ctx, identity)):
            yield unknown(
                identity,
                f"a guest with no MFA registered in this tenant, and {why}",
                source=identity.source,
                identity_class="guest",
            )
        else:
            yield failed(
                identity,
                "can sign in with a password and has no MFA",
                source=identity.source,
                last_used_at=identity.last_used_at,
            )
