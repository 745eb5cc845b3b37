from checks.access.mfa_enforced import mfa_enforced
from tests.checks.run import statuses
from tests.factories import make_identity


def test_only_sources_that_report_enforcement_are_judged():
    records = [
        make_identity(key="okta:1", source="okta", mfa_enforced=True),
        make_identity(key="okta:2", source="okta", mfa_enrolled=True, mfa_enforced=False),
        make_identity(key="iam:1", source="aws_iam", mfa_enforced=None),
        make_identity(key="okta:3", source="okta", mfa_enforced=False, suspended=True),
    ]
    assert statuses(mfa_enforced, records) == {"okta:1": "pass", "okta:2": "fail"}
