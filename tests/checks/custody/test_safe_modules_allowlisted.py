from checks.custody.safe_modules_allowlisted import safe_modules_allowlisted
from tests.checks.run import run, statuses
from tests.factories import make_wallet
from vaultward.config.policy import CustodyPolicy, Policy


def test_modules_and_guards_outside_the_allow_list_fail():
    policy = Policy(
        custody=CustodyPolicy(allowed_safe_modules=["0xAllowed"], allowed_safe_guards=["0xguard"])
    )
    records = [
        make_wallet(key="clean"),
        make_wallet(key="allowed", modules=["0xallowed"], guard="0xGuard"),
        make_wallet(key="backdoor", modules=["0xallowed", "0xbadc0de"]),
        make_wallet(key="guarded", guard="0xother"),
        make_wallet(key="bitgo", provider="bitgo", modules=["x"]),
    ]
    assert statuses(safe_modules_allowlisted, records, policy=policy) == {
        "clean": "pass",
        "allowed": "pass",
        "backdoor": "fail",
        "guarded": "fail",
        "bitgo": "skipped",
    }
    reasons = {r.resource: r.reason for r in run(safe_modules_allowlisted, records, policy=policy)}
    assert reasons["backdoor"] == "not on the allow-list: module(s) 0xbadc0de"
