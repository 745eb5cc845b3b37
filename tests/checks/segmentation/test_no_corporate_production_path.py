from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from tests.checks.run import run, statuses
from tests.factories import make_conflicted_vpc, make_path, make_vpc


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
    assert "vpc_peering vpc-corp -> vpc-prod-a (all traffic)" in failure.reason


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
    assert results["vpc-default"].evidence == {"paths": [], "zone": "unclassified"}
    assert results["vpc-lab"].reason == (
        f"classify this VPC {rules}: 1 path(s) from corporate reach it: "
        "security_group 10.20.0.0/16 -> sg-lab (tcp/443)"
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
        "joined to unclassified network(s), which may be corporate: vpc_peering vpc-prod -> vpc-elsewhere "
        "(all traffic); classify them (policy.zones: production_accounts"
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
        "1 path(s) from corporate: vpc_peering vpc-corp -> vpc-prod (all traffic) "
        f"[zone conflict: vpc-corp: {conflict}]"
    )
    assert results["vpc-corp"].reason.startswith(
        f"zone conflict ({conflict}), judged as corporate, the worst of production, corporate: "
        "1 path(s) to production: vpc_peering vpc-corp -> vpc-prod"
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
    assert "1 path(s) from corporate: vpc_peering vpc-office -> vpc-x" in results["vpc-x"].reason
