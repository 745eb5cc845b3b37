"""Pure mapping from `DescribeNetworkAcls` payloads to `NetworkAcl` records, each naming
its VPC (whose zone is its zone, derived at evaluation) and kept whole (every rule, both directions), since what an ACL lets through
depends on the order of all its rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vaultward.contract.records import AclEntry, NetworkAcl, PortRange

# IANA protocol numbers as network ACL entries give them, named as security groups name them.
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def map_network_acls(acls: Iterable[Mapping[str, Any]], account: str, region: str) -> list[NetworkAcl]:
    """`DescribeNetworkAcls` entries; each entry sorted by direction, then rule number."""
    records = []
    for acl in acls:
        entries = []
        for entry in acl.get("Entries") or []:
            protocol = str(entry.get("Protocol", "-1"))
            span = entry.get("PortRange") or {}
            entries.append(
                AclEntry(
                    rule_number=entry["RuleNumber"],
                    egress=bool(entry.get("Egress")),
                    action=entry["RuleAction"],
                    cidr=entry.get("CidrBlock") or entry["Ipv6CidrBlock"],
                    ports=PortRange(
                        protocol=PROTOCOL_NAMES.get(protocol, protocol),
                        from_port=None if protocol == "-1" else span.get("From"),
                        to_port=None if protocol == "-1" else span.get("To"),
                    ),
                )
            )
        records.append(
            NetworkAcl(
                key=acl["NetworkAclId"],
                name=next((t["Value"] for t in acl.get("Tags") or [] if t["Key"] == "Name"), ""),
                account=account,
                region=region,
                vpc_id=acl["VpcId"],
                default=bool(acl.get("IsDefault")),
                subnets=sorted(a["SubnetId"] for a in acl.get("Associations") or [] if a.get("SubnetId")),
                entries=sorted(entries, key=lambda e: (e.egress, e.rule_number)),
            )
        )
    return records
