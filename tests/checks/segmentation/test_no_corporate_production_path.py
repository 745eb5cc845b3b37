from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from tests.checks.run import run, statuses
from tests.factories import make_path, make_vpc


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
    assert statuses(no_corporate_production_path, records) == {"vpc-prod-a": "fail", "vpc-prod-b": "pass"}
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
