"""HSM clusters: active, enough HSMs, spread over availability zones."""

from collections.abc import Iterator

from vaultward.contract.records import HsmCluster
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed


@check(
    id="custody.hsm_cluster_redundant",
    title="HSM clusters are active with at least two HSMs in distinct availability zones",
    mitigation="custody",
    severity="high",
    weight=2,
    reads=[HsmCluster],
    references=["attack-mitigation:M1026", "ccss:v8:1.02", "cis-v8:3.11"],
    remediation=(
        "Add HSMs until the cluster has at least two ACTIVE HSMs in different availability zones; "
        "investigate any cluster that is not ACTIVE before signing with it."
    ),
)
def hsm_cluster_redundant(ctx: CheckContext) -> Iterator[Result]:
    """A signing path that rests on one HSM fails closed or, worse, pushes operators to a
    software fallback key under pressure, the exact moment an attacker is waiting for."""
    minimum = ctx.policy.custody.min_hsms
    for cluster in ctx.records(HsmCluster):
        zones = sorted(set(cluster.availability_zones))
        evidence = {
            "state": cluster.state,
            "active_hsms": cluster.active_hsm_count,
            "hsms": cluster.hsm_count,
            "availability_zones": zones,
            "mode": cluster.mode,
        }
        problems = []
        if cluster.state != "ACTIVE":
            problems.append(f"cluster state is {cluster.state}")
        if cluster.active_hsm_count < minimum:
            problems.append(f"{cluster.active_hsm_count} active HSM(s), need at least {minimum}")
        if len(zones) < min(2, minimum):
            problems.append(f"active HSMs span {len(zones)} availability zone(s), need {min(2, minimum)}")
        if problems:
            yield failed(cluster, "; ".join(problems), **evidence)
        else:
            yield passed(
                cluster, f"{cluster.active_hsm_count} active HSMs across {len(zones)} zones", **evidence
            )
