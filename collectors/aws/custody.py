"""aws_custody: CloudHSM v2 clusters and KMS keys, per account and region."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from collectors.aws import custody_mapper
from collectors.aws.session import SCOPE_PERMISSIONS, AwsCollector, all_pages, core_call, optional_call
from vaultward.contract.records import HsmCluster, Record, SigningKey
from vaultward.contract.sdk import Problem, Scope


class AwsCustodyCollector(AwsCollector):
    """Per account x region: HSM cluster health and who the cluster's security group admits,
    and customer-managed KMS keys with where their material lives (origin, custom key store)."""

    name = "aws_custody"
    title = "AWS CloudHSM clusters and KMS keys"
    produces = (HsmCluster, SigningKey)
    permissions = (
        *SCOPE_PERMISSIONS,
        "cloudhsm:DescribeClusters",
        "ec2:DescribeSecurityGroups",
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:ListAliases",
        "kms:ListResourceTags",
        "kms:DescribeCustomKeyStores",
    )

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        account, region = scope.params["account_id"], scope.params["region"]
        session = self.sessions.scope_session(scope)
        hsm = self.sessions.client(session, "cloudhsmv2", region)
        kms = self.sessions.client(session, "kms", region)
        ec2 = self.sessions.client(session, "ec2", region)

        # CloudHSM and KMS are read apart: either refused leaves only its own kind unknown
        # (both refused, the scope fails: it read nothing).
        found = optional_call(
            scope.id, "cloudhsm:DescribeClusters", "the region", (HsmCluster.kind,),
            partial(all_pages, hsm, "describe_clusters", "Clusters"),
        )  # fmt: skip
        hsm_refused = found if isinstance(found, Problem) else None
        clusters: list[dict] = [] if isinstance(found, Problem) else found
        groups: dict[str, dict] = {}
        for group_id in sorted({c["SecurityGroup"] for c in clusters if c.get("SecurityGroup")}):
            described = optional_call(
                scope.id,
                "ec2:DescribeSecurityGroups",
                f"HSM security group {group_id}",
                (HsmCluster.kind,),
                partial(_security_group, ec2, group_id),
            )
            if isinstance(described, Problem):
                yield described
            else:
                groups[group_id] = described
        if hsm_refused is None:
            listed = optional_call(
                scope.id,
                "kms:ListKeys",
                "the region",
                (SigningKey.kind,),
                partial(all_pages, kms, "list_keys", "Keys"),
            )
        else:
            with core_call(scope.id, "kms:ListKeys"):  # CloudHSM refused already: nothing else to read
                listed = all_pages(kms, "list_keys", "Keys")
            yield hsm_refused
        key_ids: list[str] = []
        aliases: dict = {}
        if isinstance(listed, Problem):
            yield listed
        else:
            key_ids = [key["KeyId"] for key in listed]
            with core_call(scope.id, "kms:ListAliases"):
                aliases = custody_mapper.aliases_by_key(all_pages(kms, "list_aliases", "Aliases"))

        metadata: list[dict] = []
        tags: dict[str, list] = {}
        for key_id in key_ids:
            described = optional_call(
                scope.id,
                "kms:DescribeKey",
                f"key {key_id}",
                (SigningKey.kind,),
                partial(_key_metadata, kms, key_id),
            )
            if isinstance(described, Problem):
                yield described
                continue
            metadata.append(described)
            if described.get("KeyManager") == "AWS":
                continue
            key_tags = optional_call(
                scope.id,
                "kms:ListResourceTags",
                f"key {key_id}",
                (SigningKey.kind,),
                partial(all_pages, kms, "list_resource_tags", "Tags", KeyId=key_id),
            )
            if isinstance(key_tags, Problem):
                yield key_tags
            else:
                tags[key_id] = key_tags

        store_types: dict[str, str] = {}
        # Only asked when a key lives in a custom key store (moto does not implement the call).
        if any(key.get("CustomKeyStoreId") for key in metadata):
            stores = optional_call(
                scope.id,
                "kms:DescribeCustomKeyStores",
                "the region",
                (SigningKey.kind,),
                lambda: all_pages(kms, "describe_custom_key_stores", "CustomKeyStores"),
            )
            if isinstance(stores, Problem):
                yield stores
            else:
                store_types = custody_mapper.key_store_types(stores)

        records: list[Record] = [*custody_mapper.map_hsm_clusters(clusters, account, region, groups)]
        records += custody_mapper.map_kms_keys(metadata, account, region, aliases, tags, store_types)
        for record in records:
            yield record.model_copy(update={"scope": scope.id})


def _security_group(client: Any, group_id: str) -> dict:
    [group] = client.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group


def _key_metadata(client: Any, key_id: str) -> dict:
    return client.describe_key(KeyId=key_id)["KeyMetadata"]
