"""Every built-in check through what the evaluation adds around it: no data is unknown, stale
facts turn its pass and fail unknown, a live waiver takes a failing finding out of the score
and an expired one stops counting. Each check has an example below with a pass and a fail;
a new check needs one (the first test says so)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import (
    NOW,
    acl_entry,
    ingress,
    make_access_key,
    make_account,
    make_bitgo_wallet,
    make_conflicted_vpc,
    make_device,
    make_edr_device,
    make_hsm_cluster,
    make_identity,
    make_network_acl,
    make_org_account,
    make_path,
    make_phishing_result,
    make_phishing_test,
    make_signin_event,
    make_signin_log,
    make_signing_key,
    make_training_record,
    make_transfer_rule,
    make_vpc,
    make_wallet,
    zone_rule,
)
from vaultward.config.policy import Policy
from vaultward.contract.records import PhishProne, PortRange, Record, ThreatDetector, Trail, TrainingRecord
from vaultward.contract.testing import evaluate_check
from vaultward.pipeline.registry import discover
from vaultward.store.models import Waiver

BUILTIN = {i: s for i, s in discover(entry_point_groups=False).checks.items() if s.origin == "builtin"}


def _people(**fields) -> list[Record]:
    return [make_identity(key=f"{n}@x.io", email=f"{n}@x.io", **fields) for n in ("good", "bad")]


def _enrolment(key: str, status: str, due_days: int) -> TrainingRecord:
    return TrainingRecord(
        key=key, source="knowbe4", person="a@x.io", module="Awareness", category="awareness",
        status=status, due_at=NOW + timedelta(days=due_days),
    )  # fmt: skip


def _trail(account: str, logging: bool) -> Trail:
    return Trail(key=f"trail:{account}", name="main", account=account, multi_region=True, logging=logging)


NO_MFA = {"mfa_enrolled": False, "factor_kinds": []}
FIVE_YEARS = {"created_at": NOW - timedelta(days=200), "last_used_at": NOW - timedelta(days=120)}

# check id -> records on which the check passes at least one resource and fails another
EXAMPLES: dict[str, list[Record]] = {
    "access.root_mfa": [make_account(), make_account(root_mfa_enabled=False)],
    "access.console_user_mfa": [make_identity(), make_identity(**NO_MFA)],
    "access.privileged_user_mfa": [make_identity(privileged=True), make_identity(privileged=True, **NO_MFA)],
    "access.access_key_age": [make_access_key(), make_access_key(**FIVE_YEARS)],
    "access.privileged_phishing_resistant": [
        make_identity(privileged=True, factor_kinds=["u2f"]),
        make_identity(privileged=True, factor_kinds=["sms"]),
    ],
    "access.privileged_machine_credentials": [
        make_identity(
            key="svc-scoped", person=False, privileged=True, full_admin=False, console_access=False
        ),
        make_access_key(identity="svc-scoped"),
        make_identity(key="svc-admin", person=False, privileged=True, full_admin=True, console_access=False),
    ],
    "access.person_without_mfa": [
        make_identity(key="okta:1", source="okta", email="a@x.io"),
        make_identity(key="okta:2", source="okta", email="b@x.io", **NO_MFA),
    ],
    "access.mfa_enforced": [
        make_identity(key="okta:1", source="okta", mfa_enforced=True),
        make_identity(key="okta:2", source="okta", mfa_enforced=False),
    ],
    "custody.hsm_cluster_redundant": [
        make_hsm_cluster(),
        make_hsm_cluster(hsm_count=1, active_hsm_count=1, availability_zones=["us-east-1a"]),
    ],
    "custody.signing_keys_hsm_backed": [make_signing_key(), make_signing_key(origin="EXTERNAL")],
    "custody.multisig_threshold": [make_wallet(), make_wallet(threshold=1)],
    "custody.safe_modules_allowlisted": [make_wallet(), make_wallet(modules=["0xbadc0de"])],
    "custody.transfer_policy_approvals": [make_transfer_rule(), make_transfer_rule(approvals_required=1)],
    "custody.bitgo_policy_rules": [
        make_bitgo_wallet(key="bitgo:hot"),
        *[
            make_transfer_rule(
                provider="bitgo",
                wallet="bitgo:hot",
                rule_kind=kind,
                approvals_required=None,
                initiator_can_approve=None,
            )
            for kind in ("advancedWhitelist", "velocityLimit")
        ],
        make_bitgo_wallet(key="bitgo:cold"),
    ],  # fmt: skip
    "custody.signers_distinct_mfa_trained": [
        make_wallet(key="safe:good", signers=["0xa", "0xb"]),
        make_wallet(key="safe:bad", signers=["0xa", "0xc"]),
        *[
            make_identity(key=f"okta:{n}", source="okta", email=f"{n}@x.io", factor_kinds=[factor])
            for n, factor in (("a", "webauthn"), ("b", "passkey"), ("c", "sms"))
        ],
        *[make_training_record(f"{n}@x.io", "lure", 30) for n in "abc"],
    ],
    "segmentation.no_admin_ports_from_internet": [
        make_vpc(key="vpc-a"),
        make_vpc(key="vpc-b"),
        make_path(vpcs=["vpc-b"], ports=[PortRange(protocol="tcp", from_port=22, to_port=22)]),
    ],
    "segmentation.no_corporate_production_path": [
        make_vpc(key="vpc-a"),
        make_vpc(key="vpc-b"),
        make_vpc(key="vpc-corp", zone="corporate"),
        make_path(
            path_kind="vpc_peering",
            from_zone="corporate",
            to_zone="production",
            from_ref="vpc-corp",
            to_ref="vpc-b",
            vpcs=["vpc-corp", "vpc-b"],
            ports=[],
        ),  # fmt: skip
    ],
    "training.awareness_recent": [
        *_people(),
        make_training_record("good@x.io", "awareness", 30),
        make_training_record("bad@x.io", "awareness", 400),
    ],
    "training.lure_training_privileged": [
        *_people(privileged=True),
        make_training_record("good@x.io", "lure", 30),
        make_training_record("bad@x.io", "lure", 200),
    ],
    "training.phish_prone_bound": [
        PhishProne(key="k:1", source="knowbe4", person="a@x.io", percentage=2.5),
        PhishProne(key="k:2", source="knowbe4", person="b@x.io", percentage=40.0),
    ],
    "training.phish_prone_trend": [
        first := make_phishing_test(1, 60),
        latest := make_phishing_test(2, 30),
        make_phishing_result(first, "a@x.io", "clicked"),  # 1 of 2: over the 5 % bound
        make_phishing_result(first, "b@x.io"),
        make_phishing_result(latest, "a@x.io"),  # 0 %, down
        make_phishing_result(latest, "b@x.io"),
    ],
    "training.repeat_clickers": [
        first,
        latest,
        make_phishing_result(first, "good@x.io"),
        make_phishing_result(latest, "good@x.io", reported=True),
        make_phishing_result(first, "bad@x.io", "clicked"),
        make_phishing_result(latest, "bad@x.io", "replied"),
    ],
    "training.privileged_clicked_latest": [
        *_people(privileged=True),
        latest,
        make_phishing_result(latest, "good@x.io"),
        make_phishing_result(latest, "bad@x.io", "data_entered"),
    ],
    "training.overdue_enrolments": [
        _enrolment("open", "not_started", 10),
        _enrolment("late", "past_due", -3),
    ],
    "segmentation.no_allow_all_nacls": [
        make_vpc(key="vpc-a"),
        make_network_acl(vpc_id="vpc-a"),
        make_network_acl(
            vpc_id="vpc-a",
            default=False,
            entries=[
                acl_entry(100, "allow", "0.0.0.0/0", "6", (443, 443)),
                acl_entry(32767, "deny", "0.0.0.0/0"),
            ],
        ),
    ],  # fmt: skip
    "segmentation.hsm_reachable_from_signing_only": [
        make_hsm_cluster(security_group="sg-0aaaaaaaaaaaaaaa1", ingress=[ingress("10.40.8.0/24")]),
        make_hsm_cluster(security_group="sg-0aaaaaaaaaaaaaaa2", ingress=[ingress("0.0.0.0/0")]),
    ],
    "segmentation.production_accounts_own_ou": [
        make_org_account("Root/Prod", account_id="111111111111"),
        make_org_account("Root/Shared", account_id="222222222222"),
        make_org_account("Root/Shared", account_id="333333333333", zone="corporate"),
    ],
    "segmentation.zone_classification_consistent": [
        make_vpc(key="vpc-agree", classifications=[zone_rule("tag", "production", "tag Environment=prod")]),
        make_conflicted_vpc(key="vpc-conflict"),
    ],
    "detection.cloudtrail_logging": [
        make_account(account_id="111111111111"),
        make_account(account_id="222222222222"),
        _trail("111111111111", logging=True),
        _trail("222222222222", logging=False),
    ],
    "detection.guardduty_enabled": [
        ThreatDetector(key="on", account="1", region="us-east-1", detector_id="d1", enabled=True),
        ThreatDetector(key="off", account="1", region="eu-west-1", detector_id="d2", enabled=False),
    ],
    "detection.edr_coverage": [
        make_device(user="good@x.io", serial_number="G1"),
        make_edr_device("G1"),
        make_device(user="bad@x.io", serial_number="B1"),
        make_edr_device("B1", edr_running=False),
    ],
    "access.signer_devices": [
        *_people(privileged=True),
        make_device(user="good@x.io", serial_number="G1"),
        make_edr_device("G1"),
        make_device(user="bad@x.io", serial_number="B1", encrypted=False),
        make_edr_device("B1"),
    ],
    "access.account_takeover_signals": [
        *[
            make_identity(
                key=f"okta:{who}", source="okta", scope="okta:acme", email=f"{who}@x.io", privileged=True
            )
            for who in ("good", "bad")
        ],
        make_signin_log(),
        make_signin_event("good@x.io"),
        make_signin_event("bad@x.io", "factor_reset", 3),
    ],  # fmt: skip
}


# check id -> the policy its example needs (the default policy otherwise)
POLICIES: dict[str, Policy] = {
    "segmentation.hsm_reachable_from_signing_only": Policy.model_validate(
        {"custody": {"signing_cidrs": ["10.40.8.0/24"]}}
    ),
    "custody.signers_distinct_mfa_trained": Policy.model_validate(
        {"people": {"signers": {"0xa": "a@x.io", "0xb": "b@x.io", "0xc": "c@x.io"}}}
    ),
    "segmentation.production_accounts_own_ou": Policy.model_validate(
        {"zones": {"production_accounts": ["111111111111", "222222222222"]}}
    ),
}


def _waiver(check_id: str, resource: str, expires_in: timedelta) -> Waiver:
    return Waiver(
        id=1, check_id=check_id, resource_pattern=resource, reason="accepted until the migration",
        owner="ciso@x.io", created_at=NOW - timedelta(days=1), expires_at=NOW + expires_in,
    )  # fmt: skip


def _run(check_id: str, records: list[Record] | None = None, **kwargs):
    records = EXAMPLES[check_id] if records is None else records
    return evaluate_check(BUILTIN[check_id].function, records, POLICIES.get(check_id), NOW, **kwargs)


def test_every_built_in_check_has_an_example():
    assert sorted(EXAMPLES) == sorted(BUILTIN)


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
def test_the_example_passes_one_resource_and_fails_another(check_id):
    statuses = {result.status for result in _run(check_id)}
    assert {"pass", "fail"} <= statuses, statuses


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
def test_no_data_is_unknown(check_id):
    (result,) = _run(check_id, [])
    assert result.status == "unknown"
    # the evaluation says "no data" unless the check explains itself (training: no source)
    assert result.reason.startswith("no data: nothing of kind") or result.resource != "*", result.reason


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
def test_stale_facts_turn_pass_and_fail_unknown(check_id):
    fresh = {r.resource: r.status for r in _run(check_id)}
    stale = _run(check_id, stale=True)
    assert {r.status for r in stale} == {"unknown"}
    judged = {r.resource: r.evidence.get("status_if_fresh") for r in stale if fresh[r.resource] != "unknown"}
    assert judged == {resource: status for resource, status in fresh.items() if status != "unknown"}
    assert all("stale" in r.reason for r in stale if r.resource in judged)


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
def test_a_live_waiver_takes_the_failure_out_and_an_expired_one_does_not(check_id):
    failing = next(r.resource for r in _run(check_id) if r.status == "fail")
    waived = {r.resource: r for r in _run(check_id, waivers=[_waiver(check_id, failing, timedelta(days=30))])}
    assert waived[failing].status == "waived"
    assert waived[failing].evidence["status_if_not_waived"] == "fail"
    assert "pass" in {r.status for r in waived.values()}  # passes are never waived
    expired = {
        r.resource: r for r in _run(check_id, waivers=[_waiver(check_id, failing, -timedelta(days=1))])
    }
    assert expired[failing].status == "fail"
