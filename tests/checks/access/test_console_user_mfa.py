from checks.access.console_user_mfa import console_user_mfa
from tests.checks.run import run, statuses
from tests.factories import make_identity


def test_password_users_need_mfa_machines_and_suspended_are_out_of_scope():
    records = [
        make_identity(key="alice", mfa_enrolled=True),
        make_identity(key="bob", mfa_enrolled=False),
        make_identity(key="ci-bot", console_access=False, mfa_enrolled=False, person=False),
        make_identity(key="gone", mfa_enrolled=False, suspended=True),
        make_identity(key="mystery", console_access=None, mfa_enrolled=None),
    ]
    assert statuses(console_user_mfa, records) == {
        "alice": "pass",
        "bob": "fail",
        "mystery": "unknown",
        "ci-bot": "skipped",
        "gone": "skipped",
    }


def test_failure_says_why():
    [result] = run(console_user_mfa, [make_identity(key="bob", mfa_enrolled=False)])
    assert result.reason == "can sign in with a password and has no MFA"
    assert result.evidence["source"] == "aws_iam"
