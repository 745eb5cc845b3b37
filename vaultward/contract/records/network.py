"""Network records: VPCs and their zone classifications, network paths, network ACLs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vaultward.contract.records.base import Record, Zone, record_kind

# --- network -------------------------------------------------------------------------------


class ZoneClassification(BaseModel):
    """One rule of `policy.zones` that matched a VPC: its account, a tag or its CIDRs."""

    model_config = ConfigDict(frozen=True)

    rule: Literal["account", "tag", "cidr"]
    zone: Zone
    matched: str  # what matched, as a reader names it: "account 111111111111", "tag env=corp"

    def __str__(self) -> str:
        return f"{self.matched} says {self.zone}"


@record_kind("network.vpc")
class Vpc(Record):
    """A virtual network and the zone it belongs to (from its account, tags or CIDRs).

    `zone` is the first rule that matched (account, then tag, then CIDR); `classifications`
    holds every rule that matched. Where they disagree the zone is a conflict, and
    `vaultward.derived.zones` judges the VPC under each zone it could be in. Facts stored before
    classifications were recorded have none: their zone is the only candidate."""

    account: str = ""
    region: str = ""
    cidrs: list[str] = Field(default_factory=list)
    zone: Zone = "unknown"
    zone_reason: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    classifications: list[ZoneClassification] = Field(default_factory=list)


class PortRange(BaseModel):
    model_config = ConfigDict(frozen=True)

    protocol: str = "-1"  # tcp, udp, icmp, -1 (all)
    from_port: int | None = None
    to_port: int | None = None

    def covers(self, port: int) -> bool:
        if self.protocol not in ("-1", "tcp", "udp", "6", "17"):
            return False
        if self.from_port is None or self.to_port is None or self.protocol == "-1":
            return True
        return self.from_port <= port <= self.to_port

    def __str__(self) -> str:
        if self.protocol == "-1" or self.from_port is None:
            return "all traffic"
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"


@record_kind("network.path")
class NetworkPath(Record):
    """A way traffic can flow from one zone to another: peering, transit gateway, or a
    security-group rule that admits a source range."""

    account: str = ""
    region: str = ""
    path_kind: Literal["vpc_peering", "transit_gateway", "security_group"]
    from_zone: Zone
    to_zone: Zone
    from_ref: str = ""  # VPC id, CIDR, security group
    to_ref: str = ""
    from_account: str = ""  # the account owning each end VPC (peerings, transit gateways), if told
    to_account: str = ""
    ports: list[PortRange] = Field(default_factory=list)  # empty: all traffic
    vpcs: list[str] = Field(default_factory=list)  # ids of the VPCs the path reaches or joins
    state: str = "active"

    @property
    def open_to_internet(self) -> bool:
        return self.from_zone == "internet"

    def exposes(self, port: int) -> bool:
        return not self.ports or any(p.covers(port) for p in self.ports)


class AclEntry(BaseModel):
    """One network ACL rule. AWS applies the lowest-numbered rule that matches."""

    model_config = ConfigDict(frozen=True)

    rule_number: int
    egress: bool
    action: Literal["allow", "deny"]
    cidr: str  # IPv4 or IPv6
    ports: PortRange  # protocol and port range


@record_kind("network.acl")
class NetworkAcl(Record):
    """A VPC's network ACL: stateless rules for the subnets associated with it (the VPC's
    default ACL also takes every new subnet). Its zone is its VPC's."""

    account: str = ""
    region: str = ""
    vpc_id: str
    zone: Zone = "unknown"
    default: bool = False
    subnets: list[str] = Field(default_factory=list)
    entries: list[AclEntry] = Field(default_factory=list)
