"""Collection to scores with the real AWS collectors against a moto server, on both stores.

The organisation is `seed_exact_organisation` (demo/): a management account
and three members reached through sts:AssumeRole. moto gaps it fills in moto's in-process
backends: root MFA, HSMs, access-key ages (see that module). Denials are injected with
botocore event hooks (tests/aws_faults.py) because moto does not enforce IAM.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from demo.organisation import DemoOrganisation, seed_exact_organisation
from tests.aws_faults import deny
from vaultward.config.settings import Settings, parse_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.store.models import CheckScore, Fact, Finding, MitigationScore, Run

REGISTRY = discover(entry_point_groups=False)


@pytest.fixture
def org(moto_endpoint: str) -> DemoOrganisation:
    organisation = seed_exact_organisation(moto_endpoint)
    assert organisation.backend_seeded, "root MFA, HSMs and key ages need moto's in-process backends"
    return organisation


def settings_for(org: DemoOrganisation) -> Settings:
    return parse_settings(org.settings_dict(discovery="accounts"))


def expected_findings(org: DemoOrganisation) -> dict[tuple[str, str], str]:
    mgmt, prod = org.management_account, org.accounts["production"]
    corp, custody = org.accounts["corporate"], org.accounts["custody"]
    r = org.resources
    user = "arn:aws:iam::{}:user/{}".format
    return {
        # root MFA: seeded on the management account only
        ("access.root_mfa", f"aws:{mgmt}"): "pass",
        ("access.root_mfa", f"aws:{prod}"): "fail",
        ("access.root_mfa", f"aws:{corp}"): "fail",
        ("access.root_mfa", f"aws:{custody}"): "fail",
        # password users: ops-admin and erin have no MFA; ci-deploy has no password
        ("access.console_user_mfa", user(mgmt, "ops-admin")): "fail",
        ("access.console_user_mfa", user(prod, "alice")): "pass",
        ("access.console_user_mfa", user(corp, "dave")): "pass",
        ("access.console_user_mfa", user(corp, "erin")): "fail",
        ("access.console_user_mfa", user(custody, "frank")): "pass",
        # administrators: ops-admin (inline *), alice (Admins group), dave (inline break-glass)
        ("access.privileged_user_mfa", user(mgmt, "ops-admin")): "fail",
        ("access.privileged_user_mfa", user(prod, "alice")): "pass",
        ("access.privileged_user_mfa", user(corp, "dave")): "pass",
        # ci-deploy's key: 200 days old, unused for 120
        ("access.access_key_age", user(prod, "ci-deploy") + "#access_key_1"): "fail",
        # administrators' factors: dave has a U2F key; alice a virtual device; ops-admin none
        ("access.privileged_phishing_resistant", user(corp, "dave")): "pass",
        ("access.privileged_phishing_resistant", user(prod, "alice")): "fail",
        ("access.privileged_phishing_resistant", user(mgmt, "ops-admin")): "fail",
        # people (IAM users carry no e-mail: one person each; ci-deploy is a machine)
        ("access.person_without_mfa", "identity:" + user(mgmt, "ops-admin")): "fail",
        ("access.person_without_mfa", "identity:" + user(prod, "alice")): "pass",
        ("access.person_without_mfa", "identity:" + user(corp, "dave")): "pass",
        ("access.person_without_mfa", "identity:" + user(corp, "erin")): "fail",
        ("access.person_without_mfa", "identity:" + user(custody, "frank")): "pass",
        # no wallet or transfer-policy source in this organisation: unknown, never a pass
        ("custody.multisig_threshold", "*"): "unknown",
        ("custody.safe_modules_allowlisted", "*"): "unknown",
        ("custody.transfer_policy_approvals", "*"): "unknown",
        ("custody.bitgo_policy_rules", "*"): "unknown",
        ("custody.signers_distinct_mfa_trained", "*"): "unknown",
        # IAM does not report MFA enforcement; no phishing simulations or enrolments either
        ("access.mfa_enforced", "*"): "unknown",
        ("training.phish_prone_bound", "*"): "unknown",
        ("training.overdue_enrolments", "*"): "unknown",
        # detection: no trail and no GuardDuty detector anywhere
        **{("detection.cloudtrail_logging", f"aws:{a}"): "fail" for a in (mgmt, prod, corp, custody)},
        **{
            ("detection.guardduty_enabled", f"aws:{a}/us-east-1:guardduty"): "fail"
            for a in (mgmt, prod, corp, custody)
        },
        ("custody.hsm_cluster_redundant", r["hsm:signing-hsm"]): "pass",
        ("custody.signing_keys_hsm_backed", r["kms:hot-wallet-signer"]): "pass",
        ("custody.signing_keys_hsm_backed", r["kms:imported-signer"]): "fail",
        # production VPCs: prod-core (tag/CIDR), and the custody account's two (by account)
        ("segmentation.no_admin_ports_from_internet", r["vpc:prod-core"]): "fail",
        ("segmentation.no_admin_ports_from_internet", r["vpc:signing"]): "pass",
        ("segmentation.no_admin_ports_from_internet", r["vpc:default:custody"]): "pass",
        # every other VPC, whatever its zone: only AWS's default groups (they admit themselves),
        # reported but not scored outside production
        **{
            ("segmentation.no_admin_ports_from_internet", r[f"vpc:{vpc}"]): "skipped"
            for vpc in ("vpn-hub", "office", "default:management", "default:production", "default:corporate")
        },
        ("segmentation.no_corporate_production_path", r["vpc:prod-core"]): "fail",
        ("segmentation.no_corporate_production_path", r["vpc:signing"]): "pass",
        ("segmentation.no_corporate_production_path", r["vpc:default:custody"]): "pass",
        # untagged default VPCs (172.31.0.0/16) of accounts not listed: no rule classifies them
        **{
            ("segmentation.no_corporate_production_path", r[f"vpc:default:{role}"]): "unknown"
            for role in ("management", "production", "corporate")
        },
        # the one production account (custody, by account id) shares OU Platform with corporate
        ("segmentation.production_accounts_own_ou", f"aws:{custody}"): "fail",
        # production ACLs: AWS's allow-all defaults fail; signing's default is locked by a
        # lower-numbered deny-all, and the HSM subnets' own ACL admits the signing subnet only
        ("segmentation.no_allow_all_nacls", r["acl:prod-core"]): "fail",
        ("segmentation.no_allow_all_nacls", r["acl:default:custody"]): "fail",
        ("segmentation.no_allow_all_nacls", r["acl:signing"]): "pass",
        ("segmentation.no_allow_all_nacls", r["acl:signing-hsm"]): "pass",
        # zone rules: no VPC of this organisation has rules that disagree (prod-core's tag and
        # CIDR both say production); the unclassified default VPCs have nothing to disagree about
        **{
            ("segmentation.zone_classification_consistent", r[f"vpc:{vpc}"]): "pass"
            for vpc in ("prod-core", "vpn-hub", "office", "signing", "default:custody")
        },
        **{
            ("segmentation.zone_classification_consistent", r[f"vpc:default:{role}"]): "skipped"
            for role in ("management", "production", "corporate")
        },
        # the HSM group admits itself and the configured signing subnet only
        ("segmentation.hsm_reachable_from_signing_only", r["hsm:signing-hsm"]): "pass",
        # no training source: unknown, never a pass
        ("training.awareness_recent", "training"): "unknown",
        ("training.lure_training_privileged", "training"): "unknown",
        # no phishing simulations: no data, and each administrator not known to resist them
        ("training.phish_prone_trend", "*"): "unknown",
        ("training.repeat_clickers", "*"): "unknown",
        **{
            ("training.privileged_clicked_latest", "identity:" + user(a, name)): "unknown"
            for a, name in ((mgmt, "ops-admin"), (prod, "alice"), (corp, "dave"))
        },
        # --- not applicable, reported (nothing vanishes, issue 15) -------------------------
        # ci-deploy has no password (no sign-in) and is a machine, so no person either
        ("access.console_user_mfa", user(prod, "ci-deploy")): "skipped",
        ("access.person_without_mfa", "machine:" + user(prod, "ci-deploy")): "skipped",
        ("training.awareness_recent", "machine:" + user(prod, "ci-deploy")): "skipped",
        ("training.lure_training_privileged", "machine:" + user(prod, "ci-deploy")): "skipped",
        # IAM does not report MFA enforcement (the "*" unknown: nothing to judge), and
        # ci-deploy cannot sign in
        **{
            ("access.mfa_enforced", user(a, name)): "skipped"
            for a, name in (
                (mgmt, "ops-admin"),
                (prod, "alice"),
                (prod, "ci-deploy"),
                (corp, "dave"),
                (corp, "erin"),
                (custody, "frank"),
            )
        },
        # not privileged: erin, frank and ci-deploy (in both privileged checks and lure training)
        **{
            (check, user(a, name)): "skipped"
            for check in ("access.privileged_user_mfa", "access.privileged_phishing_resistant")
            for a, name in ((corp, "erin"), (custody, "frank"), (prod, "ci-deploy"))
        },
        # privileged machine credentials: ci-deploy, the only machine (no password, no MFA
        # device, only keys), holds no administrator rights; the others are people's. Nothing
        # is judged: unknown, as a check without data is.
        ("access.privileged_machine_credentials", "*"): "unknown",
        **{
            ("access.privileged_machine_credentials", user(a, name)): "skipped"
            for a, name in (
                (mgmt, "ops-admin"),
                (prod, "alice"),
                (prod, "ci-deploy"),
                (corp, "dave"),
                (corp, "erin"),
                (custody, "frank"),
            )
        },
        **{
            (check, "identity:" + user(a, name)): "skipped"
            for check in ("training.lure_training_privileged", "training.privileged_clicked_latest")
            for a, name in ((corp, "erin"), (custody, "frank"))
        },
        ("training.privileged_clicked_latest", "machine:" + user(prod, "ci-deploy")): "skipped",
        # endpoints: no device source and no identity provider's sign-in log; the three
        # administrators are unknown in both person-level checks, never a pass
        **{
            (check, "identity:" + user(a, name)): "unknown"
            for check in ("access.signer_devices", "access.account_takeover_signals")
            for a, name in ((mgmt, "ops-admin"), (prod, "alice"), (corp, "dave"))
        },
        **{
            ("access.account_takeover_signals", "identity:" + user(a, name)): "skipped"
            for a, name in ((corp, "erin"), (custody, "frank"))
        },
        ("access.account_takeover_signals", "machine:" + user(prod, "ci-deploy")): "skipped",
        ("detection.edr_coverage", "*"): "unknown",  # no data
        # backup-encryption is an ENCRYPT_DECRYPT key, not a signing key
        ("custody.signing_keys_hsm_backed", r["kms:backup-encryption"]): "skipped",
        # ACLs of VPCs that are not production (corporate or unclassified)
        **{
            ("segmentation.no_allow_all_nacls", r[f"acl:{vpc}"]): "skipped"
            for vpc in ("vpn-hub", "office", "default:management", "default:production", "default:corporate")
        },
        # corporate VPCs: the far end of the paths judged at production VPCs
        ("segmentation.no_corporate_production_path", r["vpc:vpn-hub"]): "skipped",
        ("segmentation.no_corporate_production_path", r["vpc:office"]): "skipped",
        # only the production account (custody) is judged for its OU
        **{("segmentation.production_accounts_own_ou", f"aws:{a}"): "skipped" for a in (mgmt, prod, corp)},
    }


def stored(engine, evaluation_id: int) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.evaluation_id == evaluation_id)).all()
    return {(f.check_id, f.resource): f.status for f in rows}


def test_exact_findings_and_scores(engine, org):
    settings = settings_for(org)
    outcomes = collect(settings, engine, REGISTRY)
    # 4 accounts x 4 per-account sources, and the organisation once (from the management account)
    assert len(outcomes) == 17 and {o.status for o in outcomes} == {"ok"}
    summary = evaluate(settings, engine, REGISTRY)

    assert stored(engine, summary.evaluation_id) == expected_findings(org)
    with Session(engine) as session:
        checks = {
            c.check_id: c.score
            for c in session.exec(select(CheckScore).where(CheckScore.evaluation_id == summary.evaluation_id))
        }
        mitigations = {
            m.mitigation: (m.score, m.measured)
            for m in session.exec(
                select(MitigationScore).where(MitigationScore.evaluation_id == summary.evaluation_id)
            )
        }
    assert checks == pytest.approx(
        {
            "access.root_mfa": 25.0,  # 1 of 4
            "access.console_user_mfa": 60.0,  # 3 of 5
            "access.privileged_user_mfa": 200 / 3,  # 2 of 3
            "access.access_key_age": 0.0,  # 0 of 1
            "access.privileged_phishing_resistant": 100 / 3,  # 1 of 3
            "access.person_without_mfa": 60.0,  # 3 of 5
            "access.privileged_machine_credentials": 0.0,  # nothing to judge
            "custody.multisig_threshold": 0.0,  # no data
            "custody.safe_modules_allowlisted": 0.0,
            "custody.transfer_policy_approvals": 0.0,
            "custody.bitgo_policy_rules": 0.0,
            "custody.signers_distinct_mfa_trained": 0.0,
            "access.mfa_enforced": 0.0,  # no data
            "training.phish_prone_bound": 0.0,
            "training.overdue_enrolments": 0.0,
            "detection.cloudtrail_logging": 0.0,
            "detection.guardduty_enabled": 0.0,
            "custody.hsm_cluster_redundant": 100.0,
            "custody.signing_keys_hsm_backed": 50.0,
            # 2 of 3 production VPCs; the 5 clean VPCs elsewhere are reported, not scored
            "segmentation.no_admin_ports_from_internet": 200 / 3,
            "segmentation.no_corporate_production_path": 100 / 3,  # 2 of 3 production pass, 3 unknown
            "segmentation.production_accounts_own_ou": 0.0,  # 0 of 1
            "segmentation.no_allow_all_nacls": 50.0,  # 2 of 4
            "segmentation.hsm_reachable_from_signing_only": 100.0,
            "segmentation.zone_classification_consistent": 100.0,  # 5 of 5 classified VPCs
            "training.awareness_recent": 0.0,
            "training.lure_training_privileged": 0.0,
            "training.phish_prone_trend": 0.0,
            "training.repeat_clickers": 0.0,
            "training.privileged_clicked_latest": 0.0,
            "access.signer_devices": 0.0,  # 3 unknown
            "access.account_takeover_signals": 0.0,  # 3 unknown
            "detection.edr_coverage": 0.0,  # no data
        }
    )
    # weights: root 3, console 2, privileged 3, keys 1, phishing-resistant 2, people 2, enforced 2,
    # privileged machines 2, signer devices 3, takeover signals 3; HSM 2, signing keys 3, multisig 3, modules 2, transfer policy 3,
    # BitGo rules 3, signers 3; segmentation: admin ports 3, corporate path 3, ACLs 1, HSM
    # reachability 2, OU 2, zone rules 2
    access = (
        25 * 3 + 60 * 2 + 200 / 3 * 3 + 0 * 1 + 100 / 3 * 2 + 60 * 2 + 0 * 2 + 0 * 2 + 0 * 3 + 0 * 3
    ) / 23
    custody = (100 * 2 + 50 * 3 + 0 * 3 + 0 * 2 + 0 * 3 + 0 * 3 + 0 * 3) / 19
    segmentation = (200 / 3 * 3 + 100 / 3 * 3 + 50 * 1 + 100 * 2 + 0 * 2 + 100 * 2) / 13
    assert mitigations["access"] == (pytest.approx(access), True)
    assert mitigations["custody"] == (pytest.approx(custody), True)
    assert mitigations["segmentation"] == (pytest.approx(segmentation), True)
    assert mitigations["training"] == (0.0, False)
    assert mitigations["detection"] == (0.0, True)  # measured: every account fails
    assert summary.overall == pytest.approx((access + custody + segmentation + 0 + 0) / 5)
    assert summary.band == "critical"  # (25.29 + 18.42 + 57.69 + 0 + 0) / 5 = 20.28


def test_denied_account_fails_its_runs_and_keeps_earlier_facts(engine, org, monkeypatch):
    settings = settings_for(org)
    corporate = org.accounts["corporate"]
    first_outcomes = collect(settings, engine, REGISTRY)

    role = org.role_arn(corporate)
    deny(monkeypatch, "before-call.sts.AssumeRole", lambda params: params.get("RoleArn") == role)
    outcomes = collect(settings, engine, REGISTRY)

    failed = {o.scope: o.error for o in outcomes if o.status == "failed"}
    assert set(failed) == {f"aws:{corporate}", f"aws:{corporate}/us-east-1"}
    for error in failed.values():
        assert f"sts:AssumeRole into {role} failed: AccessDenied" in error
    assert all(o.status == "ok" for o in outcomes if o.scope not in failed)
    # the other accounts' facts of this second collection landed, as many as the first time
    first = {o.scope: o.items for o in first_outcomes}
    landed = {o.scope: o.items for o in outcomes if o.status == "ok"}
    assert landed == {scope: items for scope, items in first.items() if scope not in failed}
    assert sum(landed.values()) > 0
    with Session(engine) as session:
        for outcome in outcomes:
            if outcome.status == "ok":
                stored_facts = session.exec(select(Fact.key).where(Fact.run_id == outcome.run_id)).all()
                assert len(stored_facts) == outcome.items

    with Session(engine) as session:
        corporate_runs = session.exec(
            select(Run).where(Run.scope == f"aws:{corporate}").order_by(Run.id)  # type: ignore[arg-type]
        ).all()
        assert [r.status for r in corporate_runs] == ["ok", "failed"]
        earlier_facts = session.exec(select(Fact.key).where(Fact.run_id == corporate_runs[0].id)).all()
    assert f"arn:aws:iam::{corporate}:user/erin" in earlier_facts

    # The corporate account still counts, from its last successful collection.
    summary = evaluate(settings, engine, REGISTRY)
    assert stored(engine, summary.evaluation_id) == expected_findings(org)


def test_account_that_never_collected_is_unknown(engine, org, monkeypatch):
    settings = settings_for(org)
    corporate = org.accounts["corporate"]
    role = org.role_arn(corporate)
    deny(monkeypatch, "before-call.sts.AssumeRole", lambda params: params.get("RoleArn") == role)
    collect(settings, engine, REGISTRY)
    summary = evaluate(settings, engine, REGISTRY)

    with Session(engine) as session:
        finding = session.exec(
            select(Finding).where(
                Finding.evaluation_id == summary.evaluation_id,
                Finding.check_id == "access.root_mfa",
                Finding.resource == f"aws:{corporate}",
            )
        ).one()
    assert finding.status == "unknown"
    assert finding.message.startswith(f"no successful collection from aws_iam for aws:{corporate}: ")
    assert "AccessDenied" in finding.message
