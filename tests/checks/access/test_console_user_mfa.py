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


GUEST_UPN = "vik_auditfirm.example#EXT#@acme.onmicrosoft.com"


def guest(key: str, **fields):
    """An Entra B2B guest as the entra mapper records one (userType guest, #EXT# UPN)."""
    values = dict(key=key, source="entra", email=GUEST_UPN.lower(), user_type="guest", external=True,
                  mfa_enrolled=False, factor_kinds=[])  # fmt: skip
    values.update(fields)
    return make_identity(**values)


def test_machines_are_not_applicable_with_the_reason():
    records = [
        # A CI user: no console password, no MFA device, an active access key.
        make_identity(
            key="ci", name="runner", console_access=False, mfa_enrolled=False, programmatic_access=True
        ),
        # A service user that signs in with a password: policy.people.machine_patterns says machine.
        make_identity(key="okta:svc", source="okta", name="svc-reporting@acme.example", mfa_enrolled=False),
    ]
    results = {r.resource: r for r in run(console_user_mfa, records)}
    assert {k: r.status for k, r in results.items()} == {"ci": "skipped", "okta:svc": "skipped"}
    assert "only access keys" in results["ci"].reason
    assert "machine_patterns 'svc-*'" in results["okta:svc"].reason
    assert "access.privileged_machine_credentials" in results["okta:svc"].reason


def test_a_b2b_guest_without_mfa_here_is_unknown_unless_the_tenant_trusts_no_home_mfa():
    # Microsoft: the resource tenant is responsible for a B2B guest's MFA unless its
    # cross-tenant access settings trust the home tenant's MFA (inboundTrust.isMfaAccepted).
    records = [
        guest("entra:unread"),  # the settings were not read (Policy.Read.All refused)
        guest("entra:trusted", home_mfa_trusted=True),  # home MFA accepted: done where we cannot see
        guest("entra:untrusted", home_mfa_trusted=False),  # MFA must be registered here: it is not
        guest("entra:registered", mfa_enrolled=True, factor_kinds=["push"]),
    ]
    results = {r.resource: r for r in run(console_user_mfa, records)}
    assert {k: r.status for k, r in results.items()} == {
        "entra:unread": "unknown",
        "entra:trusted": "unknown",
        "entra:untrusted": "fail",
        "entra:registered": "pass",
    }
    assert results["entra:unread"].reason == (
        "a guest with no MFA registered in this tenant, and entra does not say whether this tenant "
        "trusts the guest's home-tenant MFA"
    )
    assert "accepts MFA done in the guest's home tenant" in results["entra:trusted"].reason


def test_a_guest_whose_trust_settings_could_not_be_read_names_the_failed_request():
    from tests.factories import NOW
    from vaultward.config.policy import Policy
    from vaultward.contract.sdk import CheckContext

    scope = "entra:tenant"
    record = guest("entra:g", scope=scope)
    gaps = {
        (scope, "identity"): {"home_mfa_trusted": "entra: cross-tenant access settings refused (HTTP 403)"}
    }
    [result] = console_user_mfa(CheckContext({"identity": [record]}, Policy(), NOW, gaps))
    assert result.status == "unknown"
    assert result.reason.endswith("could not be read: entra: cross-tenant access settings refused (HTTP 403)")
