"""Privileged machine identities: the scope of their grant, and the age and use of their keys."""

from collections.abc import Iterator
from datetime import timedelta

from vaultward.contract.records import AccessKey, Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import key_problems, privilege_gap


@check(
    id="access.privileged_machine_credentials",
    title="Privileged machine identities hold no administrator grant, and only recent keys in use",
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity, AccessKey],
    references=[
        "attack:T1078.004",
        "attack:T1552.001",
        "attack-mitigation:M1026",
        "attack-mitigation:M1018",
        "cis-v8:5.4",
        "cis-v8:5.3",
    ],
    remediation=(
        "Give each CI user and service account only the actions it uses (replace AdministratorAccess "
        "or Allow * on * with a scoped policy, a super-administrator role with a scoped one); move "
        "workloads to short-lived credentials (IAM roles, OIDC federation from the CI system) and "
        "delete their access keys, or rotate keys within the policy's age and remove unused ones."
    ),
)
def privileged_machine_credentials(ctx: CheckContext) -> Iterator[Result]:
    """A CI user's or service account's long-lived key is what a leaked pipeline secret or
    malware on a build machine hands over, and no MFA prompt stands in front of it: with an
    administrator grant it is the whole production account."""
    keys: dict[str, list[AccessKey]] = {}
    for key in ctx.records(AccessKey):
        if key.active:
            keys.setdefault(key.identity, []).append(key)
    for identity in ctx.records(Identity):
        found = ctx.identity_class(identity)
        if found.kind != "machine":
            yield not_applicable(
                identity,
                f"not a machine identity ({found.kind}): people are judged by the MFA checks",
                source=identity.source,
            )
            continue
        if identity.suspended:
            yield not_applicable(identity, f"suspended or deprovisioned in {identity.source}")
            continue
        evidence = {
            "source": identity.source,
            "machine": found.reason,
            "privileged_via": identity.privileged_via,
            "keys": [key.key for key in keys.get(identity.key, [])],
        }
        if gap := privilege_gap(ctx, identity):
            yield unknown(
                identity, f"whether this machine identity is privileged is unknown: {gap}", **evidence
            )
            continue
        if identity.privileged is False:
            yield not_applicable(
                identity,
                f"machine identity without administrator rights in {identity.source}: its keys are "
                "judged by access.access_key_age",
                **evidence,
            )
            continue
        if identity.privileged is None:
            yield unknown(
                identity,
                f"{identity.source} does not say whether this machine identity is privileged",
                **evidence,
            )
            continue
        problems, unknowns = _grant(ctx, identity)
        for key in keys.get(identity.key, []):
            found_problems = key_problems(ctx, key)
            if found_problems is None:
                unknowns.append(f"{key.label}: age and last use not reported")
            elif found_problems:
                problems.append(f"{key.label} " + " and ".join(found_problems))
        if not keys.get(identity.key):
            problems_of_use, unknown_use = _last_use(ctx, identity)
            problems += problems_of_use
            unknowns += unknown_use
        if problems:
            yield failed(identity, "privileged machine identity: " + "; ".join(problems), **evidence)
        elif unknowns:
            yield unknown(identity, "privileged machine identity: " + "; ".join(unknowns), **evidence)
        else:
            yield passed(
                identity,
                "privileged machine identity with a scoped grant and recent credentials in use",
                **evidence,
            )


def _grant(ctx: CheckContext, identity: Identity) -> tuple[list[str], list[str]]:
    """(problems, unknowns) of the grant's scope and of a password sign-in without MFA."""
    problems: list[str] = []
    unknowns: list[str] = []
    routes = ", ".join(identity.privileged_via or identity.admin_roles) or identity.source
    if identity.full_admin:
        problems.append(f"holds an administrator grant over everything ({routes})")
    elif identity.full_admin is None:
        unknowns.append(f"{identity.source} does not say how far its administrator grant reaches ({routes})")
    if identity.console_access is False or identity.mfa_enrolled is True:
        return problems, unknowns
    if identity.console_access and identity.mfa_enrolled is False:
        problems.append("signs in with a password and no MFA: a shared secret, phishable and never prompted")
    else:  # a password sign-in without MFA is not ruled out
        gap = ctx.field_gap(identity, "mfa_enrolled") or ctx.field_gap(identity, "console_access")
        told = f"could not be read: {gap}" if gap else f"is not reported by {identity.source}"
        unknowns.append(f"whether it signs in with a password and no MFA {told}")
    return problems, unknowns


def _last_use(ctx: CheckContext, identity: Identity) -> tuple[list[str], list[str]]:
    """A machine identity without access keys (a service user signing in to its IdP): unused
    for longer than policy.access.access_key_max_unused_days is a standing grant nobody needs."""
    last = identity.last_used_at or identity.created_at
    if last is None:
        return [], [f"{identity.source} does not report when it was last used"]
    idle = ctx.now - last
    if idle > timedelta(days=ctx.policy.access.access_key_max_unused_days):
        never = identity.last_used_at is None
        return [f"never used in {idle.days} days" if never else f"unused for {idle.days} days"], []
    return [], []
