from checks.access.person_without_mfa import person_without_mfa
from tests.checks.run import run, statuses
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


def test_staff_only_guests_and_machines_are_not_applicable_with_the_reason():
    records = [
        make_identity(key="entra:g", source="entra", email="vik_audit.example#ext#@acme.onmicrosoft.com",
                      user_type="guest", external=True, mfa_enrolled=False),
        make_identity(key="ci", name="runner", console_access=False, mfa_enrolled=False, programmatic_access=True),
    ]  # fmt: skip
    results = {r.resource: r for r in run(person_without_mfa, records)}
    assert {k: r.status for k, r in results.items()} == {
        "vik_audit.example#ext#@acme.onmicrosoft.com": "skipped",
        "machine:ci": "skipped",
    }
    guest = results["vik_audit.example#ext#@acme.onmicrosoft.com"].reason
    assert guest.startswith("guest from outside the organisation (entra says it is a guest (userType guest))")
    assert "only access keys" in results["machine:ci"].reason


def roster(email: str, **fields):
    """An HR roster entry as the internal_http source reads it: a record of employment."""
    return make_identity(key=f"internal_http:hr:{email}", source="hr", email=email, console_access=False,
                         mfa_enrolled=None, factor_kinds=[], **fields)  # fmt: skip


def test_a_roster_entry_is_not_a_login_that_did_not_say():
    records = [
        # sam: nothing registered in Entra, no 2SV in Google, and on the roster: no MFA anywhere.
        make_identity(key="entra:sam", source="entra", email="sam@x.io", mfa_enrolled=False, factor_kinds=[]),
        make_identity(key="google:sam", source="google_workspace", email="sam@x.io", mfa_enrolled=False),
        roster("sam@x.io"),
        # uri: a new hire on the roster only: no account seen, so whether he has MFA is unknown.
        roster("uri@x.io"),
        # a source that signs in and does not say still makes it unknown.
        make_identity(key="fb:1", source="fireblocks", email="fay@x.io", mfa_enrolled=None),
        make_identity(key="google:fay", source="google_workspace", email="fay@x.io", mfa_enrolled=False),
        # an IAM user with no console password and no key, tied to nobody: no way in, no one
        make_identity(key="arn:aws:iam::1:user/empty", name="empty", console_access=False, mfa_enrolled=False,
                      programmatic_access=False),
    ]  # fmt: skip
    results = {r.resource: r for r in run(person_without_mfa, records)}
    assert {k: r.status for k, r in results.items()} == {
        "sam@x.io": "fail",
        "uri@x.io": "unknown",
        "fay@x.io": "unknown",
        "identity:arn:aws:iam::1:user/empty": "skipped",
    }
    assert results["sam@x.io"].reason == "no MFA in any of entra, google_workspace"
    assert results["uri@x.io"].reason.startswith("no account they sign in with was seen (only hr")
    assert results["fay@x.io"].reason == "no MFA seen, and fireblocks did not say"
