"""Pure mapping from CloudHSM v2 and KMS payloads to `HsmCluster` and `SigningKey` records.

AWS-managed KMS keys (`KeyManager` AWS) are skipped: AWS creates them for its services and
they never hold a platform's signing material.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collectors.aws.network_mapper import permission_ports
from vaultward.contract.records import HsmCluster, IngressKind, IngressSource, SigningKey

# Where an `IpPermissions` entry lists its sources: list key, id key, kind.
SOURCE_FIELDS: tuple[tuple[str, str, IngressKind], ...] = (
    ("IpRanges", "CidrIp", "cidr"),
    ("Ipv6Ranges", "CidrIpv6", "cidr"),
    ("UserIdGroupPairs", "GroupId", "security_group"),
    ("PrefixListIds", "PrefixListId", "prefix_list"),
)


def map_hsm_clusters(
    clusters: Iterable[Mapping[str, Any]],
    account: str,
    region: str,
    groups: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[HsmCluster]:
    """`groups`: the clusters' security groups (`DescribeSecurityGroups` entries) by id; a
    cluster whose group is not among them has `ingress` None (not read)."""
    groups = groups or {}
    records = []
    for cluster in clusters:
        group = groups.get(cluster.get("SecurityGroup", ""))
        hsms = cluster.get("Hsms") or []
        active = [hsm for hsm in hsms if hsm.get("State") == "ACTIVE"]
        tags = {tag["Key"]: tag["Value"] for tag in cluster.get("TagList") or []}
        records.append(
            HsmCluster(
                key=cluster["ClusterId"],
                name=tags.get("Name", ""),
                account=account,
                region=region,
                state=cluster.get("State", ""),
                mode=cluster.get("Mode", ""),
                hsm_count=len(hsms),
                active_hsm_count=len(active),
                availability_zones=sorted({hsm["AvailabilityZone"] for hsm in active}),
                vpc_id=cluster.get("VpcId", ""),
                security_group=cluster.get("SecurityGroup", ""),
                security_group_name="" if group is None else group.get("GroupName", ""),
                ingress=None if group is None else ingress_sources(group),
            )
        )
    return records


def ingress_sources(group: Mapping[str, Any]) -> list[IngressSource]:
    """Every source a security group's ingress rules admit, one per source and rule."""
    sources = []
    for permission in group.get("IpPermissions") or []:
        ports = permission_ports(permission)
        for list_key, id_key, kind in SOURCE_FIELDS:
            sources += [
                IngressSource(
                    source=item[id_key],
                    source_kind=kind,
                    ports=ports,
                    description=item.get("Description", ""),
                )
                for item in permission.get(list_key) or []
            ]
    return sources


def aliases_by_key(aliases: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """KMS `ListAliases` entries -> key id -> alias names (sorted)."""
    names: dict[str, list[str]] = {}
    for alias in aliases:
        target = alias.get("TargetKeyId")
        if target:
            names.setdefault(target, []).append(alias["AliasName"])
    return {key: sorted(values) for key, values in names.items()}


def key_store_types(stores: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`DescribeCustomKeyStores` entries -> store id -> AWS_CLOUDHSM / EXTERNAL_KEY_STORE."""
    return {store["CustomKeyStoreId"]: store.get("CustomKeyStoreType", "AWS_CLOUDHSM") for store in stores}


def map_kms_keys(
    metadata: Iterable[Mapping[str, Any]],
    account: str,
    region: str,
    aliases: Mapping[str, list[str]],
    tags: Mapping[str, list[Mapping[str, str]]],
    store_types: Mapping[str, str],
) -> list[SigningKey]:
    """`metadata` are `DescribeKey` KeyMetadata dicts; `tags` are `ListResourceTags` lists
    by key id. The first alias (sorted) names the key."""
    records = []
    for key in metadata:
        if key.get("KeyManager") == "AWS":
            continue
        key_id = key["KeyId"]
        store_id = key.get("CustomKeyStoreId", "")
        key_aliases = aliases.get(key_id, [])
        records.append(
            SigningKey(
                key=key["Arn"],
                name=key_aliases[0] if key_aliases else key_id,
                account=account,
                region=region,
                arn=key["Arn"],
                enabled=bool(key.get("Enabled")),
                state=key.get("KeyState", ""),
                manager=key.get("KeyManager", ""),
                origin=key.get("Origin", ""),
                key_usage=key.get("KeyUsage", ""),
                key_spec=key.get("KeySpec") or key.get("CustomerMasterKeySpec", ""),
                custom_key_store_id=store_id,
                custom_key_store_type=store_types.get(store_id, "") if store_id else "",
                description=key.get("Description", ""),
                tags={tag["TagKey"]: tag["TagValue"] for tag in tags.get(key_id, [])},
            )
        )
    return records
