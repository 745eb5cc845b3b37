from checks.access.privileged_phishing_resistant import privileged_phishing_resistant
from tests.checks.run import run, statuses
from tests.factories import make_identity


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
    }
    reasons = {r.resource: r.reason for r in run(privileged_phishing_resistant, records)}
    assert reasons["sms"] == "privileged with only phishable factors (sms, totp)"
