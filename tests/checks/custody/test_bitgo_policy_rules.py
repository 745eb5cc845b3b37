from checks.custody.bitgo_policy_rules import bitgo_policy_rules
from tests.checks.run import run, statuses
from tests.factories import make_bitgo_wallet, make_transfer_rule, make_wallet


def rules_for(wallet_key: str, *kinds: str, **fields) -> list:
    return [
        make_transfer_rule(
            key=f"{wallet_key}:rule:{kind}",
            name=kind,
            provider="bitgo",
            wallet=wallet_key,
            rule_kind=kind,
            approvals_required=None,
            initiator_can_approve=None,
            destinations_allowlisted=True if "hitelist" in kind else None,
            **fields,
        )
        for kind in kinds
    ]


def test_approvals_whitelist_and_velocity_limit_pass():
    wallet = make_bitgo_wallet(key="good")
    records = [wallet, *rules_for("good", "advancedWhitelist", "velocityLimit")]
    [result] = run(bitgo_policy_rules, records)
    assert result.status == "pass"
    assert result.reason == "2 admin approval(s), whitelist advancedWhitelist, velocity limit velocityLimit"
    # the legacy whitelist rule counts too; a low-value wallet needs one approval
    low = make_bitgo_wallet(key="low", tags={"approvals_required": "1", "ValueTier": "low"})
    records = [low, *rules_for("low", "coinAddressWhitelist", "velocityLimit")]
    assert statuses(bitgo_policy_rules, records) == {"low": "pass"}


def test_missing_rules_and_approvals_fail_naming_what_is_missing():
    records = [
        make_bitgo_wallet(key="one-approval", tags={"approvals_required": "1"}),
        *rules_for("one-approval", "advancedWhitelist", "velocityLimit"),
        make_bitgo_wallet(key="no-whitelist"),
        *rules_for("no-whitelist", "velocityLimit", "coinAddressBlacklist"),
        make_bitgo_wallet(key="no-velocity"),
        *rules_for("no-velocity", "advancedWhitelist", "allTx"),
        make_bitgo_wallet(key="bare", tags={"approvals_required": "1", "policy_rules": "0"}),
        # rules of another wallet, and a rule no longer in force, do not count
        make_bitgo_wallet(key="borrowed"),
        *rules_for("one-approval-elsewhere", "advancedWhitelist"),
        *rules_for("borrowed", "velocityLimit"),
        *rules_for("borrowed", "advancedWhitelist", active=False),
    ]
    results = {r.resource: r for r in run(bitgo_policy_rules, records)}
    assert {k: r.status for k, r in results.items()} == {
        "one-approval": "fail",
        "no-whitelist": "fail",
        "no-velocity": "fail",
        "bare": "fail",
        "borrowed": "fail",
    }
    assert results["one-approval"].reason == "1 admin approval(s) required, need 2 for a high-value wallet"
    assert results["no-whitelist"].reason == "no address whitelist rule"
    assert results["no-velocity"].reason == "no velocity-limit rule"
    assert results["bare"].reason == (
        "1 admin approval(s) required, need 2 for a high-value wallet; no address whitelist rule; "
        "no velocity-limit rule"
    )
    assert results["borrowed"].reason == "no address whitelist rule"
    assert results["borrowed"].evidence["velocity_rules"] == ["velocityLimit"]


def test_unreadable_policy_or_unknown_value_is_unknown_never_a_pass():
    records = [
        make_bitgo_wallet(key="hidden", tags={"policy_rules": ""}),
        make_bitgo_wallet(key="untiered", tags={"approvals_required": "1", "ValueTier": None}),
        *rules_for("untiered", "advancedWhitelist", "velocityLimit"),
        make_bitgo_wallet(key="silent", tags={"approvals_required": ""}),
        *rules_for("silent", "advancedWhitelist", "velocityLimit"),
        # an untiered wallet that fails anyway says both
        make_bitgo_wallet(
            key="untiered-bare", tags={"approvals_required": "1", "ValueTier": None, "policy_rules": "0"}
        ),
        make_wallet(key="a-safe"),  # not BitGo: not this check's
    ]
    results = {r.resource: r for r in run(bitgo_policy_rules, records)}
    assert {k: r.status for k, r in results.items()} == {
        "hidden": "unknown",
        "untiered": "unknown",
        "silent": "unknown",
        "untiered-bare": "fail",
        "a-safe": "skipped",
    }
    assert results["hidden"].reason == "BitGo did not return this wallet's policy (admin.policy.rules)"
    doubt = (
        "1 admin approval required: a high-value wallet needs 2, and whether this one is "
        "high-value is unknown: neither a value nor a value tier tells whether this wallet is high-value"
    )
    assert results["untiered"].reason == doubt
    assert results["silent"].reason == "BitGo did not report how many approvals are required"
    assert results["untiered-bare"].reason == f"no address whitelist rule; no velocity-limit rule; {doubt}"


def test_a_wallet_of_another_vendor_is_not_applicable():
    # Only not-applicable findings: the evaluation adds an unknown "nothing to judge".
    [result] = run(bitgo_policy_rules, [make_wallet()])
    assert (result.status, result.reason) == ("skipped", "a safe wallet: BitGo policy rules do not apply")
