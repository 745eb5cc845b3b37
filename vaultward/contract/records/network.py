"""Network records: VPCs and their zone classifications, network paths, network ACLs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vaultward.contract.records.base import Record, Zone, record_kind, recorded_zone_field

# --- network -------------------------------------------------------------------------------


class ZoneClassification(BaseModel):
    """One rule of `policy.zones` that matched a VPC: its account, a tag or its CIDRs
    (`vaultward.derived.zones` finds them at evaluation)."""

    model_config = ConfigDict(frozen=True)

    rule: Literal["account", "tag", "cidr"]
    zone: Zone
    matched: str  # what matched, as a reader names it: "account 111111111111", "tag env=corp"

    def __str__(self) -> str:
        return f"{self.matched} says {self.zone}"


@record_kind("network.vpc")
class Vpc(Record):
    """A virtual network as observed: its account (and owner), CIDRs and tags. Its zone is
    derived from them under `policy.zones` at evaluation (`ctx.zones.vpc`).

    The `recorded_*` fields hold what a collector recorded before issue 17 (the zone of the
    first matching rule, its reason, every rule that matched); current collectors leave them
    empty, and they count only where no rule of the evaluation's policy matches the VPC."""

    account: str = ""
    region: str = ""
    owner: str = ""  # the OwnerId EC2 reports (another account when the VPC is shared with `account`)
    cidrs: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
    # Whether every security-group rule admitting a CIDR range into the VPC was recorded as a
    # NetworkPath (collectors since issue 17). Older facts recorded only the rules that reached
    # the internet or a corporate range at collection: a corporate range added since may match
    # a rule they left out (`Zones.unrecorded_corporate`).
    ingress_recorded: bool = False
    recorded_zone: Zone | None = recorded_zone_field()
    recorded_zone_reason: str = recorded_zone_field("zone_reason", "")
    recorded_classifications: list[ZoneClassification] = recorded_zone_field("classifications", [])


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
    """A way traffic can flow between networks: a peering, a transit-gateway route, or a
    security-group rule that admits a source range. Its zones are derived at evaluation
    (`ctx.zones.path`): from the VPCs it joins, else from its ends' owner accounts and CIDRs.

    `recorded_from_zone` / `recorded_to_zone` hold the zones a collector recorded before
    issue 17; they stand in only where the evaluation's policy gives an end no zone."""

    account: str = ""
    region: str = ""
    path_kind: Literal["vpc_peering", "transit_gateway", "security_group"]
    recorded_from_zone: Zone | None = recorded_zone_field("from_zone")
    recorded_to_zone: Zone | None = recorded_zone_field("to_zone")
    from_ref: str = ""  # VPC id, CIDR, security group
    to_ref: str = ""
    from_account: str = ""  # the account owning each end VPC (peerings, transit gateways), if told
    to_account: str = ""
    # Each end VPC's CIDRs as the peering reports them, or the destinations a transit-gateway
    # route table sends to each attachment: what an end no VPC fact describes is zoned by.
    from_cidrs: list[str] = Field(default_factory=list)
    to_cidrs: list[str] = Field(default_factory=list)
    ports: list[PortRange] = Field(default_factory=list)  # empty: all traffic
    vpcs: list[str] = Field(default_factory=list)  # ids of the VPCs the path reaches or joins
    state: str = "active"

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
    default ACL also takes every new subnet). Its zone is its VPC's (`ctx.zones.acl`)."""

    account: str = ""
    region: str = ""
    vpc_id: str
    recorded_zone: Zone | None = recorded_zone_field()  # facts stored before issue 17 only
    default: bool = False
    subnets: list[str] = Field(default_factory=list)
    entries: list[AclEntry] = Field(default_factory=list)
