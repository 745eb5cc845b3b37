from checks.access.root_mfa import root_mfa
from tests.checks.run import statuses
from tests.factories import make_account


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
