from datetime import timedelta

from checks.access.privileged_machine_credentials import privileged_machine_credentials
from tests.checks.run import run, statuses
from tests.factories import NOW, make_access_key, make_identity
from vaultward.config.policy import Policy
from vaultward.contract.sdk import CheckContext

ARN = "arn:aws:iam::111111111111:user/"


def iam_machine(name: str, **fields):
    """An IAM user with no console password, no MFA device and an active access key: a CI
    user (what the IAM mapper records; vaultward.derived.people calls it a machine)."""
    values = dict(
        key=ARN + name,
        name=name,
        console_access=False,
        mfa_enrolled=False,
        factor_kinds=[],
        programmatic_access=True,
        privileged=True,
        privileged_via=["inline:user/deploy-everything"],
        full_admin=True,
    )
    values.update(fields)
    return make_identity(**values)


def key_of(name: str, **fields):
    return make_access_key(
        key=f"{ARN}{name}#access_key_1", name=f"{name} access key 1", identity=ARN + name, **fields
    )


def test_admin_grant_and_old_keys_fail_a_scoped_recent_machine_passes():
    records = [
        iam_machine("runner"),  # Allow * on *, key 200 days old
        key_of("runner", created_at=NOW - timedelta(days=200), last_used_at=NOW - timedelta(days=10)),
        iam_machine("deployer", full_admin=False, privileged_via=["attached:Deployer"]),
        key_of("deployer"),  # 10 days old, used yesterday
        iam_machine("stale", full_admin=False),
        key_of("stale", created_at=NOW - timedelta(days=30), last_used_at=NOW - timedelta(days=100)),
    ]
    results = {r.resource: r for r in run(privileged_machine_credentials, records)}
    assert {key: r.status for key, r in results.items()} == {
        ARN + "runner": "fail",
        ARN + "deployer": "pass",
        ARN + "stale": "fail",
    }
    runner = results[ARN + "runner"].reason
    assert "administrator grant over everything (inline:user/deploy-everything)" in runner
    assert "runner access key 1 not rotated for 200 days" in runner
    assert results[ARN + "stale"].reason.endswith("stale access key 1 unused for 100 days")
    assert results[ARN + "runner"].evidence["keys"] == [f"{ARN}runner#access_key_1"]


def test_what_the_source_does_not_report_is_unknown():
    records = [
        iam_machine("ageless", full_admin=False),
        key_of("ageless", created_at=None, last_used_at=None),
        # Entra's registration report says isAdmin, never which role: how far it reaches is unknown.
        make_identity(key="entra:svc", source="entra", name="svc-sync", email="svc-sync@acme.example",
                      privileged=True, privileged_via=["isAdmin"], full_admin=None,
                      last_used_at=NOW - timedelta(days=1)),
        # No key and no sign-in time: whether anyone still uses it is not known.
        make_identity(key="okta:svc", source="okta", name="svc-report@acme.example",
                      email="svc-report@acme.example", privileged=True, full_admin=False,
                      created_at=None, last_used_at=None),
    ]  # fmt: skip
    results = {r.resource: r for r in run(privileged_machine_credentials, records)}
    assert {key: r.status for key, r in results.items()} == {
        ARN + "ageless": "unknown",
        "entra:svc": "unknown",
        "okta:svc": "unknown",
    }
    assert "age and last use not reported" in results[ARN + "ageless"].reason
    assert "does not say how far its administrator grant reaches" in results["entra:svc"].reason
    assert "does not report when it was last used" in results["okta:svc"].reason


def test_a_service_user_signing_in_with_a_password_and_no_mfa_fails():
    # An Okta user matching policy.people.machine_patterns (svc-*), REPORT_ADMIN (scoped),
    # signing in with a password, no factor: a shared secret with administrator rights.
    svc = make_identity(key="okta:svc", source="okta", name="svc-reporting@acme.example",
                        email="svc-reporting@acme.example", privileged=True, admin_roles=["REPORT_ADMIN"],
                        privileged_via=["user:REPORT_ADMIN"], full_admin=False, console_access=True,
                        mfa_enrolled=False, factor_kinds=[], last_used_at=NOW - timedelta(days=2))  # fmt: skip
    idle = make_identity(key="okta:idle", source="okta", name="svc-old@acme.example",
                         email="svc-old@acme.example", privileged=True, full_admin=False, console_access=True,
                         mfa_enrolled=True, last_used_at=NOW - timedelta(days=300))  # fmt: skip
    results = {r.resource: r for r in run(privileged_machine_credentials, [svc, idle])}
    assert results["okta:svc"].status == "fail"
    assert "signs in with a password and no MFA" in results["okta:svc"].reason
    assert (
        results["okta:svc"].evidence["machine"] == "its name matches policy.people.machine_patterns 'svc-*'"
    )
    assert (results["okta:idle"].status, results["okta:idle"].reason) == (
        "fail",
        "privileged machine identity: unused for 300 days",
    )


def test_people_unprivileged_and_suspended_machines_are_not_applicable():
    records = [
        make_identity(key="alice", privileged=True, full_admin=True),  # a person: the MFA checks' business
        iam_machine("reader", privileged=False, privileged_via=[], full_admin=False),
        iam_machine("gone", suspended=True),
        make_identity(key="bot", person=False, privileged=True, full_admin=True, suspended=False,
                      console_access=False, last_used_at=NOW),
    ]  # fmt: skip
    results = {r.resource: r for r in run(privileged_machine_credentials, records)}
    assert {key: r.status for key, r in results.items()} == {
        "alice": "skipped",
        ARN + "reader": "skipped",
        ARN + "gone": "skipped",
        "bot": "fail",  # the source marks it as not a person
    }
    assert results["alice"].reason.startswith("not a machine identity (employee)")
    assert "access.access_key_age" in results[ARN + "reader"].reason


def test_an_aliased_key_only_user_is_a_persons_and_not_judged_here():
    # policy.people.aliases says whose key it is: a person's (the MFA checks judge them).
    policy = Policy.model_validate({"people": {"aliases": {ARN + "carol": "carol@acme.example"}}})
    assert statuses(privileged_machine_credentials, [iam_machine("carol")], policy=policy) == {
        ARN + "carol": "skipped"
    }


def test_privilege_a_failed_request_hid_is_unknown_and_unreported_privilege_too():
    scope = "okta:acme.okta.com"
    records = [
        make_identity(key="okta:svc-a", scope=scope, source="okta", name="svc-a", privileged=None),
        make_identity(key="internal:bot", name="ci-bot", privileged=None),  # its source never says
    ]
    gaps = {(scope, "identity"): {"privileged": "okta: GET /api/v1/iam/assignees/users: HTTP 403"}}
    context = CheckContext({"identity": records}, Policy(), NOW, gaps)
    results = {r.resource: r for r in privileged_machine_credentials(context)}
    assert {key: r.status for key, r in results.items()} == {
        "okta:svc-a": "unknown",
        "internal:bot": "unknown",
    }
    assert results["okta:svc-a"].reason.endswith("HTTP 403")
    assert "does not say whether this machine identity is privileged" in results["internal:bot"].reason


def test_a_password_sign_in_whose_mfa_was_not_read_is_unknown_never_a_pass():
    # Found by the monotonicity suite: a failed factors request left api-bot's MFA unknown,
    # and the check passed it.
    scope = "okta:acme.okta.com"
    bot = make_identity(key="okta:api-bot", scope=scope, source="okta", name="api-bot@acme.example",
                        email="api-bot@acme.example", privileged=True, full_admin=False, console_access=True,
                        mfa_enrolled=None, factor_kinds=[], last_used_at=NOW)  # fmt: skip
    gaps = {(scope, "identity"): {"mfa_enrolled": "okta: GET /api/v1/users/x/factors: HTTP 500"}}
    [result] = privileged_machine_credentials(CheckContext({"identity": [bot]}, Policy(), NOW, gaps))
    assert (result.status, result.reason) == (
        "unknown",
        "privileged machine identity: whether it signs in with a password and no MFA could not be "
        "read: okta: GET /api/v1/users/x/factors: HTTP 500",
    )
    silent = bot.model_copy(update={"scope": "internal", "console_access": None, "mfa_enrolled": False})
    assert statuses(privileged_machine_credentials, [silent]) == {"okta:api-bot": "unknown"}
