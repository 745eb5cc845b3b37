from checks.access.root_mfa import root_mfa
from tests.checks.run import run, statuses
from tests.factories import make_account, make_org_account


def test_root_mfa_per_account():
    accounts = [
        make_account(account_id="111111111111", root_mfa_enabled=True),
        make_account(account_id="222222222222", root_mfa_enabled=False),
        make_account(account_id="333333333333", root_mfa_enabled=None),
    ]
    assert statuses(root_mfa, accounts) == {
        "aws:111111111111": "pass",
        "aws:222222222222": "fail",
        "aws:333333333333": "unknown",
    }


def test_the_account_is_named_by_its_organisation_name_alias_or_id():
    records = [
        make_account(account_id="111111111111", alias="acme-prod", name="acme-prod", root_mfa_enabled=False),
        make_org_account(account_id="111111111111", name="prod-payments"),
        make_account(account_id="222222222222", alias="acme-corp", name="acme-corp", root_mfa_enabled=True),
        make_account(account_id="333333333333", alias="", name="333333333333", root_mfa_enabled=None),
    ]
    results = {r.resource: (r.resource_name, r.reason) for r in run(root_mfa, records)}
    assert results == {
        "aws:111111111111": (
            "prod-payments",
            'root user of account "prod-payments" (111111111111) has no MFA',
        ),
        "aws:222222222222": ("acme-corp", 'root user of account "acme-corp" (222222222222) has MFA enabled'),
        "aws:333333333333": (
            "333333333333",
            "the account summary of account 333333333333 did not say whether root has MFA",
        ),
    }
