"""Privileged identities without MFA."""

from collections.abc import Iterator

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import home_mfa_unseen, machine_not_judged, privilege_gap


@check(
    id="access.privileged_user_mfa",
    title="Every privileged identity has MFA",
    mitigation="access",
    severity="critical",
    weight=3,
    reads=[Identity],
    references=["attack:T1078", "attack-mitigation:M1032", "attack-mitigation:M1026", "cis-v8:6.5"],
    remediation=(
        "Give each listed administrator a phishing-resistant MFA device now, or remove the "
        "administrative grant until they have one."
    ),
)
def privileged_user_mfa(ctx: CheckContext) -> Iterator[Result]:
    """Administrators are what TraderTraitor operators look for after the first foothold: an
    admin without MFA turns one phished password into control of production and keys."""
    for identity in ctx.records(Identity):
        found = ctx.identity_class(identity)
        if found.kind == "machine":
            yield not_applicable(identity, machine_not_judged(identity, found), source=identity.source)
            continue
        if identity.suspended or identity.privileged is False:
            why = "suspended or deprovisioned" if identity.suspended else "not privileged"
            yield not_applicable(identity, f"{why} in {identity.source}", source=identity.source)
            continue
        evidence = {"privileged_via": identity.privileged_via, "source": identity.source}
        gap = privilege_gap(ctx, identity)
        if gap:  # a failed request hid it: a pass here could count one who is not an admin
            yield unknown(identity, f"whether this account is privileged is unknown: {gap}", **evidence)
        elif identity.privileged is None:
            # Privilege unknown: with MFA the verdict is the same either way; without, it is not.
            if identity.mfa_enrolled:
                yield passed(identity, "protected by MFA (whether it is privileged is unknown)", **evidence)
            else:
                yield unknown(
                    identity,
                    "the source did not say whether this identity is privileged, and it has no MFA",
                    **evidence,
                )
        elif identity.mfa_enrolled is None:
            yield unknown(identity, "privileged, but the source did not say whether it has MFA", **evidence)
        elif identity.mfa_enrolled:
            yield passed(
                identity, "privileged and protected by MFA", factors=identity.factor_kinds, **evidence
            )
        elif found.kind == "guest" and (unseen := home_mfa_unseen(ctx, identity)):
            yield unknown(
                identity,
                f"privileged guest with no MFA registered in this tenant, and {unseen}",
                identity_class="guest",
                **evidence,
            )
        else:
            yield failed(identity, "privileged and has no MFA", **evidence)
