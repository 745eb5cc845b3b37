"""Long-lived access keys that are old or unused."""

from collections.abc import Iterator

from vaultward.contract.records import AccessKey
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import key_problems


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
