from checks.access.privileged_user_mfa import privileged_user_mfa
from tests.checks.run import run, statuses
from tests.factories import make_identity


def test_only_privileged_identities_are_judged():
    records = [
        make_identity(key="admin-ok", privileged=True, mfa_enrolled=True),
        make_identity(key="admin-bad", privileged=True, mfa_enrolled=False, privileged_via=["group:Admins"]),
        make_identity(key="admin-unknown", privileged=True, mfa_enrolled=None),
        make_identity(key="dev", privileged=False, mfa_enrolled=False),
        make_identity(key="maybe", privileged=None, mfa_enrolled=False),
        make_identity(key="maybe-mfa", privileged=None, mfa_enrolled=True),
    ]
    assert statuses(privileged_user_mfa, records) == {
        "admin-ok": "pass",
        "admin-bad": "fail",
        "admin-unknown": "unknown",
        "maybe": "unknown",  # could be an admin without MFA: never silently dropped
        "maybe-mfa": "pass",  # MFA either way
        "dev": "skipped",  # not privileged: reported, not scored
    }
    bad = next(r for r in run(privileged_user_mfa, records) if r.resource == "admin-bad")
    assert bad.evidence["privileged_via"] == ["group:Admins"]


def test_privilege_a_failed_request_hid_is_unknown_even_with_mfa():
    from tests.factories import NOW
    from vaultward.config.policy import Policy
    from vaultward.contract.sdk import CheckContext

    scope = "okta:acme.okta.com"
    records = [
        make_identity(key="maybe", scope=scope, source="okta", privileged=None, mfa_enrolled=True),
        make_identity(key="silent", privileged=None, mfa_enrolled=True),  # its source never says
    ]
    gaps = {(scope, "identity"): {"privileged": "okta: GET /api/v1/iam/assignees/users: HTTP 403"}}
    results = {
        r.resource: r for r in privileged_user_mfa(CheckContext({"identity": records}, Policy(), NOW, gaps))
    }
    # With MFA, "pass either way" held only while nothing was lost: a pass could count a
    # non-administrator the clean run left out of the score.
    assert {key: r.status for key, r in results.items()} == {"maybe": "unknown", "silent": "pass"}
    assert results["maybe"].reason.endswith("okta: GET /api/v1/iam/assignees/users: HTTP 403")


def test_machines_are_left_to_the_machine_credential_check_and_guests_to_their_tenant():
    records = [
        make_identity(key="ci", name="ci-runner", privileged=True, console_access=False, mfa_enrolled=False,
                      programmatic_access=True, privileged_via=["inline:user/deploy-everything"]),
        make_identity(key="okta:svc", source="okta", name="svc-reporting@acme.example", privileged=True,
                      mfa_enrolled=False),
        make_identity(key="entra:guest", source="entra", email="g_x.example#ext#@t.onmicrosoft.com",
                      external=True, user_type="guest", privileged=True, mfa_enrolled=False, factor_kinds=[]),
    ]  # fmt: skip
    results = {r.resource: r for r in run(privileged_user_mfa, records)}
    assert {k: r.status for k, r in results.items()} == {
        "ci": "skipped",
        "okta:svc": "skipped",
        "entra:guest": "unknown",
    }
    assert "access.privileged_machine_credentials" in results["ci"].reason
    assert results["entra:guest"].reason.startswith("privileged guest with no MFA registered in this tenant")
