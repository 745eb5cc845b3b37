from checks.custody.hsm_cluster_redundant import hsm_cluster_redundant
from tests.checks.run import run, statuses
from tests.factories import make_hsm_cluster


def test_cluster_needs_two_active_hsms_in_two_zones():
    records = [
        make_hsm_cluster(key="good"),
        make_hsm_cluster(key="one-zone", availability_zones=["us-east-1a", "us-east-1a"]),
        make_hsm_cluster(key="single", hsm_count=1, active_hsm_count=1, availability_zones=["us-east-1a"]),
        make_hsm_cluster(
            key="uninitialised", state="UNINITIALIZED", hsm_count=0, active_hsm_count=0, availability_zones=[]
        ),
    ]
    assert statuses(hsm_cluster_redundant, records) == {
        "good": "pass",
        "one-zone": "fail",
        "single": "fail",
        "uninitialised": "fail",
    }
    reasons = {r.resource: r.reason for r in run(hsm_cluster_redundant, records)}
    assert (
        reasons["single"]
        == "1 active HSM(s), need at least 2; active HSMs span 1 availability zone(s), need 2"
    )
    assert reasons["uninitialised"].startswith("cluster state is UNINITIALIZED")


def test_a_single_hsm_policy_needs_a_single_zone():
    from vaultward.config.policy import CustodyPolicy, Policy

    one = Policy(custody=CustodyPolicy(min_hsms=1))
    single = make_hsm_cluster(
        key="single", hsm_count=1, active_hsm_count=1, availability_zones=["us-east-1a"]
    )
    assert statuses(hsm_cluster_redundant, [single], policy=one) == {"single": "pass"}
