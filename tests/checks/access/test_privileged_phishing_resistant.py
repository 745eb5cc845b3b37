from checks.access.privileged_phishing_resistant import privileged_phishing_resistant
from tests.checks.run import run, statuses
from tests.factories import NOW, make_identity
from vaultward.config.policy import Policy


def test_privileged_identities_need_an_origin_bound_factor():
    records = [
        make_identity(key="key", privileged=True, factor_kinds=["u2f"]),
        make_identity(key="passkey", privileged=True, factor_kinds=["push", "passkey"]),
        make_identity(key="sms", privileged=True, factor_kinds=["sms", "totp"]),
        make_identity(key="none", privileged=True, mfa_enrolled=False, factor_kinds=[]),
        make_identity(key="google", source="google_workspace", privileged=True, factor_kinds=[]),
        make_identity(key="user", privileged=False, factor_kinds=["sms"]),
    ]
    assert statuses(privileged_phishing_resistant, records) == {
        "key": "pass",
        "passkey": "pass",
        "sms": "fail",
        "none": "fail",
        "google": "unknown",  # enrolled, but the source does not say which factor
        "user": "skipped",  # not privileged
    }
    reasons = {r.resource: r.reason for r in run(privileged_phishing_resistant, records)}
    assert reasons["sms"] == "privileged with only phishable factors (sms, totp)"
    assert reasons["none"] == "privileged with no MFA at all, phishing-resistant or not"


def test_machines_are_not_judged_and_a_b2b_guests_home_factors_are_unseen():
    records = [
        # ci-runner: admin, no console password, no MFA device, an access key (issue 16: it
        # said "privileged with only phishable factors (none)").
        make_identity(key="ci", name="runner", privileged=True, console_access=False,
                      mfa_enrolled=False, factor_kinds=[], programmatic_access=True),
        make_identity(key="entra:guest", source="entra", email="g_x.example#ext#@t.onmicrosoft.com",
                      external=True, user_type="guest", privileged=True, factor_kinds=["sms"]),
        make_identity(key="entra:internal-guest", source="entra", email="vendor@t.example", external=True,
                      user_type="guest", privileged=True, factor_kinds=["sms"], home_mfa_trusted=False),
    ]  # fmt: skip
    results = {r.resource: r for r in run(privileged_phishing_resistant, records)}
    assert {k: r.status for k, r in results.items()} == {
        "ci": "skipped",
        "entra:guest": "unknown",  # its home tenant's factors may be what signs it in
        "entra:internal-guest": "fail",  # signs in here: its factors here are all it has
    }
    assert results["ci"].reason.startswith("machine identity in aws_iam (no interactive sign-in")
    assert results["entra:guest"].reason.startswith("privileged guest with sms registered in this tenant")


def test_custody_approvers_are_judged_as_people_across_sources():
    from tests.factories import make_transfer_rule, make_wallet
    from vaultward.config.policy import PeopleRules, Policy

    policy = Policy(
        people=PeopleRules(
            signers={
                "0xa": "keyholder@x.io",
                "0xb": "smsonly@x.io",
                "0xc": "unsaid@x.io",
                "0xd": "ghost@x.io",
            }
        )
    )
    records = [
        make_wallet(signers=["0xa", "0xb", "0xc", "0xd", "0xe"]),
        make_transfer_rule(provider="fireblocks", approvers=["u-1", "u-2"]),
        # keyholder: okta has a security key, AWS only a virtual device: the person passes
        make_identity(key="okta:k", source="okta", email="keyholder@x.io", factor_kinds=["webauthn"]),
        make_identity(key="aws:k", email="keyholder@x.io", factor_kinds=["virtual"]),
        make_identity(key="okta:s", source="okta", email="smsonly@x.io", factor_kinds=["sms"]),
        make_identity(key="google:u", source="google_workspace", email="unsaid@x.io", factor_kinds=[]),
        # Fireblocks approvers: u-1 is an administrator (judged account by account), u-2 is not
        make_identity(
            key="fireblocks:user:u-1",
            source="fireblocks",
            email="admin@x.io",
            privileged=True,
            mfa_enrolled=None,
        ),
        make_identity(key="okta:a", source="okta", email="admin@x.io", privileged=True, factor_kinds=["u2f"]),
        make_identity(
            key="fireblocks:user:u-2", source="fireblocks", email="approver@x.io", mfa_enrolled=None
        ),
        make_identity(key="okta:p", source="okta", email="approver@x.io", factor_kinds=["push", "totp"]),
    ]
    results = {r.resource: r for r in run(privileged_phishing_resistant, records, policy=policy)}
    assert {k: r.status for k, r in results.items()} == {
        "fireblocks:user:u-1": "unknown",  # privileged: every account counts, as before
        "okta:a": "pass",
        # not privileged: each account reported as not applicable, its person judged below
        **{
            key: "skipped"
            for key in ("okta:k", "aws:k", "okta:s", "google:u", "fireblocks:user:u-2", "okta:p")
        },
        "approver@x.io": "fail",
        "ghost@x.io": "unknown",
        "keyholder@x.io": "pass",
        "smsonly@x.io": "fail",
        "unsaid@x.io": "unknown",
    }
    assert results["approver@x.io"].reason == (
        "custody approver with only phishable factors (okta: push, totp)"
    )
    assert results["approver@x.io"].evidence["factors"] == ["fireblocks: does not say", "okta: push, totp"]
    assert results["approver@x.io"].evidence["custody_roles"] == [f"approver in {records[1].label}"]
    assert results["keyholder@x.io"].reason == (
        "custody approver with a phishing-resistant factor (aws_iam: virtual / okta: webauthn)"
    )
    assert (
        results["okta:p"].reason
        == "not known to be privileged in okta; approver@x.io is judged as a custody approver"
    )
    assert results["ghost@x.io"].reason == (
        "custody approver with no active identity in any source: their factors cannot be judged"
    )
    assert results["unsaid@x.io"].reason == (
        "custody approver whose sources do not say which factors (google_workspace: does not say)"
    )


def test_an_account_whose_privilege_a_failed_request_left_unknown_is_unknown_not_left_out():
    # Issue 15: Okta's role assignments refused leave `privileged` None on the scope's
    # identities; leaving them out raised the check (found by tests/reliability/test_monotonicity.py).
    from vaultward.contract.sdk import CheckContext

    scope = "okta:acme.okta.com"
    records = [
        make_identity(key="admin", scope=scope, source="okta", privileged=True, factor_kinds=["sms"]),
        make_identity(key="maybe", scope=scope, source="okta", privileged=None, factor_kinds=["sms"]),
        make_identity(key="other", privileged=None, factor_kinds=["sms"]),  # its source never says
    ]
    gaps = {(scope, "identity"): {"privileged": "okta: GET /api/v1/iam/assignees/users: HTTP 500"}}
    context = CheckContext({"identity": records}, Policy(), NOW, gaps)
    results = {r.resource: r for r in privileged_phishing_resistant(context)}
    # "other"'s source never says who is privileged: not applicable, as before the gap.
    assert {key: r.status for key, r in results.items()} == {
        "admin": "fail",
        "maybe": "unknown",
        "other": "skipped",
    }
    assert results["maybe"].reason == (
        "whether this account is privileged is unknown: okta: GET /api/v1/iam/assignees/users: HTTP 500"
    )
