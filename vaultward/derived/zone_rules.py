"""Pure: which rules of `policy.zones` match an account, or a network (its account, tags
and CIDRs), as observed by the collectors.

Every matching rule of a network is returned, not the first: where they disagree, the VPC's
zone is a conflict that `vaultward.derived.zones` judges and evaluation reports.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

from vaultward.config.policy import ZoneRules
from vaultward.contract.records import Zone, ZoneClassification

# Address space that is never the internet: RFC 1918, carrier-grade NAT, loopback,
# link-local, IPv6 unique-local. A source range reaching beyond these admits the internet.
NON_INTERNET = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def _within(cidrs: list[str], ranges: list[str]) -> bool:
    if not cidrs or not ranges:
        return False
    networks = [ipaddress.ip_network(r, strict=False) for r in ranges]
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=False)
        if not any(
            network.version == parent.version and network.subnet_of(parent)  # type: ignore[arg-type]
            for parent in networks
        ):
            return False
    return True


def _tag_matches(tags: Mapping[str, str], rules: Mapping[str, list[str]]) -> list[str]:
    return [
        f"tag {key}={tags[key]}"
        for key, values in rules.items()
        if key in tags and tags[key].lower() in {v.lower() for v in values}
    ]


def account_zone(account_id: str, zones: ZoneRules) -> Zone | None:
    """The zone the account rules give an account, production first; None when no rule
    lists it."""
    if account_id in zones.production_accounts:
        return "production"
    if account_id in zones.corporate_accounts:
        return "corporate"
    return None


def classifications(
    account: str, tags: Mapping[str, str], cidrs: list[str], zones: ZoneRules
) -> list[tuple[ZoneClassification, str]]:
    """Every rule of `policy.zones` that matches a network, account rules first, then tags,
    then CIDRs, each with the reason it gives. Rules that disagree are all kept: the conflict
    is `vaultward.derived.zones`'s to judge, not settled here."""
    found: list[tuple[ZoneClassification, str]] = []
    accounts: tuple[tuple[Zone, list[str]], ...] = (
        ("production", zones.production_accounts),
        ("corporate", zones.corporate_accounts),
    )
    for zone, listed in accounts:
        if account in listed:
            matched = f"account {account}"
            found.append(
                (
                    ZoneClassification(rule="account", zone=zone, matched=matched),
                    f"{matched} is a {zone} account",
                )
            )
    tag_rules: tuple[tuple[Zone, dict[str, list[str]]], ...] = (
        ("production", zones.production_tags),
        ("corporate", zones.corporate_tags),
    )
    for zone, rules in tag_rules:
        for matched in _tag_matches(tags, rules):
            found.append((ZoneClassification(rule="tag", zone=zone, matched=matched), matched))
    ranges: tuple[tuple[Zone, list[str]], ...] = (
        ("production", zones.production_cidrs),
        ("corporate", zones.corporate_cidrs),
    )
    for zone, within in ranges:
        if _within(cidrs, within):
            matched = f"CIDR {', '.join(cidrs)}"
            found.append(
                (
                    ZoneClassification(rule="cidr", zone=zone, matched=matched),
                    f"{matched} inside {zone}_cidrs",
                )
            )
    return found


def source_zone(cidr: str, corporate: Sequence[str]) -> Zone | None:
    """Where a security-group rule's source range reaches: the internet if any of it is
    public address space (0.0.0.0/0, but also 0.0.0.0/1 or a single public address),
    corporate if it overlaps a corporate range (inside it, or wider, like 10.0.0.0/8 around
    10.20.0.0/16); None when neither."""
    network = ipaddress.ip_network(cidr, strict=False)
    private = [n for n in NON_INTERNET if n.version == network.version]
    if not any(network.subnet_of(n) for n in private):  # type: ignore[arg-type]
        return "internet"
    for parent in corporate:
        other = ipaddress.ip_network(parent, strict=False)
        if other.version == network.version and network.overlaps(other):  # type: ignore[arg-type]
            return "corporate"
    return None
