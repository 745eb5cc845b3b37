"""Where the product disagrees with expected.py and, back at the vendors' documentation and
DESIGN.md, the product is the one that is wrong. Each case maps (check, resource) to what the
product answers today ("absent": no finding) and why that is wrong. The exactness test asserts
these still differ exactly so; when a fix makes the product agree with expected.py the test
fails until the case is removed here (a strict xfail per case).
"""

from __future__ import annotations

from tests.estates.second.aws_org import NorthwindAws
from tests.estates.second.expected import GUEST, entra, google, okta

KnownWrong = dict[tuple[str, str], tuple[str, str]]

BITGO_KEYS = (
    "issue 16: BitGo's m-of-n is `m` of its `n` keys (user, backup, BitGo: 2-of-3, List wallets "
    "by coin), not m over the users who can spend; the product judges 2-of-1 (helper signers fixes)"
)

ROSTER_IS_NOT_A_LOGIN = (
    "issue 16: sam's HR roster entry is a record of employment, not an account anyone signs in "
    "with; counted among his identities as 'a source that did not say' about MFA, it turns a "
    "person with no MFA anywhere (Entra: nothing registered; Google: no 2SV) unknown"
)
GUEST_IS_NOT_STAFF = (
    "issue 16: Entra userType guest is a B2B guest (an audit firm's employee), not a person of "
    "the company; guests are counted apart, not judged as staff"
)
GUEST_MFA_AT_HOME = (
    "issue 16: Microsoft makes the resource tenant responsible for a B2B guest's MFA unless its "
    "cross-tenant access settings trust the home tenant's MFA claims (inboundTrust); those "
    "settings need Policy.Read.All, refused here, so an empty registration in this tenant does "
    "not show the guest has no MFA: unknown, not fail"
)
MACHINE = (
    "issue 16: a machine identity (no console password and only an access key; or matching "
    "policy.people.machine_patterns) is judged by the MFA checks as if it were a person"
)


def _mail(first: str) -> str:
    return f"{first}@northwind.example"


def known_wrong(aws: NorthwindAws) -> KnownWrong:
    ci_runner = aws.user(aws.production, "ci-runner")
    cases: KnownWrong = {
        ("access.person_without_mfa", _mail("sam")): ("unknown", ROSTER_IS_NOT_A_LOGIN),
        ("access.person_without_mfa", GUEST): ("fail", GUEST_IS_NOT_STAFF),
        ("training.awareness_recent", GUEST): ("fail", GUEST_IS_NOT_STAFF),
        ("access.console_user_mfa", entra("guest")): ("fail", GUEST_MFA_AT_HOME),
        ("access.console_user_mfa", okta("svc-reporting")): ("fail", MACHINE),
        ("access.mfa_enforced", okta("svc-reporting")): ("pass", MACHINE),
        ("access.console_user_mfa", google("deploy-bot")): ("fail", MACHINE),
        ("access.mfa_enforced", google("deploy-bot")): ("fail", MACHINE),
        ("access.privileged_user_mfa", okta("svc-reporting")): ("fail", MACHINE),
        ("access.privileged_phishing_resistant", okta("svc-reporting")): ("fail", MACHINE),
        ("access.privileged_user_mfa", ci_runner): ("fail", MACHINE),
        ("access.privileged_phishing_resistant", ci_runner): ("fail", MACHINE),
    }
    return cases
