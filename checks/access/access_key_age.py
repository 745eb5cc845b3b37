"""Long-lived access keys that are old or unused."""

from collections.abc import Iterator
from datetime import timedelta

from vaultward.contract.records import AccessKey
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown


def key_problems(ctx: CheckContext, key: AccessKey) -> list[str] | None:
    """What is wrong with an active key under policy.access ("not rotated for 200 days",
    "unused for 120 days", "never used"); None when the source reported neither its age nor
    its last use."""
    if key.created_at is None and key.last_used_at is None:
        return None
    policy = ctx.policy.access
    problems = []
    if key.created_at is not None and ctx.now - key.created_at > timedelta(
        days=policy.access_key_max_age_days
    ):
        problems.append(f"not rotated for {(ctx.now - key.created_at).days} days")
    last_activity = key.last_used_at or key.created_at
    if last_activity is not None and ctx.now - last_activity > timedelta(
        days=policy.access_key_max_unused_days
    ):
        never = key.last_used_at is None
        problems.append("never used" if never else f"unused for {(ctx.now - last_activity).days} days")
    return problems


@check(
    id="access.access_key_age",
    title="Active access keys are rotated and in use",
    mitigation="access",
    severity="medium",
    weight=1,
    reads=[AccessKey],
    references=["attack:T1078.004", "attack-mitigation:M1026", "cis-v8:5.3"],
    remediation=(
        "Deactivate keys unused for 90 days and rotate older ones; prefer short-lived credentials "
        "(IAM roles, SSO) so no long-lived key sits on a laptop for malware to steal."
    ),
)
def access_key_age(ctx: CheckContext) -> Iterator[Result]:
    """Long-lived keys on developer laptops are what credential-stealing malware from fake job
    interviews harvests; old or forgotten keys stay valid long after anyone watches them."""
    for key in ctx.records(AccessKey):
        if not key.active:
            yield not_applicable(key, "inactive key: it cannot sign requests", identity=key.identity)
            continue
        evidence = {"identity": key.identity, "created_at": key.created_at, "last_used_at": key.last_used_at}
        problems = key_problems(ctx, key)
        if problems is None:
            yield unknown(key, "active key whose age and last use the source did not report", **evidence)
        elif problems:
            yield failed(key, "active key " + " and ".join(problems), **evidence)
        else:
            yield passed(key, "active key is recent and in use", **evidence)
