from checks.access.person_without_mfa import person_without_mfa
from tests.checks.run import statuses
from tests.factories import make_identity


def test_a_person_is_covered_by_mfa_in_any_source():
    records = [
        make_identity(key="okta:1", source="okta", email="a@x.io", mfa_enrolled=False),
        make_identity(key="google:1", source="google_workspace", email="A@x.io", mfa_enrolled=True),
        make_identity(key="okta:2", source="okta", email="b@x.io", mfa_enrolled=False),
        make_identity(key="fb:3", source="fireblocks", email="c@x.io", mfa_enrolled=None),
        make_identity(key="okta:4", source="okta", email="d@x.io", mfa_enrolled=False, suspended=True),
        make_identity(key="okta:5", source="okta", email="svc-deploy@x.io", mfa_enrolled=False),
    ]
    assert statuses(person_without_mfa, records) == {
        "a@x.io": "pass",
        "b@x.io": "fail",
        "c@x.io": "unknown",
        "d@x.io": "skipped",
        "machine:okta:5": "skipped",
    }
