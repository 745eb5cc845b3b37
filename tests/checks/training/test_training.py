from checks.training.awareness_recent import awareness_recent
from checks.training.lure_training_privileged import lure_training_privileged
from tests.checks.run import statuses
from tests.factories import make_identity
from tests.factories import make_training_record as _training


def test_no_training_source_is_unknown_never_pass():
    people = [make_identity(key="a@x.io", email="a@x.io")]
    assert statuses(awareness_recent, people) == {"training": "unknown"}
    assert statuses(lure_training_privileged, people) == {
        "training": "unknown",
        "a@x.io": "skipped",
    }


def test_awareness_within_a_year():
    records = [
        make_identity(key="a@x.io", email="a@x.io"),
        make_identity(key="b@x.io", email="b@x.io"),
        make_identity(key="c@x.io", email="c@x.io"),
        _training("a@x.io", "awareness", 30),
        _training("b@x.io", "awareness", 400),
        _training("c@x.io", "awareness", 10, status="failed"),
    ]
    assert statuses(awareness_recent, records) == {"a@x.io": "pass", "b@x.io": "fail", "c@x.io": "fail"}


def test_lure_training_for_privileged_within_six_months():
    records = [
        make_identity(key="admin1@x.io", email="admin1@x.io", privileged=True),
        make_identity(key="admin2@x.io", email="admin2@x.io", privileged=True),
        make_identity(key="dev@x.io", email="dev@x.io", privileged=False),
        _training("admin1@x.io", "lure", 100),
        _training("admin2@x.io", "lure", 200),
    ]
    assert statuses(lure_training_privileged, records) == {
        "admin1@x.io": "pass",
        "admin2@x.io": "fail",
        "dev@x.io": "skipped",
    }


def test_a_person_is_judged_once_across_sources_and_aliases():
    from tests.checks.run import run
    from vaultward.config.policy import PeopleRules, Policy

    policy = Policy(people=PeopleRules(aliases={"arn:aws:iam::111111111111:user/alice": "alice@x.io"}))
    records = [
        make_identity(key="okta:1", source="okta", email="Alice@X.io", scope="okta:acme"),
        make_identity(key="arn:aws:iam::111111111111:user/alice", email=""),
        make_identity(key="arn:aws:iam::111111111111:user/nobody", email=""),
        _training("ALICE@x.io", "awareness", 3),
    ]
    results = {r.resource: r for r in run(awareness_recent, records, policy=policy)}
    assert {k: r.status for k, r in results.items()} == {
        "alice@x.io": "pass",
        "identity:arn:aws:iam::111111111111:user/nobody": "unknown",
    }
    # a person spans sources: the result names no single scope, so every source's staleness applies
    assert results["alice@x.io"].scope == ""
    assert results["alice@x.io"].evidence["sources"] == ["aws_iam", "okta"]


def test_lure_training_covers_signers_and_approvers_who_are_not_privileged():
    from tests.checks.run import run
    from tests.factories import make_identity as identity
    from tests.factories import make_transfer_rule, make_wallet
    from vaultward.config.policy import PeopleRules, Policy

    policy = Policy(people=PeopleRules(signers={"0xs1": "signer@x.io", "0xs2": "mapped-only@x.io"}))
    records = [
        identity(key="admin@x.io", email="admin@x.io", privileged=True),
        identity(key="signer@x.io", email="signer@x.io", privileged=False),
        identity(key="fireblocks:user:u-9", source="fireblocks", email="approver@x.io", privileged=False),
        identity(key="dev@x.io", email="dev@x.io", privileged=False),
        make_wallet(signers=["0xs1", "0xunmapped"]),
        make_transfer_rule(approvers=["u-9"]),
        _training("admin@x.io", "lure", 10),
        _training("signer@x.io", "lure", 200),
        _training("approver@x.io", "lure", 20),
        _training("mapped-only@x.io", "lure", 5),
    ]
    results = {r.resource: r for r in run(lure_training_privileged, records, policy=policy)}
    assert {k: r.status for k, r in results.items()} == {
        "admin@x.io": "pass",
        "approver@x.io": "pass",  # a Fireblocks approver, through the vendor's user identity
        "signer@x.io": "fail",
        "dev@x.io": "skipped",
    }
    assert results["signer@x.io"].reason == "lure training last passed 200 days ago"
    # mapped-only's address owns no wallet: policy.people.signers maps ids to people and makes
    # nobody a signer (issue 16), so they are not in lure-training scope.
    assert "mapped-only@x.io" not in results


def test_a_person_whose_privilege_a_failed_request_left_unknown_is_unknown_not_left_out():
    # Issue 15: with Okta's role assignments refused, a trained non-admin counted in would
    # raise the score and an untrained admin left out would too: both are unknown.
    from collections import defaultdict

    from tests.factories import NOW
    from vaultward.config.policy import Policy
    from vaultward.contract.sdk import CheckContext

    scope = "okta:acme.okta.com"
    records = [
        make_identity(key="a", email="admin@x.io", scope=scope, source="okta", privileged=True),
        make_identity(key="m", email="maybe@x.io", scope=scope, source="okta", privileged=None),
        make_identity(key="o", email="other@x.io", privileged=None),  # its source never says
        _training("admin@x.io", "lure", 100),
        _training("maybe@x.io", "lure", 10),
    ]
    by_kind = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    gaps = {(scope, "identity"): {"privileged": "okta: GET /api/v1/users/m/roles: HTTP 403"}}
    results = {r.resource: r for r in lure_training_privileged(CheckContext(by_kind, Policy(), NOW, gaps))}
    assert {key: r.status for key, r in results.items()} == {
        "admin@x.io": "pass",
        "maybe@x.io": "unknown",
        "other@x.io": "skipped",  # its source never says who is privileged: not applicable
    }
    assert results["maybe@x.io"].reason == (
        "whether maybe@x.io is privileged is unknown: okta: GET /api/v1/users/m/roles: HTTP 403"
    )
