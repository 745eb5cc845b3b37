"""Network ACL mapper from captured payloads (capture_payloads.py, `capture_segmentation`)."""

from __future__ import annotations

from collectors.aws import acl_mapper
from tests.collectors.aws.payloads import load
from vaultward.config.policy import ZoneRules
from vaultward.contract.records import AclEntry, NetworkAcl, PortRange, Vpc
from vaultward.derived.zones import Zones

ACCOUNT, REGION = "123456789012", "us-east-1"


def test_network_acls_keep_every_rule_in_order_zoned_by_their_vpc():
    """From capture_segmentation's organisation: prod-core's default ACL (AWS's allow-all)
    and a custom one on one of its subnets; the account's default VPC is unclassified."""
    prod_core = "vpc-70ecaef1d044359aa"
    acls = acl_mapper.map_network_acls(load("ec2_network_acls.json")["NetworkAcls"], ACCOUNT, REGION)
    # The ACL's zone is its VPC's, derived under the policy at evaluation.
    prod_vpc = Vpc(key=prod_core, tags={"Environment": "prod"}, account=ACCOUNT, region=REGION)
    zones = Zones(ZoneRules(), [prod_vpc])

    def entry(rule, action, cidr, protocol="-1", ports=(None, None), egress=False):
        span = PortRange(protocol=protocol, from_port=ports[0], to_port=ports[1])
        return AclEntry(rule_number=rule, egress=egress, action=action, cidr=cidr, ports=span)

    default_entries = [
        entry(100, "allow", "0.0.0.0/0"),
        entry(32767, "deny", "0.0.0.0/0"),
        entry(100, "allow", "0.0.0.0/0", egress=True),
        entry(32767, "deny", "0.0.0.0/0", egress=True),
    ]
    assert [(a.key, a.vpc_id, zones.acl(a), a.default, len(a.subnets)) for a in acls] == [
        ("acl-f04a6497bd989c88f", "vpc-2ae4be24f955b229d", "unknown", True, 6),
        ("acl-733a6db42c3a2312a", prod_core, "production", True, 1),
        ("acl-daded0e0da8c6f747", prod_core, "production", False, 1),
    ]
    assert acls[1] == NetworkAcl(
        key="acl-733a6db42c3a2312a",
        vpc_id=prod_core,
        default=True,
        subnets=["subnet-71a4c519b503acb14"],
        entries=default_entries,
        account=ACCOUNT,
        region=REGION,
    )
    assert acls[2].name == "prod-web" and acls[2].subnets == ["subnet-5eacdcef7f95c58c3"]
    # Sorted inbound then outbound, by rule number; protocol numbers named as in security groups.
    assert acls[2].entries == [
        entry(50, "deny", "0.0.0.0/0", "tcp", (22, 22)),
        entry(100, "allow", "0.0.0.0/0", "tcp", (443, 443)),
        entry(110, "allow", "0.0.0.0/0", "tcp", (1024, 65535)),
        entry(120, "allow", "10.0.0.0/16", "udp", (53, 53)),
        entry(130, "allow", "10.0.0.0/16", "icmp"),
        entry(140, "allow", "::/0"),
        entry(100, "allow", "0.0.0.0/0", egress=True),
    ]
