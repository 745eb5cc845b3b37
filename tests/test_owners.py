"""Owners under [policy.owners]: resolved at evaluation (check, then the finding's account by
id, name or tag, then mitigation, then default), stored with each check's score, read back by
Fix first; bad owner configuration named where it is wrong."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import make_account, make_identity
from tests.fake_collectors import registry_with
from vaultward.config.owners import OwnerRules
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import OrgAccount
from vaultward.derived.owners import Owners, finding_account
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.read.actions import fix_first
from vaultward.store.models import CheckScore, Evaluation

PROD, CORP, LOOSE = "111111111111", "222222222222", "333333333333"


def org_account(account_id: str, name: str, tags: dict[str, str] | None) -> OrgAccount:
    return OrgAccount(
        key=f"aws:{account_id}", name=name, scope="aws:999999999999", account_id=account_id,
        parent_id="r-1", ou_ids=["r-1"], ou_path="Root", tags=tags,
    )  # fmt: skip


def test_finding_account_from_the_resource_then_the_evidence_then_the_scope():
    assert finding_account(f"aws:{PROD}/us-east-1", "sg-1") == PROD
    assert finding_account(f"aws:{PROD}", "x") == PROD
    assert finding_account("okta:acme", f"arn:aws:iam::{CORP}:user/bob") == CORP
    assert finding_account("safe:eth", "0xabc") == ""
    # The management account collects the organisation: a member account's finding is the member's.
    assert finding_account(f"aws:{LOOSE}", f"aws:{PROD}") == PROD
    assert finding_account(f"aws:{LOOSE}", "organisation", evidence_account=CORP) == CORP


def test_check_wins_then_account_by_id_name_or_tag_then_mitigation_then_default():
    rules = OwnerRules(
        default="CISO office",
        mitigations={"access": "IT"},
        checks={"access.root_mfa": "Cloud platform"},
        accounts={CORP: "Corporate IT", "payments-prod": "Payments", "Team=custody": "Treasury ops"},
    )
    accounts = [
        org_account(PROD, "payments-prod", {}),
        org_account(CORP, "corp", None),
        org_account(LOOSE, "vault", {"team": "custody"}),  # tag keys and values match any case
    ]
    owners = Owners.of(rules, accounts, {PROD: "payments-prod", CORP: "corp", LOOSE: "vault"})
    fail, unknown = "fail", "unknown"
    assert owners.of_check("access.root_mfa", "access", [(PROD, fail), (CORP, fail)]) == ["Cloud platform"]
    # The most failures first, then the most unknowns; a finding outside any account goes to
    # the mitigation's owner.
    open_findings = [(PROD, unknown), (PROD, unknown), (PROD, unknown), (CORP, fail), (LOOSE, fail),
                     (LOOSE, fail), ("", unknown)]  # fmt: skip
    assert owners.of_check("access.console_user_mfa", "access", open_findings) == [
        "Treasury ops", "Corporate IT", "Payments", "IT",
    ]  # fmt: skip
    assert owners.of_check("custody.multisig_threshold", "custody", [("", fail)]) == ["CISO office"]
    assert owners.of_check("custody.hsm", "custody", []) == ["CISO office"]
    assert Owners.of(OwnerRules(), accounts, {}).of_check("access.root_mfa", "access", [(PROD, fail)]) == []


def test_owner_keys_that_match_no_account_and_unread_tags_are_named():
    rules = OwnerRules(accounts={"Team=payments": "Payments", "Team = platform": "Platform", "corp": "IT"})
    accounts = [org_account(PROD, "payments-prod", {"Team": "payments"}), org_account(CORP, "corp", None)]
    lines = Owners.of(rules, accounts, {CORP: "corp"}).unmatched(accounts, {CORP: "corp"})
    assert lines == [
        "policy.owners.accounts names 'Team = platform', which matches no account id, name or tag the "
        "organisation reported: its owner is ignored",
        f"the tags of account {CORP} could not be read: owners by tag do not apply to it",
    ]
    assert Owners.of(rules, [], {}).unmatched([], {}) == []  # no account source: nothing to tell


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        ({"mitigations": {"acess": "IT"}}, "'acess' is not a mitigation (did you mean 'access'?)"),
        ({"checks": {"access.root_mfa": " "}}, "'access.root_mfa': the owner is empty"),
        ({"accounts": {"": "IT"}}, "an empty account name maps to 'IT'"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_owner_configuration_is_named(owners, message):
    with pytest.raises(ConfigError) as raised:
        parse_settings({"policy": {"owners": owners}}, "vaultward.toml")
    assert "policy.owners" in str(raised.value) and message in str(raised.value)


def test_evaluation_stores_owners_and_fix_first_reads_them(engine):
    plan = {
        f"aws:{PROD}": [make_account(account_id=PROD, root_mfa_enabled=False)],
        f"aws:{CORP}": [make_account(account_id=CORP, root_mfa_enabled=False)],
        "aws:999999999999": [
            org_account(PROD, "payments-prod", {"Team": "payments"}),
            org_account(CORP, "corp", {}),
        ],
        "okta:acme": [make_identity(key="bob", mfa_enrolled=False, scope="okta:acme")],
    }
    registry = registry_with(plan)
    chosen = {"access.root_mfa", "access.console_user_mfa"}
    registry.checks = {check_id: spec for check_id, spec in registry.checks.items() if check_id in chosen}
    settings = parse_settings(
        {"policy": {"owners": {
            "mitigations": {"access": "IT"},
            "accounts": {"Team=payments": "Payments"},
            "checks": {"access.root_mfaa": "nobody"},  # a typo: reported, ignored
        }}}
    )  # fmt: skip
    collect(settings, engine, registry)
    summary = evaluate(settings, engine, registry)
    with Session(engine) as session:
        stored = {s.check_id: s.owners for s in session.exec(select(CheckScore)).all()}
        problems = session.exec(select(Evaluation.problems)).one()
        work = fix_first(session, summary.evaluation_id)
    assert stored["access.root_mfa"] == ["IT", "Payments"]  # one failing account each, by name
    assert stored["access.console_user_mfa"] == ["IT"]  # an Okta user: no account, the mitigation's
    assert (
        "policy.owners.checks names no check 'access.root_mfaa' (did you mean 'access.root_mfa'?): "
        "its owner is ignored"
    ) in problems
    assert {a.check_id: a.owner for a in work.actions} == {
        "access.root_mfa": "IT, Payments",
        "access.console_user_mfa": "IT",
    }
