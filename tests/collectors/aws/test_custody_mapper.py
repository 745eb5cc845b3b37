"""Custody mapper from captured payloads. moto 5.2 has no `create_hsm`, custom key stores or
AWS-managed keys: capture_payloads.py seeds the HSMs into moto's backend and adds the key
store and the AWS-managed key by hand, shaped by the botocore service model."""

from __future__ import annotations

from collectors.aws import custody_mapper
from tests.collectors.aws.payloads import load
from vaultward.contract.records import HsmCluster, IngressSource, PortRange, SigningKey

ACCOUNT, REGION = "123456789012", "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"


def test_hsm_clusters():
    clusters = custody_mapper.map_hsm_clusters(load("cloudhsm_clusters.json")["Clusters"], ACCOUNT, REGION)
    common = dict(account=ACCOUNT, region=REGION, mode="FIPS", hsm_count=2)
    # moto's made-up VPC ids; these clusters carry no SecurityGroup, so no ingress was read.
    assert clusters == [
        HsmCluster(
            key="e96c494c-a67f-4f46-b83d-e332fd9b4d2f",
            name="signing-hsm",
            state="ACTIVE",
            active_hsm_count=2,
            availability_zones=["us-east-1a", "us-east-1b"],
            vpc_id="vpc-77c09ccb",
            **common,
        ),
        HsmCluster(
            key="79365c36-3e18-4329-a252-3e877385af7e",
            name="legacy-hsm",
            state="DEGRADED",
            active_hsm_count=1,
            availability_zones=["us-east-1a"],
            vpc_id="vpc-4909c2c1",
            **common,
        ),
    ]
    assert all(cluster.ingress is None for cluster in clusters)


def test_hsm_cluster_security_group_sources():
    """capture_segmentation's cluster: CloudHSM's own group (itself, tcp 2223-2225), widened
    with the signing subnet, ::/0 and a prefix list."""
    group = "sg-5c42d7390e3ffbc80"
    groups = {g["GroupId"]: g for g in load("ec2_hsm_security_group.json")["SecurityGroups"]}
    [cluster] = custody_mapper.map_hsm_clusters(
        load("cloudhsm_clusters_with_group.json")["Clusters"], ACCOUNT, REGION, groups
    )
    assert (cluster.vpc_id, cluster.security_group) == ("vpc-70ecaef1d044359aa", group)
    hsm_ports = PortRange(protocol="tcp", from_port=2223, to_port=2225)
    assert cluster.ingress == [
        IngressSource(source="10.40.8.0/24", source_kind="cidr", ports=hsm_ports),
        IngressSource(source=group, source_kind="security_group", ports=hsm_ports),
        IngressSource(
            source="::/0", source_kind="cidr", ports=PortRange(protocol="-1"), description="temporary"
        ),
        IngressSource(
            source="pl-a89f1353edc3db4b9",
            source_kind="prefix_list",
            ports=PortRange(protocol="tcp", from_port=22, to_port=22),
        ),
    ]
    # The group could not be read: its sources are unknown, not empty.
    [unread] = custody_mapper.map_hsm_clusters(
        load("cloudhsm_clusters_with_group.json")["Clusters"], ACCOUNT, REGION, {}
    )
    assert (unread.security_group, unread.ingress) == (group, None)


def test_cluster_without_hsms():
    [cluster] = custody_mapper.map_hsm_clusters(
        [{"ClusterId": "cluster-abc", "State": "UNINITIALIZED"}], ACCOUNT, REGION
    )
    assert cluster == HsmCluster(
        key="cluster-abc",
        account=ACCOUNT,
        region=REGION,
        state="UNINITIALIZED",
        mode="",
        hsm_count=0,
        active_hsm_count=0,
        availability_zones=[],
    )


def test_kms_keys_skip_aws_managed_and_resolve_key_stores():
    aliases = custody_mapper.aliases_by_key(load("kms_aliases.json")["Aliases"])
    stores = custody_mapper.key_store_types(load("kms_custom_key_stores.json")["CustomKeyStores"])
    keys = custody_mapper.map_kms_keys(
        load("kms_keys.json"), ACCOUNT, REGION, aliases, load("kms_tags.json"), stores
    )
    common = dict(account=ACCOUNT, region=REGION, enabled=True, state="Enabled", manager="CUSTOMER")
    hot = "9443c450-32af-425c-97ce-331fdb31e8ca"
    imported = "70f4b752-d16e-4476-81e6-a5e8259c6649"
    in_store = "0c0ffee0-0000-4000-8000-000000000001"
    assert keys == [
        SigningKey(
            key=KEY_ARN + hot,
            name="alias/hot-wallet-signer",
            arn=KEY_ARN + hot,
            origin="AWS_KMS",
            key_usage="SIGN_VERIFY",
            key_spec="ECC_SECG_P256K1",
            description="hot-wallet-signer",
            tags={"ValueTier": "hot"},
            **common,
        ),
        SigningKey(
            key=KEY_ARN + imported,
            name="alias/imported-signer",
            arn=KEY_ARN + imported,
            origin="EXTERNAL",
            key_usage="SIGN_VERIFY",
            key_spec="ECC_SECG_P256K1",
            description="imported-signer",
            **common,
        ),
        SigningKey(
            key=KEY_ARN + in_store,
            name=in_store,
            arn=KEY_ARN + in_store,
            origin="AWS_CLOUDHSM",
            key_usage="ENCRYPT_DECRYPT",
            key_spec="SYMMETRIC_DEFAULT",
            custom_key_store_id="cks-1234567890abcdef0",
            custom_key_store_type="AWS_CLOUDHSM",
            description="wallet database key",
            **common,
        ),
    ]
    assert [k.hsm_backed for k in keys] == [True, False, True]
