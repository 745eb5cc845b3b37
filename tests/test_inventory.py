"""The inventory views: people and custody objects assembled from records and findings."""

from collections import defaultdict

from tests.factories import (
    NOW,
    make_hsm_cluster,
    make_identity,
    make_signing_key,
    make_training_record,
    make_transfer_rule,
    make_wallet,
)
from vaultward.config.policy import PeopleRules, Policy
from vaultward.contract.records import Record
from vaultward.derived.inventory import Issue, custody_view, people_view
from vaultward.store.models import Finding

POLICY = Policy(
    people=PeopleRules(
        aliases={"arn:aws:iam::111111111111:user/al": "alice@x.io"},
        signers={"0xa1": "alice@x.io", "0xb1": "bob@x.io"},
    )
)


def by_kind(*records: Record) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        grouped[record.kind].append(record)
    return grouped


def finding(check_id: str, resource: str, status: str = "fail", message: str = "bad") -> Finding:
    return Finding(
        evaluation_id=1,
        check_id=check_id,
        mitigation=check_id.split(".")[0],
        severity="high",
        resource=resource,
        status=status,
        message=message,
    )


def identities() -> list[Record]:
    return [
        make_identity(key="okta:alice", source="okta", name="alice", email="alice@x.io",
                      privileged=True, admin_roles=["SUPER_ADMIN"], factor_kinds=["push", "webauthn"]),
        make_identity(key="arn:aws:iam::111111111111:user/al", name="al", privileged=False,
                      privileged_via=["AdministratorAccess"], factor_kinds=["virtual"]),
        make_identity(key="okta:bob", source="okta", name="bob", email="bob@x.io", mfa_enrolled=False,
                      factor_kinds=[]),
        make_identity(key="google:carol", source="google_workspace", email="carol@x.io",
                      mfa_enrolled=None, factor_kinds=[]),
        make_identity(key="okta:ci-deploy", source="okta", name="ci-deploy", email="ci-deploy@x.io"),
    ]  # fmt: skip


def test_people_have_their_identities_mfa_training_roles_and_open_findings():
    records = by_kind(
        *identities(),
        make_training_record("alice@x.io", "lure", days_ago=30),
        make_training_record("ALICE@x.io", "awareness", days_ago=100),
        make_training_record("alice@x.io", "awareness", days_ago=10, status="in_progress"),
        make_wallet(key="safe:eth:0xcold", name="cold", signers=["0xA1", "0xb1", "0xc1"]),
    )
    findings = [
        finding("access.console_user_mfa", "okta:bob"),
        finding("training.lure_training", "bob@x.io", "unknown", "no record"),
        finding("training.lure_training", "alice@x.io", "pass"),  # passing: not shown
        finding(
            "access.privileged_user_mfa", "arn:aws:iam::111111111111:user/al", "waived"
        ),  # waived: not open
    ]
    views = {view.id: view for view in people_view(records, POLICY, findings, NOW)}

    assert sorted(views) == ["alice@x.io", "bob@x.io", "carol@x.io", "machine:okta:ci-deploy"]
    alice = views["alice@x.io"]
    assert alice.identities == ("aws_iam: al", "okta: alice")  # by source
    assert alice.sources == ("aws_iam", "okta")
    assert (alice.mfa, alice.factor_kinds, alice.phishing_resistant) == (
        True,
        ("push", "virtual", "webauthn"),
        True,
    )
    assert alice.privileged is True
    assert alice.roles == ("AdministratorAccess", "SUPER_ADMIN")
    assert (NOW - alice.lure_at).days == 30 and (NOW - alice.awareness_at).days == 100  # in-progress ignored
    assert alice.signer_for == ("signer of cold",)
    assert alice.issues == ()

    bob = views["bob@x.io"]
    assert (bob.mfa, bob.phishing_resistant, bob.privileged) == (False, False, False)
    assert (bob.awareness_at, bob.lure_at, bob.training_measured) == (None, None, True)
    assert bob.signer_for == ("signer of cold",)
    assert bob.issues == (
        Issue("access.console_user_mfa", "fail", "high", "bad"),
        Issue("training.lure_training", "unknown", "high", "no record"),
    )

    carol = views["carol@x.io"]
    assert (carol.mfa, carol.phishing_resistant, carol.signer_for) == (None, None, ())
    assert views["machine:okta:ci-deploy"].machine is True


def test_training_is_unmeasured_without_a_training_source():
    views = people_view(by_kind(*identities()), POLICY, [], NOW)
    assert {view.training_measured for view in views} == {False}


def test_wallets_keys_and_clusters_with_signers_policy_tier_and_open_findings():
    rule = make_transfer_rule(
        key="fireblocks:tap:1", name="TAP 1", provider="fireblocks", approvers=["u-bob"]
    )
    records = by_kind(
        *identities(),
        make_wallet(key="safe:eth:0xcold", name="cold", signers=["0xA1", "0xb1", "0xc1"], threshold=2),
        make_wallet(key="fireblocks:vault:7", name="hot", provider="fireblocks", signers=[],
                    threshold=None, multisig_type="mpc", tags={}, value_usd=5_000,
                    scope="fireblocks:api.fireblocks.io"),
        # Fireblocks: a SIGNER holds an MPC key share and signs for every vault of the workspace
        make_identity(key="fireblocks:user:u-carol", source="fireblocks", email="carol@x.io",
                      scope="fireblocks:api.fireblocks.io", signing_role="SIGNER"),
        # BitGo: 2-of-3 keys whoever spends; an admin approves without spending
        make_wallet(key="bitgo:btc:1", name="btc-cold", provider="bitgo", multisig_type="onchain",
                    threshold=2, key_count=3, approvals_required=1, signers=["0xa1", "u-dan"],
                    signer_roles={"0xa1": ["spend"], "u-dan": ["admin"]}),
        make_wallet(key="safe:eth:0xmid", name="mid", tags={}, value_usd=None),
        rule,
        make_transfer_rule(key="fireblocks:tap:2", provider="fireblocks", active=False),
        make_signing_key(key="arn:key/1", name="signer-kms", origin="EXTERNAL"),
        make_signing_key(key="arn:key/2", key_usage="ENCRYPT_DECRYPT"),  # not a signing key
        make_hsm_cluster(key="cluster-1", active_hsm_count=1, availability_zones=["us-east-1a"]),
    )  # fmt: skip
    findings = [
        finding("custody.multisig_threshold", "safe:eth:0xcold"),
        finding("custody.signing_keys_hsm_backed", "arn:key/1"),
        finding("custody.hsm_cluster_redundant", "cluster-1", "unknown"),
        finding("custody.multisig_threshold", "safe:eth:0xmid", "pass"),
    ]
    views = {view.key: view for view in custody_view(records, POLICY, findings, NOW)}

    assert sorted(views) == [
        "arn:key/1",
        "bitgo:btc:1",
        "cluster-1",
        "fireblocks:vault:7",
        "safe:eth:0xcold",
        "safe:eth:0xmid",
    ]
    cold = views["safe:eth:0xcold"]
    assert (cold.kind, cold.threshold, cold.value_tier) == ("wallet", "2-of-3 owners", "high")
    assert cold.signers == (
        "alice@x.io (signer)",
        "bob@x.io (signer)",
        "0xc1 (signer; not tied to a person: add it to policy.people.signers)",
    )
    assert cold.hsm_backing == "safe multisig: each signer holds a key"
    assert cold.issues == (Issue("custody.multisig_threshold", "fail", "high", "bad"),)

    hot = views["fireblocks:vault:7"]
    assert (hot.threshold, hot.value_tier) == ("MPC: approvals in the transfer policy", "standard")
    assert hot.policy == ("TAP 1 (TRANSFER, 2 approvals)",)  # the inactive rule does not apply
    assert hot.signers == (
        "carol@x.io (SIGNER)",  # by role, though no rule names her
        "u-bob (approver; not tied to a person: add it to policy.people.signers)",
    )
    # m of BitGo's n keys, not of the people who spend (issue 16: never "2-of-1")
    bitgo = views["bitgo:btc:1"]
    assert bitgo.threshold == "2-of-3 keys; 1 approval of 1 admin"
    assert bitgo.signers == (
        "alice@x.io (spender)",
        "u-dan (admin; not tied to a person: add it to policy.people.signers)",
    )
    assert hot.hsm_backing == "MPC key shares held by fireblocks"
    assert views["safe:eth:0xmid"].value_tier == "unknown"
    assert views["safe:eth:0xmid"].issues == ()

    key = views["arn:key/1"]
    assert (key.kind, key.hsm_backing) == ("signing key", "not HSM-backed (origin EXTERNAL)")
    assert [issue.check_id for issue in key.issues] == ["custody.signing_keys_hsm_backed"]
    cluster = views["cluster-1"]
    assert (cluster.kind, cluster.hsm_backing) == ("HSM cluster", "ACTIVE: 1 of 2 HSMs active (us-east-1a)")
    assert [issue.status for issue in cluster.issues] == ["unknown"]
