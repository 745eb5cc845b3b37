"""HSM clusters whose security group admits sources outside the signing subnets.

A source passes when it is a CIDR inside `policy.custody.signing_cidrs`, the cluster's own
group (CloudHSM's HSMs talk to each other through it), or a group in
`policy.custody.signing_security_groups`. Ports do not matter: any port open to another
network is a way to the HSMs' interfaces. A prefix list is a set of ranges this check does
not read, so one the other sources do not already fail makes the finding unknown.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from vaultward.contract.records import HsmCluster, IngressSource
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown
from vaultward.derived.names import named

if TYPE_CHECKING:  # the policy reaches checks through the context; only its type is named here
    from vaultward.config.policy import CustodyPolicy

NOT_CONFIGURED = (
    "no signing subnets configured: set policy.custody.signing_cidrs (or signing_security_groups)"
)


def _describe(source: IngressSource, cluster: HsmCluster) -> str:
    if source.source_kind == "security_group":
        name = cluster.security_group_name if source.source == cluster.security_group else ""
        return f"{source.ports} from {named('security group', name, source.source)}"
    return f"{source.ports} from {source.source}"


def _allowed(source: IngressSource, cluster: HsmCluster, policy: CustodyPolicy) -> bool:
    if source.source_kind == "security_group":
        return source.source in (cluster.security_group, *policy.signing_security_groups)
    network = ipaddress.ip_network(source.source, strict=False)
    return any(
        network.version == signing.version and network.subnet_of(signing)  # type: ignore[arg-type]
        for signing in (ipaddress.ip_network(cidr, strict=False) for cidr in policy.signing_cidrs)
    )


@check(
    id="segmentation.hsm_reachable_from_signing_only",
    title="HSM security groups admit only the signing subnets",
    mitigation="segmentation",
    severity="high",
    weight=2,
    reads=[HsmCluster],
    references=[
        "attack-mitigation:M1030",
        "attack-mitigation:M1037",
        "cis-v8:12.2",
        "cis-v8:13.4",
        "nist-csf:PR.IR-01",
    ],
    remediation=(
        "Remove every ingress rule of the HSM cluster's security group except its own group and "
        "the signing service's subnets or security groups; reach the HSMs for administration "
        "only from the signing network."
    ),
)
def hsm_reachable_from_signing_only(ctx: CheckContext) -> Iterator[Result]:
    """An HSM that a corporate laptop or the internet can reach is one stolen crypto-user
    password away from signing: the network should let only the signing service talk to it."""
    policy = ctx.policy.custody
    configured = bool(policy.signing_cidrs or policy.signing_security_groups)
    for cluster in ctx.records(HsmCluster):
        evidence: dict[str, Any] = {
            "security_group": cluster.security_group,
            **({"security_group_name": cluster.security_group_name} if cluster.security_group_name else {}),
            "vpc": cluster.vpc_id,
            **ctx.account_names.evidence(cluster.account),
        }
        group = named(
            "security group", cluster.security_group_name, cluster.security_group or "(none reported)"
        )
        if not configured:
            yield unknown(cluster, NOT_CONFIGURED, **evidence)
            continue
        if cluster.ingress is None:
            yield unknown(cluster, f"{group} was not read", **evidence)
            continue
        prefix_lists = [s for s in cluster.ingress if s.source_kind == "prefix_list"]
        offending = [
            s for s in cluster.ingress if s.source_kind != "prefix_list" and not _allowed(s, cluster, policy)
        ]
        evidence["sources"] = [_describe(s, cluster) for s in cluster.ingress]
        if offending:
            evidence["offending"] = [_describe(s, cluster) for s in offending]
            yield failed(cluster, f"{group} admits " + "; ".join(evidence["offending"]), **evidence)
        elif prefix_lists:
            unread = ", ".join(s.source for s in prefix_lists)
            yield unknown(
                cluster, f"{group} admits prefix list(s) {unread}, whose ranges were not read", **evidence
            )
        elif cluster.ingress:
            yield passed(
                cluster,
                f"{group}: all {len(cluster.ingress)} ingress source(s) are signing sources",
                **evidence,
            )
        else:
            yield passed(cluster, f"{group} admits nothing", **evidence)
