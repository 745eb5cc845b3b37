from checks.custody.signers_distinct_mfa_trained import signers_distinct_mfa_trained
from tests.checks.run import run, statuses
from tests.factories import make_identity, make_training_record, make_transfer_rule, make_wallet
from vaultward.config.policy import PeopleRules, Policy

POLICY = Policy(
    people=PeopleRules(
        signers={
            "0xA1": "alice@x.io",
            "0xa2": "alice@x.io",  # a second key of alice's
            "0xb1": "bob@x.io",
            "0xc1": "carol@x.io",
            "0xe1": "erin@x.io",
            "0xf1": "frank@x.io",  # frank has no identity anywhere
        }
    )
)


def okta(email: str, *factors: str, **fields):
    return make_identity(
        key=f"okta:{email}", source="okta", email=email, factor_kinds=list(factors), **fields
    )


def people() -> list:
    return [
        okta("alice@x.io", "push", "webauthn"),
        okta("bob@x.io", "sms"),
        make_identity(key="google:bob", source="google_workspace", email="bob@x.io", factor_kinds=[]),
        make_identity(key="google:carol", source="google_workspace", email="carol@x.io", factor_kinds=[]),
        okta("erin@x.io", "passkey"),
        make_training_record("alice@x.io", days_ago=30),
        make_training_record("bob@x.io", days_ago=300),
        make_training_record("carol@x.io", days_ago=10),
        make_training_record("erin@x.io", days_ago=170),
        make_training_record("frank@x.io", days_ago=20),  # trained, but known to no identity source
    ]


def test_distinct_people_with_phishing_resistant_factors_and_lure_training_pass():
    records = [make_wallet(key="treasury", name="Treasury", signers=["0xa1", "0xe1"]), *people()]
    [result] = run(signers_distinct_mfa_trained, records, policy=POLICY)
    assert result.status == "pass"
    assert result.reason == (
        "2 signers, 2 distinct people, each with a phishing-resistant factor and lure training within 180 days"
    )
    assert result.evidence["signers"]["0xe1"]["factors"] == ["okta: passkey"]
    assert (result.resource_name, result.scope) == ("Treasury", "")  # every source's staleness applies


def test_each_problem_names_the_signer_and_what_is_wrong():
    records = [
        make_wallet(key="same-person", signers=["0xa1", "0xa2", "0xe1"]),
        make_wallet(key="bob", signers=["0xa1", "0xb1"]),
        *people(),
    ]
    results = {r.resource: r for r in run(signers_distinct_mfa_trained, records, policy=POLICY)}
    assert {k: r.status for k, r in results.items()} == {
        "same-person": "fail",
        "bob": "fail",
    }
    assert results["same-person"].reason == "signers 0xa1, 0xa2 are one person (alice@x.io)"
    # google does not say which factor bob uses: that cannot turn okta's SMS into a security key
    assert results["bob"].reason == (
        "signer 0xb1 (bob@x.io): no phishing-resistant factor (okta: sms) and lure training last passed 300 days ago"
    )
    assert results["bob"].evidence["signers"]["0xb1"]["factors"] == [
        "google_workspace: does not say",
        "okta: sms",
    ]
    assert results["bob"].evidence["people"] == 2


def test_expired_lure_training_fails_at_the_configured_age():
    from tests.factories import NOW

    records = [make_wallet(key="w", signers=["0xa1", "0xe1"]), *people()]
    strict = POLICY.model_copy(
        update={"training": POLICY.training.model_copy(update={"lure_training_max_age_days": 90})}
    )
    [result] = run(signers_distinct_mfa_trained, records, policy=strict, now=NOW)
    assert (result.status, result.reason) == (
        "fail",
        "signer 0xe1 (erin@x.io): lure training last passed 170 days ago",
    )


def test_what_cannot_be_tied_to_a_person_or_judged_is_unknown():
    records = [
        make_wallet(key="unmapped", signers=["0xa1", "0x99"]),
        make_wallet(key="factors-unsaid", signers=["0xa1", "0xc1"]),
        make_wallet(key="no-identity", signers=["0xa1", "0xf1"]),
        make_wallet(key="empty", signers=[]),
        # an unknown signer does not hide a definite problem
        make_wallet(key="bob-and-unmapped", signers=["0xb1", "0x99"]),
        *people(),
    ]
    results = {r.resource: r for r in run(signers_distinct_mfa_trained, records, policy=POLICY)}
    assert {k: r.status for k, r in results.items()} == {
        "unmapped": "unknown",
        "factors-unsaid": "unknown",
        "no-identity": "unknown",
        "empty": "unknown",
        "bob-and-unmapped": "fail",
    }
    assert results["unmapped"].reason == "signer 0x99: not tied to a person: add it to policy.people.signers"
    assert results["factors-unsaid"].reason == (
        "signer 0xc1 (carol@x.io): no source says which factors they use (google_workspace: does not say)"
    )
    assert results["no-identity"].reason == (
        "signer 0xf1 (frank@x.io): no active identity in any source: their factors cannot be judged"
    )
    assert results["empty"].reason == "safe reported no signers or approvers for this wallet"
    assert results["bob-and-unmapped"].reason.endswith(
        "; signer 0x99: not tied to a person: add it to policy.people.signers"
    )


def test_no_training_source_is_unknown_never_a_pass():
    records = [make_wallet(key="w", signers=["0xa1", "0xe1"]), *[r for r in people() if r.kind == "identity"]]
    [result] = run(signers_distinct_mfa_trained, records, policy=POLICY)
    assert result.status == "unknown"
    assert "no training source is connected" in result.reason


def test_fireblocks_approvers_resolve_through_the_vendor_identities():
    vault = make_wallet(
        key="fireblocks:vault:0", provider="fireblocks", multisig_type="mpc", threshold=None, signers=[]
    )
    records = [
        vault,
        make_transfer_rule(wallet="fireblocks:vault:0", approvers=["u-alice", "u-erin"]),
        make_transfer_rule(wallet="", approvers=["u-alice"]),  # applies to every vault
        make_transfer_rule(wallet="fireblocks:vault:9", approvers=["u-bob"]),  # another vault's
        make_transfer_rule(wallet="", approvers=["u-bot"], active=False),
        make_identity(
            key="fireblocks:user:u-alice",
            source="fireblocks",
            email="alice@x.io",
            mfa_enrolled=None,
            factor_kinds=[],
        ),
        make_identity(
            key="fireblocks:user:u-erin",
            source="fireblocks",
            email="erin@x.io",
            mfa_enrolled=None,
            factor_kinds=[],
        ),
        make_identity(
            key="fireblocks:user:u-bob",
            source="fireblocks",
            email="bob@x.io",
            mfa_enrolled=None,
            factor_kinds=[],
        ),
        *people(),
    ]
    results = run(signers_distinct_mfa_trained, records, policy=Policy())
    assert [(r.resource, r.status) for r in results] == [("fireblocks:vault:0", "pass")]
    assert set(results[0].evidence["signers"]) == {"u-alice", "u-erin"}

    records.append(make_transfer_rule(wallet="", approvers=["u-bot"]))
    records.append(make_identity(key="fireblocks:user:u-bot", source="fireblocks", email="ops-bot@x.io"))
    [result] = run(signers_distinct_mfa_trained, records, policy=Policy())
    assert (result.status, result.reason) == (
        "unknown",
        "signer u-bot: the machine account ops-bot@x.io, not a person",
    )


def test_every_wallet_is_judged_once():
    records = [make_wallet(key="a", signers=["0xa1"]), make_wallet(key="b", signers=["0xe1"]), *people()]
    assert statuses(signers_distinct_mfa_trained, records, policy=POLICY) == {"a": "pass", "b": "pass"}
