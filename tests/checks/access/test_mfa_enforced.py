from checks.access.mfa_enforced import mfa_enforced
from tests.checks.run import run, statuses
from tests.factories import make_identity


def test_only_sources_that_report_enforcement_are_judged():
    records = [
        make_identity(key="okta:1", source="okta", mfa_enforced=True),
        make_identity(key="okta:2", source="okta", mfa_enrolled=True, mfa_enforced=False),
        make_identity(key="iam:1", source="aws_iam", mfa_enforced=None),
        make_identity(key="okta:3", source="okta", mfa_enforced=False, suspended=True),
    ]
    assert statuses(mfa_enforced, records) == {
        "okta:1": "pass",
        "okta:2": "fail",
        "iam:1": "skipped",
        "okta:3": "skipped",
    }


def test_entra_identities_judged_by_conditional_access():
    tenant = "5f1c2b7e-3d4a-4c8e-9b1f-acme00000001"

    def entra(n: int, **fields):
        return make_identity(
            key=f"entra:{n}", source="entra", account=tenant, scope=f"entra:{tenant}", **fields
        )

    records = [
        entra(1, mfa_enrolled=True, mfa_enforced=True),  # a policy for all users and apps requires MFA
        entra(
            2, mfa_enrolled=True, mfa_enforced=False
        ),  # spared on the office network: enrolled is not enough
        entra(3, mfa_enrolled=False, mfa_enforced=False),
        entra(
            4, mfa_enrolled=True, mfa_enforced=None
        ),  # Policy.Read.All missing: left to the enrolment checks
    ]
    assert statuses(mfa_enforced, records) == {
        "entra:1": "pass",
        "entra:2": "fail",
        "entra:3": "fail",
        "entra:4": "skipped",
    }
    [failure] = [r for r in run(mfa_enforced, records) if r.resource == "entra:2"]
    assert failure.reason == "entra lets this identity sign in without MFA"
    assert failure.evidence == {"source": "entra", "mfa_enrolled": True}


def test_machine_identities_are_not_applicable():
    records = [
        make_identity(key="okta:svc", source="okta", name="svc-reporting@acme.example", mfa_enforced=True),
        make_identity(key="google:bot", source="google_workspace", email="deploy-bot@acme.example",
                      mfa_enforced=False),
        make_identity(key="entra:guest", source="entra", external=True, mfa_enforced=False),  # judged
    ]  # fmt: skip
    results = {r.resource: r for r in run(mfa_enforced, records)}
    assert {k: r.status for k, r in results.items()} == {
        "okta:svc": "skipped",
        "google:bot": "skipped",
        "entra:guest": "fail",
    }
    assert "machine_patterns '*-bot@*'" in results["google:bot"].reason
