from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from tests.checks.run import run, statuses
from tests.factories import make_account, make_conflicted_vpc, make_org_account, make_path, make_vpc
from vaultward.config.policy import Policy, ZoneRules
from vaultward.contract.records import PortRange


def test_each_production_vpc_fails_when_joined_to_corporate():
    records = [
        make_vpc(key="vpc-prod-a", zone="production"),
        make_vpc(key="vpc-prod-b", zone="production"),
        make_vpc(key="vpc-corp", zone="corporate"),
        make_path(
            key="pcx-1",
            path_kind="vpc_peering",
            from_zone="corporate",
            to_zone="production",
            from_ref="vpc-corp",
            to_ref="vpc-prod-a",
            vpcs=["vpc-corp", "vpc-prod-a"],
            ports=[],
        ),
        make_path(
            key="pcx-2",
            path_kind="vpc_peering",
            from_zone="corporate",
            to_zone="production",
            from_ref="vpc-corp",
            to_ref="vpc-prod-b",
            vpcs=["vpc-corp", "vpc-prod-b"],
            ports=[],
            state="deleted",
        ),
    ]
    assert statuses(no_corporate_production_path, records) == {
        "vpc-prod-a": "fail",
        "vpc-prod-b": "pass",
        "vpc-corp": "skipped",
    }
    failure = next(r for r in run(no_corporate_production_path, records) if r.status == "fail")
    assert failure.evidence["paths"] == ["pcx-1"]
    assert failure.reason == "1 path(s) from corporate: peering pcx-1 between VPC vpc-corp and VPC vpc-prod-a"
    assert failure.evidence["named_paths"] == ["peering pcx-1 between VPC vpc-corp and VPC vpc-prod-a"]


def test_unclassified_network_is_unknown_not_pass():
    records = [make_vpc(key="vpc-x", zone="unknown")]
    assert statuses(no_corporate_production_path, records) == {"zones": "unknown"}


def test_a_peering_seen_from_both_accounts_counts_once():
    peering = dict(
        key="pcx-1",
        path_kind="vpc_peering",
        from_zone="production",
        to_zone="corporate",
        from_ref="vpc-prod",
        to_ref="vpc-corp",
        vpcs=["vpc-prod", "vpc-corp"],
        ports=[],
    )
    records = [
        make_vpc(key="vpc-prod", zone="production"),
        make_path(scope="aws:111111111111/us-east-1", **peering),
        make_path(scope="aws:222222222222/us-east-1", **peering),
    ]
    [result] = run(no_corporate_production_path, records)
    assert result.evidence["paths"] == ["pcx-1"] and result.reason.startswith("1 path(s) from corporate")


def test_a_vpc_of_unknown_zone_is_unknown_with_how_to_classify_it():
    """Not silently left out: were it production, a corporate path into it would fail."""
    records = [
        make_vpc(key="vpc-prod", zone="production"),
        make_vpc(key="vpc-corp", zone="corporate"),
        make_vpc(key="vpc-default", zone="unknown", cidrs=["172.31.0.0/16"]),
        make_vpc(key="vpc-lab", zone="unknown", cidrs=["192.168.0.0/16"]),
        make_path(
            key="sg-lab/ingress/10.20.0.0/16/tcp/22-22",
            from_zone="corporate",
            to_zone="unknown",
            from_ref="10.20.0.0/16",
            to_ref="sg-lab",
            vpcs=["vpc-lab"],
        ),
    ]
    results = {r.resource: r for r in run(no_corporate_production_path, records)}
    assert {key: r.status for key, r in results.items()} == {
        "vpc-prod": "pass",
        "vpc-default": "unknown",
        "vpc-lab": "unknown",
        "vpc-corp": "skipped",
    }  # vpc-corp is the other end of the paths judged, not judged itself
    rules = (
        "(policy.zones: production_accounts / corporate_accounts, production_tags / corporate_tags "
        "or production_cidrs / corporate_cidrs)"
    )
    assert results["vpc-default"].reason == f"classify this VPC {rules}"
    assert results["vpc-default"].evidence == {
        "paths": [],
        "named_paths": [],
        "zone": "unclassified",
        "zone_reason": "",
        "account": "111111111111",
    }
    assert results["vpc-lab"].reason == (
        f"classify this VPC {rules}: 1 path(s) from corporate reach it: "
        "security group sg-lab admits tcp/443 from 10.20.0.0/16"
    )
    assert results["vpc-lab"].evidence["paths"] == ["sg-lab/ingress/10.20.0.0/16/tcp/22-22"]


def test_production_joined_only_to_an_unclassified_network_is_unknown():
    records = [
        make_vpc(key="vpc-prod", zone="production"),
        make_path(
            key="pcx-9",
            path_kind="vpc_peering",
            from_zone="production",
            to_zone="unknown",
            from_ref="vpc-prod",
            to_ref="vpc-elsewhere",
            vpcs=["vpc-prod", "vpc-elsewhere"],
            ports=[],
        ),
    ]
    [result] = run(no_corporate_production_path, records)
    assert (result.resource, result.status, result.evidence["paths"]) == ("vpc-prod", "unknown", ["pcx-9"])
    assert result.reason.startswith(
        "joined to unclassified network(s), which may be corporate: peering pcx-9 between VPC vpc-prod "
        "and VPC vpc-elsewhere; classify them (policy.zones: production_accounts"
    )


def _peering(source: str, target: str, from_zone: str = "production", to_zone: str = "production"):
    return make_path(
        key=f"pcx-{source}-{target}",
        path_kind="vpc_peering",
        from_zone=from_zone,
        to_zone=to_zone,
        from_ref=source,
        to_ref=target,
        vpcs=[source, target],
        ports=[],
    )


def test_a_vpc_corporate_by_tag_and_production_by_account_peered_to_production_fails():
    """Issue 15: the account rule used to win silently, the path looked production to
    production and both VPCs passed. Judged under both of its zones, the worst kept."""
    records = [
        make_conflicted_vpc(key="vpc-corp", account="111111111111"),
        make_vpc(key="vpc-prod"),
        _peering("vpc-corp", "vpc-prod"),  # recorded with the first rule's zone: production
    ]
    results = {r.resource: r for r in run(no_corporate_production_path, records)}
    assert {key: r.status for key, r in results.items()} == {"vpc-corp": "fail", "vpc-prod": "fail"}
    conflict = "account 111111111111 says production, tag env=corp says corporate"
    assert results["vpc-prod"].reason == (
        "1 path(s) from corporate: peering pcx-vpc-corp-vpc-prod between VPC vpc-corp and VPC vpc-prod "
        f"[zone conflict: vpc-corp: {conflict}]"
    )
    assert results["vpc-corp"].reason.startswith(
        f"zone conflict ({conflict}), judged as corporate, the worst of production, corporate: "
        "1 path(s) to production: peering pcx-vpc-corp-vpc-prod between VPC vpc-corp and VPC vpc-prod"
    )
    assert results["vpc-corp"].reason.endswith("; as production (pass): no path from a corporate zone")
    assert results["vpc-corp"].evidence["zone_conflict"] == conflict
    assert results["vpc-corp"].evidence["judged_as"] == "corporate"


def test_a_conflicted_vpc_never_passes():
    """As production it would pass, as corporate it reaches no production: not applicable."""
    records = [make_conflicted_vpc(key="vpc-x"), make_vpc(key="vpc-prod")]
    results = {r.resource: r for r in run(no_corporate_production_path, records)}
    assert (results["vpc-x"].status, results["vpc-prod"].status) == ("skipped", "pass")
    assert "judged as corporate" in results["vpc-x"].reason


def test_a_conflicted_vpc_reached_from_corporate_fails_as_production():
    records = [
        make_conflicted_vpc(key="vpc-x"),
        make_vpc(key="vpc-office", zone="corporate"),
        _peering("vpc-office", "vpc-x", from_zone="corporate"),
    ]
    results = {r.resource: r for r in run(no_corporate_production_path, records)}
    assert results["vpc-x"].status == "fail"
    assert "judged as production" in results["vpc-x"].reason
    assert "1 path(s) from corporate: peering pcx-vpc-office-vpc-x between VPC vpc-office and VPC vpc-x" in (
        results["vpc-x"].reason
    )


def test_paths_name_the_peering_the_vpcs_the_group_and_the_other_account():
    """Issue 16: the peering's id (and name) in the message, each VPC by its name and id, the
    far end's account by its name where it is another account; an end that is not collected,
    or a group or account without a name, shows its id alone."""
    records = [
        make_vpc(key="vpc-prod", name="prod-core", account="111111111111"),
        make_vpc(key="vpc-corp", name="corp-main", zone="corporate", account="222222222222"),
        make_org_account(account_id="111111111111", name="prod-payments"),
        make_org_account(account_id="222222222222", name="corporate-it"),
        make_account(account_id="444444444444", alias="", name="444444444444"),  # no alias, no org name
        make_path(
            key="pcx-0a1",
            name="office-link",
            path_kind="vpc_peering",
            from_zone="corporate",
            from_ref="vpc-corp",
            to_ref="vpc-prod",
            from_account="222222222222",
            to_account="111111111111",
            vpcs=["vpc-corp", "vpc-prod"],
            ports=[],
        ),
        make_path(
            key="pcx-0b2",
            path_kind="vpc_peering",
            from_zone="corporate",
            from_ref="vpc-0ff",  # not collected: named by the account the peering says owns it
            to_ref="vpc-prod",
            from_account="444444444444",
            to_account="111111111111",
            vpcs=["vpc-0ff", "vpc-prod"],
            ports=[],
        ),
        make_path(
            key="tgw-0c3/vpc-corp-vpc-prod",
            path_kind="transit_gateway",
            from_zone="corporate",
            from_ref="vpc-corp",
            to_ref="vpc-prod",
            vpcs=["vpc-corp", "vpc-prod"],
            ports=[],
        ),
        make_path(
            key="sg-0d4/ingress/10.20.0.0/16/tcp/22-22",
            name="prod-bastion",
            from_zone="corporate",
            from_ref="10.20.0.0/16",
            to_ref="sg-0d4",
            vpcs=["vpc-prod"],
            ports=[PortRange(protocol="tcp", from_port=22, to_port=22)],
        ),
    ]
    results = {r.resource: r for r in run(no_corporate_production_path, records)}
    prod = results["vpc-prod"]
    named = [
        'peering "office-link" (pcx-0a1) between VPC "corp-main" (vpc-corp) in account "corporate-it" '
        '(222222222222) and VPC "prod-core" (vpc-prod)',
        'peering pcx-0b2 between VPC vpc-0ff in account 444444444444 and VPC "prod-core" (vpc-prod)',
        'transit gateway tgw-0c3 route between VPC "corp-main" (vpc-corp) in account "corporate-it" '
        '(222222222222) and VPC "prod-core" (vpc-prod)',
        'security group "prod-bastion" (sg-0d4) admits tcp/22 from 10.20.0.0/16',
    ]
    assert prod.reason == "4 path(s) from corporate: " + "; ".join(named)
    assert prod.evidence["named_paths"] == named
    assert prod.evidence["paths"] == [
        "pcx-0a1",
        "pcx-0b2",
        "tgw-0c3/vpc-corp-vpc-prod",
        "sg-0d4/ingress/10.20.0.0/16/tcp/22-22",
    ]
    assert (prod.evidence["account"], prod.evidence["account_name"]) == ("111111111111", "prod-payments")


def test_an_older_fact_is_unknown_when_a_corporate_range_may_match_an_unrecorded_rule():
    """Facts stored before issue 17 recorded only the security-group rules that reached the
    internet or corporate at collection: with a private corporate range in the policy now, a
    production VPC they show no path into may have one, so it is unknown, never a pass."""
    older = make_vpc(key="vpc-old", zone="production", ingress_recorded=False)
    current = make_vpc(key="vpc-new", zone="production")
    corporate = Policy(zones=ZoneRules(corporate_cidrs=["10.20.0.0/16"]))
    public_only = Policy(zones=ZoneRules(corporate_cidrs=["203.0.113.0/24"]))  # always recorded
    results = {r.resource: r for r in run(no_corporate_production_path, [older, current], corporate)}
    assert (results["vpc-old"].status, results["vpc-new"].status) == ("unknown", "pass")
    assert results["vpc-old"].evidence["unrecorded_ranges"] == ["10.20.0.0/16"]
    assert "10.20.0.0/16" in results["vpc-old"].reason
    for policy in (None, public_only):
        assert statuses(no_corporate_production_path, [older, current], policy) == {
            "vpc-old": "pass",
            "vpc-new": "pass",
        }
    # A recorded path still fails it: the mark only ever turns a pass into unknown.
    path = make_path(from_ref="10.20.0.0/16", from_zone=None, to_zone=None, vpcs=["vpc-old"])
    assert statuses(no_corporate_production_path, [older, path], corporate) == {"vpc-old": "fail"}
