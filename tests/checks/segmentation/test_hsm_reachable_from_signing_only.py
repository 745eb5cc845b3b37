from checks.segmentation.hsm_reachable_from_signing_only import hsm_reachable_from_signing_only
from tests.checks.run import run, statuses
from tests.factories import ingress, make_account, make_hsm_cluster
from vaultward.config.policy import CustodyPolicy, Policy

HSM_GROUP = "sg-0aaaaaaaaaaaaaaa1"
SIGNERS = "sg-0bbbbbbbbbbbbbbb2"
POLICY = Policy(
    custody=CustodyPolicy(signing_cidrs=["10.40.8.0/24", "fd00:40::/48"], signing_security_groups=[SIGNERS])
)


def cluster(key: str, *sources, **fields):
    return make_hsm_cluster(
        key=key, security_group=HSM_GROUP, vpc_id="vpc-signing", ingress=list(sources), **fields
    )


def test_signing_subnets_own_group_and_signing_groups_pass():
    records = [
        cluster(
            "good",
            ingress(HSM_GROUP, "security_group"),
            ingress("10.40.8.0/25"),
            ingress("fd00:40:0:1::/64"),
            ingress(SIGNERS, "security_group"),
        ),
        cluster("closed"),
    ]
    assert statuses(hsm_reachable_from_signing_only, records, policy=POLICY) == {
        "good": "pass",
        "closed": "pass",
    }
    good = next(
        r for r in run(hsm_reachable_from_signing_only, records, policy=POLICY) if r.resource == "good"
    )
    assert good.reason == f"security group {HSM_GROUP}: all 4 ingress source(s) are signing sources"
    assert good.evidence["security_group"] == HSM_GROUP
    assert "security_group_name" not in good.evidence  # a group read without a name: its id alone


def test_each_offending_source_is_named():
    records = [
        cluster(
            "open",
            ingress(HSM_GROUP, "security_group"),
            ingress("0.0.0.0/0", ports=(22, 22)),
            ingress("10.20.0.0/16"),  # a corporate range
            ingress("10.40.0.0/16"),  # wider than the signing subnet
            ingress("sg-0ccccccccccccccc3", "security_group"),  # a group nobody listed
        )
    ]
    [result] = run(hsm_reachable_from_signing_only, records, policy=POLICY)
    assert result.status == "fail"
    assert result.reason == (
        f"security group {HSM_GROUP} admits tcp/22 from 0.0.0.0/0; tcp/2223-2225 from 10.20.0.0/16; "
        "tcp/2223-2225 from 10.40.0.0/16; tcp/2223-2225 from security group sg-0ccccccccccccccc3"
    )
    assert len(result.evidence["offending"]) == 4 and len(result.evidence["sources"]) == 5


def test_the_group_and_the_account_are_named_as_people_know_them():
    records = [
        cluster(
            "open",
            ingress(HSM_GROUP, "security_group"),
            ingress("10.20.0.0/16"),
            security_group_name="signing-hsm",
            account="222222222222",
        ),
        make_account(account_id="222222222222", alias="acme-custody"),
    ]
    [result] = run(hsm_reachable_from_signing_only, records, policy=POLICY)
    group = f'security group "signing-hsm" ({HSM_GROUP})'
    assert result.reason == f"{group} admits tcp/2223-2225 from 10.20.0.0/16"
    assert result.evidence["sources"] == [f"tcp/2223-2225 from {group}", "tcp/2223-2225 from 10.20.0.0/16"]
    assert result.evidence["security_group_name"] == "signing-hsm"
    assert (result.evidence["account"], result.evidence["account_name"]) == ("222222222222", "acme-custody")


def test_unknown_without_signing_subnets_or_when_the_group_was_not_read():
    records = [cluster("a", ingress("10.20.0.0/16")), make_hsm_cluster(key="unread", ingress=None)]
    unconfigured = run(hsm_reachable_from_signing_only, records)
    assert {r.resource: r.status for r in unconfigured} == {"a": "unknown", "unread": "unknown"}
    assert unconfigured[0].reason.startswith(
        "no signing subnets configured: set policy.custody.signing_cidrs"
    )
    [_, unread] = run(hsm_reachable_from_signing_only, records, policy=POLICY)
    assert (unread.status, unread.reason) == ("unknown", "security group (none reported) was not read")


def test_an_unread_prefix_list_is_unknown_unless_another_source_fails():
    prefix = ingress("pl-0123456789abcdef0", "prefix_list")
    records = [
        cluster("prefix-only", ingress("10.40.8.0/24"), prefix),
        cluster("prefix-and-corp", ingress("10.20.0.0/16"), prefix),
    ]
    assert statuses(hsm_reachable_from_signing_only, records, policy=POLICY) == {
        "prefix-only": "unknown",
        "prefix-and-corp": "fail",
    }
