from checks.custody.multisig_threshold import multisig_threshold
from tests.checks.run import run, statuses
from tests.factories import make_wallet


def test_high_value_wallets_need_a_safe_m_of_n():
    records = [
        make_wallet(key="2of3", threshold=2, signers=["a", "b", "c"]),
        make_wallet(key="1of2", threshold=1, signers=["a", "b"]),
        make_wallet(key="3of3", threshold=3, signers=["a", "b", "c"]),
        make_wallet(key="2of5", threshold=2, signers=["a", "b", "c", "d", "e"]),
        make_wallet(key="low", threshold=1, signers=["a"], tags={"ValueTier": "low"}),
        make_wallet(key="untagged", threshold=1, signers=["a"], tags={"n": "3"}),  # not a value tier
        make_wallet(key="mpc", provider="fireblocks", multisig_type="mpc", threshold=None, signers=[]),
        make_wallet(key="silent", threshold=None, signers=[]),
        make_wallet(key="rich", threshold=2, signers=["a", "b", "c"], tags={}, value_usd=5_000_000),
    ]
    assert statuses(multisig_threshold, records) == {
        "2of3": "pass",
        "1of2": "fail",
        "3of3": "fail",
        "2of5": "fail",
        "untagged": "unknown",  # nothing tells whether it is high-value: never a silent pass
        "silent": "unknown",
        "rich": "pass",
        "low": "skipped",
        "mpc": "skipped",
    }
    reasons = {r.resource: r.reason for r in run(multisig_threshold, records)}
    assert reasons["1of2"] == "1-of-2: one signer can move funds; 2 signer(s), need at least 3"
    assert reasons["3of3"] == "3-of-3: every signer is needed; one lost key locks the funds"
    assert reasons["2of5"] == "2-of-5: below 3 (at least half of the signers)"
