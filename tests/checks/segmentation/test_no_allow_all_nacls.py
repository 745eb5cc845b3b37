from checks.segmentation.no_allow_all_nacls import no_allow_all_nacls
from tests.checks.run import run, statuses
from tests.factories import (
    acl_entry,
    make_account,
    make_conflicted_vpc,
    make_network_acl,
    make_org_account,
    make_vpc,
)

IN_PROD = "default ACL of VPC vpc-prod in account 111111111111: "  # where a failing ACL sits


def test_default_acl_that_allows_everything_fails_naming_the_rule():
    vpc = make_vpc(key="vpc-prod")
    acl = make_network_acl(key="acl-default", vpc_id="vpc-prod")
    [result] = run(no_allow_all_nacls, [vpc, acl])
    assert result.status == "fail"
    assert result.reason == IN_PROD + "rule 100 allows all traffic in from 0.0.0.0/0"
    assert result.evidence["openings"] == [
        {"rule": 100, "source": "0.0.0.0/0", "traffic": "all traffic", "exceptions": []}
    ]
    assert result.evidence["subnets"] == acl.subnets and result.evidence["default"] is True


def test_a_lower_numbered_deny_shadows_the_allow_all():
    entries = [
        acl_entry(90, "deny", "0.0.0.0/0"),
        acl_entry(100, "allow", "0.0.0.0/0"),
        acl_entry(32767, "deny", "0.0.0.0/0"),
    ]
    records = [
        make_vpc(key="vpc-prod"),
        make_network_acl(key="acl-locked", vpc_id="vpc-prod", entries=entries),
    ]
    [result] = run(no_allow_all_nacls, records)
    assert result.status == "pass"
    assert result.evidence["shadowed"] == [
        "rule 100 allow all traffic from 0.0.0.0/0 is shadowed by rule 90 deny all traffic from 0.0.0.0/0"
    ]


def test_denies_that_only_carve_out_ports_or_ranges_leave_the_allow_all_in_effect():
    entries = [
        acl_entry(50, "deny", "0.0.0.0/0", "tcp", (22, 22)),
        acl_entry(60, "deny", "0.0.0.0/1"),  # half the internet: the other half still gets in
        acl_entry(100, "allow", "0.0.0.0/0"),
    ]
    records = [
        make_vpc(key="vpc-prod"),
        make_network_acl(key="acl-blocklist", vpc_id="vpc-prod", entries=entries),
    ]
    [result] = run(no_allow_all_nacls, records)
    assert result.status == "fail"
    assert result.reason == IN_PROD + (
        "rule 100 allows all traffic in from 0.0.0.0/0 (earlier denies only carve out "
        "rule 50 deny tcp/22 from 0.0.0.0/0, rule 60 deny all traffic from 0.0.0.0/1)"
    )


def test_denies_that_together_span_the_internet_shadow_it():
    entries = [
        acl_entry(60, "deny", "0.0.0.0/1"),
        acl_entry(70, "deny", "128.0.0.0/1"),
        acl_entry(100, "allow", "0.0.0.0/0"),
    ]
    acl = make_network_acl(vpc_id="vpc-prod", entries=entries)
    assert statuses(no_allow_all_nacls, [make_vpc(key="vpc-prod"), acl]) == {acl.key: "pass"}


def test_rule_order_not_list_order_decides():
    # An allow-all numbered before the deny wins, wherever the API lists it.
    entries = [acl_entry(200, "deny", "0.0.0.0/0"), acl_entry(100, "allow", "0.0.0.0/0")]
    acl = make_network_acl(vpc_id="vpc-prod", entries=entries)
    assert statuses(no_allow_all_nacls, [make_vpc(key="vpc-prod"), acl]) == {acl.key: "fail"}


def test_ipv6_all_ports_of_tcp_and_scoped_rules():
    ipv6 = make_network_acl(
        key="acl-v6",
        vpc_id="vpc-prod",
        entries=[acl_entry(90, "deny", "0.0.0.0/0"), acl_entry(101, "allow", "::/0")],
    )
    every_tcp_port = make_network_acl(
        key="acl-tcp",
        vpc_id="vpc-prod",
        default=False,
        entries=[acl_entry(100, "allow", "0.0.0.0/0", "tcp", (0, 65535))],
    )
    scoped = make_network_acl(
        key="acl-scoped",
        vpc_id="vpc-prod",
        default=False,
        entries=[
            acl_entry(100, "allow", "0.0.0.0/0", "tcp", (443, 443)),
            acl_entry(110, "allow", "10.0.0.0/8"),
            acl_entry(120, "allow", "0.0.0.0/0", "tcp", (1024, 65535)),  # return traffic
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),  # egress is not judged
        ],
    )
    records = [make_vpc(key="vpc-prod"), ipv6, every_tcp_port, scoped]
    assert statuses(no_allow_all_nacls, records) == {
        "acl-v6": "fail",
        "acl-tcp": "fail",
        "acl-scoped": "pass",
    }
    reasons = {r.resource: r.reason for r in run(no_allow_all_nacls, records)}
    assert reasons["acl-v6"] == IN_PROD + "rule 101 allows all traffic in from ::/0"
    assert reasons["acl-tcp"] == (
        "ACL of VPC vpc-prod in account 111111111111: rule 100 allows tcp/0-65535 in from 0.0.0.0/0"
    )


def test_a_tcp_deny_does_not_shadow_an_allow_of_all_protocols():
    entries = [
        acl_entry(90, "deny", "0.0.0.0/0", "tcp", (0, 65535)),
        acl_entry(100, "allow", "0.0.0.0/0", "tcp", (0, 65535)),  # shadowed
        acl_entry(110, "allow", "0.0.0.0/0"),  # udp, icmp ... still in
    ]
    [result] = run(
        no_allow_all_nacls, [make_vpc(key="vpc-prod"), make_network_acl(vpc_id="vpc-prod", entries=entries)]
    )
    assert result.status == "fail" and result.reason.startswith(
        IN_PROD + "rule 110 allows all traffic in from 0.0.0.0/0"
    )


def test_only_production_acls_in_use_or_default_are_judged():
    records = [
        make_vpc(key="vpc-prod"),
        make_vpc(key="vpc-corp", zone="corporate"),
        make_network_acl(key="acl-prod", vpc_id="vpc-prod"),
        make_network_acl(key="acl-unused", vpc_id="vpc-prod", default=False, subnets=[]),
        make_network_acl(key="acl-corp", vpc_id="vpc-corp", zone="corporate"),
    ]
    assert statuses(no_allow_all_nacls, records) == {
        "acl-prod": "fail",
        "acl-corp": "skipped",
        "acl-unused": "skipped",
    }


def test_unclassified_zones_and_missing_acls_are_unknown():
    assert statuses(no_allow_all_nacls, [make_vpc(zone="unknown"), make_network_acl(zone="unknown")]) == {
        "zones": "unknown"
    }
    # A production VPC always has a default ACL: none collected is missing data, not a pass.
    [result] = run(no_allow_all_nacls, [make_vpc(key="vpc-prod")])
    assert (result.resource, result.status) == ("vpc-prod", "unknown")
    assert result.reason == "no network ACL of this VPC was collected"


def test_a_vpc_that_may_be_production_is_judged_as_production_and_never_passes():
    """A conflict whose first rule said corporate: its ACL was recorded corporate, and is
    still judged; an open ACL fails, a closed one is not applicable until the zone is settled."""
    locked = [acl_entry(90, "deny", "0.0.0.0/0"), acl_entry(100, "allow", "0.0.0.0/0")]
    records = [
        make_conflicted_vpc(key="vpc-open", zone="corporate"),
        make_conflicted_vpc(key="vpc-locked", zone="corporate"),
        make_network_acl(key="acl-open", vpc_id="vpc-open", zone="corporate"),
        make_network_acl(key="acl-locked", vpc_id="vpc-locked", zone="corporate", entries=locked),
    ]
    results = {r.resource: r for r in run(no_allow_all_nacls, records)}
    assert {key: r.status for key, r in results.items()} == {"acl-open": "fail", "acl-locked": "skipped"}
    assert results["acl-open"].reason.startswith(
        "zone conflict (account 111111111111 says production, tag env=corp says corporate), judged as "
        "production, the worst of production, corporate: default ACL of VPC vpc-open in account "
        "111111111111: rule 100 allows all traffic"
    )
    assert results["acl-locked"].evidence["verdicts"] == {"production": "pass", "corporate": "skipped"}


def test_the_acl_is_placed_in_its_named_vpc_and_account():
    """Issue 16: an ACL id means nothing to a reader; its VPC and account by their names do.
    An unnamed VPC or account shows its id alone."""
    records = [
        make_vpc(key="vpc-0abc", name="payments", account="222222222222"),
        make_vpc(key="vpc-0def", name="office", zone="corporate", account="333333333333"),
        make_org_account(account_id="222222222222", name="prod-payments"),
        make_account(account_id="333333333333", alias="", name="333333333333"),
        make_network_acl(key="acl-pay", vpc_id="vpc-0abc", account="222222222222", default=False),
        make_network_acl(key="acl-office", vpc_id="vpc-0def", zone="corporate", account="333333333333"),
    ]
    results = {r.resource: r for r in run(no_allow_all_nacls, records)}
    assert results["acl-pay"].reason == (
        'ACL of VPC "payments" (vpc-0abc) in account "prod-payments" (222222222222): '
        "rule 100 allows all traffic in from 0.0.0.0/0"
    )
    assert {k: results["acl-pay"].evidence[k] for k in ("vpc", "vpc_name", "account", "account_name")} == {
        "vpc": "vpc-0abc",
        "vpc_name": "payments",
        "account": "222222222222",
        "account_name": "prod-payments",
    }
    office = results["acl-office"]
    assert (office.status, office.reason) == (
        "skipped",
        'in corporate VPC "office" (vpc-0def): production ACLs are judged',
    )
    assert office.evidence == {"vpc": "vpc-0def", "vpc_name": "office", "account": "333333333333"}
