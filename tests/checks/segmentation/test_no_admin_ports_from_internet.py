from checks.segmentation.no_admin_ports_from_internet import no_admin_ports_from_internet
from tests.checks.run import run, statuses
from tests.factories import make_account, make_conflicted_vpc, make_org_account, make_path, make_vpc
from vaultward.contract.records import PortRange


def tcp(port: int) -> list[PortRange]:
    return [PortRange(protocol="tcp", from_port=port, to_port=port)]


def test_admin_ports_open_to_internet_fail_https_passes():
    records = [
        make_vpc(key="vpc-a", zone="production"),
        make_vpc(key="vpc-b", zone="production"),
        make_vpc(key="vpc-c", zone="production"),
        make_path(key="sg-1/ssh", to_ref="sg-1", vpcs=["vpc-a"], ports=tcp(22)),
        make_path(key="sg-2/https", to_ref="sg-2", vpcs=["vpc-b"], ports=tcp(443)),
        make_path(key="sg-3/all", to_ref="sg-3", vpcs=["vpc-c"], ports=[]),
    ]
    assert statuses(no_admin_ports_from_internet, records) == {
        "vpc-a": "fail",
        "vpc-b": "pass",
        "vpc-c": "fail",
    }
    by_vpc = {r.resource: r for r in run(no_admin_ports_from_internet, records)}
    assert by_vpc["vpc-a"].evidence["exposures"] == [
        {"rule": "sg-1/ssh", "source": "0.0.0.0/0", "group": "sg-1", "group_name": "", "ports": [22]}
    ]
    assert by_vpc["vpc-a"].reason == (
        "open to the internet in production VPC vpc-a in account 111111111111: "
        "security group sg-1 port(s) 22 from 0.0.0.0/0"
    )
    assert by_vpc["vpc-b"].reason == "no admin or database port open to the internet (production VPC)"


def test_every_zone_is_judged_alike_with_the_zone_named():
    """Prowler fails an open SSH port in any VPC: so does this check, same severity, with
    the zone in the message and the evidence. Only production VPCs pass: a clean VPC
    elsewhere is reported, not scored."""
    records = [
        make_vpc(key="vpc-prod", zone="production", zone_reason="tag Environment=prod"),
        make_vpc(key="vpc-corp", zone="corporate"),
        make_vpc(key="vpc-default", zone="unknown", cidrs=["172.31.0.0/16"]),
        make_vpc(key="vpc-quiet", zone="unknown"),
        *[
            make_path(key=f"sg-{vpc}/{port}", name="legacy-admin", to_ref=f"sg-{vpc}", to_zone=zone, vpcs=[vpc], ports=tcp(port))
            for vpc, zone in (("vpc-corp", "corporate"), ("vpc-default", "unknown"))
            for port in (22, 3389)
        ],
    ]  # fmt: skip
    results = {r.resource: r for r in run(no_admin_ports_from_internet, records)}
    assert {key: r.status for key, r in results.items()} == {
        "vpc-prod": "pass",
        "vpc-corp": "fail",
        "vpc-default": "fail",
        "vpc-quiet": "skipped",
    }
    assert results["vpc-quiet"].reason == (
        "no admin or database port open to the internet; unclassified VPC: counted only when exposed "
        "(classify it in policy.zones to judge it as production)"
    )
    default = results["vpc-default"]
    assert default.reason == (
        "open to the internet in unclassified VPC vpc-default in account 111111111111: "
        'security group "legacy-admin" (sg-vpc-default) port(s) 22, 3389 from 0.0.0.0/0'
    )
    assert (default.evidence["zone"], default.evidence["zone_reason"]) == ("unclassified", "")
    assert [e["ports"] for e in default.evidence["exposures"]] == [[22], [3389]]
    assert results["vpc-corp"].evidence["zone"] == "corporate"
    assert results["vpc-prod"].evidence["zone_reason"] == "tag Environment=prod"


def test_no_production_vpc_is_no_reason_for_unknown():
    records = [make_vpc(key="vpc-x", zone="unknown")]
    assert statuses(no_admin_ports_from_internet, records) == {"vpc-x": "skipped"}


def test_clean_vpcs_outside_production_do_not_dilute_a_production_exposure():
    """Default VPCs in every unused region must not raise the score of an exposed estate:
    one open SSH port in production scores 0 here, not 95 %."""
    from vaultward.pipeline.scoring import tally_check

    records = [
        make_vpc(key="vpc-prod", zone="production"),
        make_path(key="sg-1/ssh", to_ref="sg-1", vpcs=["vpc-prod"], ports=tcp(22)),
        *[make_vpc(key=f"vpc-default-{n}", zone="unknown") for n in range(17)],
        make_vpc(key="vpc-corp", zone="corporate"),
    ]
    results = run(no_admin_ports_from_internet, records)
    assert len(results) == 19  # every VPC is reported
    tally = tally_check(
        "segmentation.no_admin_ports_from_internet", "segmentation", 3, [r.status for r in results]
    )
    assert (tally.score, tally.skipped) == (0.0, 18)


def test_an_open_group_whose_vpc_was_not_collected_still_fails():
    records = [
        make_path(key="sg-9/ssh", to_ref="sg-9", to_zone="unknown", vpcs=["vpc-gone"], ports=tcp(22)),
    ]
    [result] = run(no_admin_ports_from_internet, records)
    assert (result.resource, result.status, result.scope) == (
        "vpc-gone",
        "fail",
        "aws:111111111111/us-east-1",
    )
    assert result.reason == (
        "open to the internet in unclassified VPC vpc-gone in account 111111111111 "
        "(the VPC itself was not collected): security group sg-9 port(s) 22 from 0.0.0.0/0"
    )


def test_a_zone_conflict_is_judged_as_production_and_never_passes():
    """Corporate by tag, production by account: an exposure fails as production naming the
    conflict; a clean one is not applicable (as corporate it would not count), never a pass."""
    conflict = "account 111111111111 says production, tag env=corp says corporate"
    records = [
        # The tag comes first here: the VPC was recorded corporate, and is still judged as production.
        make_conflicted_vpc(key="vpc-open", zone="corporate"),
        make_conflicted_vpc(key="vpc-clean"),
        make_path(key="sg-1/ssh", to_ref="sg-1", to_zone="corporate", vpcs=["vpc-open"], ports=tcp(22)),
    ]
    results = {r.resource: r for r in run(no_admin_ports_from_internet, records)}
    assert {key: r.status for key, r in results.items()} == {"vpc-open": "fail", "vpc-clean": "skipped"}
    judged = f"zone conflict ({conflict}), judged as production, the worst of production, corporate: "
    assert results["vpc-open"].reason == (
        judged + "open to the internet in production VPC vpc-open in account 111111111111: "
        "security group sg-1 port(s) 22 from 0.0.0.0/0"
        "; as corporate (skipped): not judged as corporate: counted once its zone is settled"
    )
    assert results["vpc-open"].evidence["zone"] == "production"
    assert results["vpc-open"].evidence["zone_conflict"] == conflict
    assert results["vpc-clean"].reason == (
        f"zone conflict ({conflict}), judged as corporate, the worst of production, corporate: "
        "not judged as corporate: counted once its zone is settled; as production (pass): "
        "no admin or database port open to the internet (production VPC)"
    )
    assert results["vpc-clean"].evidence["verdicts"] == {"production": "pass", "corporate": "skipped"}


def test_vpc_groups_and_account_are_named_and_a_missing_name_shows_the_id():
    """Issue 16: the group's name beside its id, the VPC's and the account's too (the
    Organizations name before the IAM alias); whatever has no name shows its id alone."""
    records = [
        make_vpc(key="vpc-0abc", name="prod-core", account="111111111111"),
        make_vpc(key="vpc-0def", account="333333333333"),  # no name, an account nobody named
        make_org_account(account_id="111111111111", name="prod-payments"),
        make_account(account_id="111111111111", alias="acme-prod"),
        make_account(account_id="333333333333", alias="", name="333333333333"),
        make_path(key="sg-0b/ssh", name="prod-bastion", to_ref="sg-0b", vpcs=["vpc-0abc"], ports=tcp(22)),
        make_path(
            key="sg-0c/ssh", name="", to_ref="sg-0c", vpcs=["vpc-0abc"], ports=tcp(22), from_ref="::/0"
        ),
        make_path(key="sg-0d/rdp", name="", to_ref="sg-0d", vpcs=["vpc-0def"], ports=tcp(3389)),
    ]
    results = {r.resource: r for r in run(no_admin_ports_from_internet, records)}
    named = results["vpc-0abc"]
    assert named.reason == (
        'open to the internet in production VPC "prod-core" (vpc-0abc) in account "prod-payments" '
        '(111111111111): security group "prod-bastion" (sg-0b) port(s) 22 from 0.0.0.0/0; '
        "security group sg-0c port(s) 22 from ::/0"
    )
    assert (named.evidence["account"], named.evidence["account_name"]) == ("111111111111", "prod-payments")
    assert [(e["group"], e["group_name"]) for e in named.evidence["exposures"]] == [
        ("sg-0b", "prod-bastion"),
        ("sg-0c", ""),
    ]
    bare = results["vpc-0def"]
    assert bare.reason == (
        "open to the internet in production VPC vpc-0def in account 333333333333: "
        "security group sg-0d port(s) 3389 from 0.0.0.0/0"
    )
    assert bare.evidence["account"] == "333333333333" and "account_name" not in bare.evidence
