from checks.custody.transfer_policy_approvals import transfer_policy_approvals
from tests.checks.run import run, statuses
from tests.factories import make_transfer_rule


def test_high_value_rules_need_two_independent_approvals_to_allow_listed_addresses():
    records = [
        make_transfer_rule(key="good"),
        make_transfer_rule(key="one", approvals_required=1),
        make_transfer_rule(key="self", initiator_can_approve=True),
        make_transfer_rule(key="anywhere", destinations_allowlisted=False),
        make_transfer_rule(key="small", approvals_required=0, amount_to_usd=1000),
        make_transfer_rule(key="block", approvals_required=None, initiator_can_approve=None),
        make_transfer_rule(key="inactive", active=False, approvals_required=0),
        make_transfer_rule(key="unclear", initiator_can_approve=None, approvals_required=3),
    ]
    assert statuses(transfer_policy_approvals, records) == {
        "good": "pass",
        "one": "fail",
        "self": "fail",
        "anywhere": "fail",
        "unclear": "fail",
        "block": "skipped",
        "inactive": "skipped",
        "small": "skipped",
    }
    reasons = {r.resource: r.reason for r in run(transfer_policy_approvals, records)}
    assert reasons["self"] == "the initiator may approve their own transfer"
    assert reasons["unclear"] == "whether the initiator may approve is unknown"
