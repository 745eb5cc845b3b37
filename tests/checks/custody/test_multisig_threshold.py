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
    assert reasons["1of2"] == "1-of-2 owners: one signer can move funds; 2 owners, need at least 3"
    assert reasons["3of3"] == "3-of-3 owners: every one is needed; one lost key locks the funds"
    assert reasons["2of5"] == "2-of-5 owners: below 3 (at least half)"
    assert reasons["2of3"] == "2-of-3 owners"


def bitgo_wallet(key: str, **fields):
    """A BitGo wallet as the mapper records it: m-of-n keys (user, backup, BitGo), the users
    who can spend or approve, and the admins' approvals."""
    values = {
        "provider": "bitgo",
        "multisig_type": "onchain",
        "threshold": 2,
        "key_count": 3,
        "signers": ["u-nadia"],
        "signer_roles": {"u-nadia": ["spend", "admin"]},
        "approvals_required": 1,
    }
    return make_wallet(key=key, **{**values, **fields})


def test_bitgo_threshold_is_m_of_its_keys_not_of_its_spenders():
    """BitGo documents `m` as the signatures required of `n` keys (2 of the user, backup and
    BitGo keys): one spender does not make a wallet 2-of-1 (issue 16)."""
    records = [
        bitgo_wallet("one-spender"),
        bitgo_wallet("no-spender", signers=[], signer_roles={}),
        bitgo_wallet("no-n", key_count=None),
        bitgo_wallet("1of1", threshold=1, key_count=1),
    ]
    results = {r.resource: r for r in run(multisig_threshold, records)}
    assert {key: r.status for key, r in results.items()} == {
        "one-spender": "pass",
        "no-spender": "pass",  # the keys are the chain's; who may use them is the signer checks'
        "no-n": "unknown",
        "1of1": "fail",
    }
    assert results["one-spender"].reason == "2-of-3 keys; 1 approval of 1 admin"
    assert results["one-spender"].evidence["keys"] == 3
    assert results["one-spender"].evidence["signers"] == 1
    assert results["no-n"].reason == "bitgo did not report its threshold and keys"
    assert results["1of1"].reason == ("1-of-1 keys: one signer can move funds; 1 keys, need at least 3")


def test_every_wallet_carries_its_quorum_and_value_tier_in_evidence():
    records = [
        make_wallet(key="low", threshold=1, signers=["a"], tags={"ValueTier": "low"}),
        make_wallet(key="mpc", provider="fireblocks", multisig_type="mpc", threshold=None, tags={}),
    ]
    evidence = {r.resource: r.evidence for r in run(multisig_threshold, records)}
    assert (evidence["low"]["quorum"], evidence["low"]["value_tier"]) == ("1-of-1 owners", "standard")
    assert (evidence["mpc"]["quorum"], evidence["mpc"]["value_tier"]) == (
        "MPC: approvals in the transfer policy",
        "unknown",
    )
