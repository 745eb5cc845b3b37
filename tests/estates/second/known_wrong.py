"""Where the product disagrees with expected.py and, back at the vendors' documentation and
DESIGN.md, the product is the one that is wrong. Each case maps (check, resource) to what the
product answers today ("absent": no finding) and why that is wrong. The exactness test asserts
these still differ exactly so; when a fix makes the product agree with expected.py the test
fails until the case is removed here (a strict xfail per case).
"""

from __future__ import annotations

from tests.estates.second.aws_org import NorthwindAws
from tests.estates.second.expected import (
    BITGO_COLD,
    GUEST,
    VAULT,
    entra,
    fireblocks_user,
    google,
    okta,
)

KnownWrong = dict[tuple[str, str], tuple[str, str]]

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
FIREBLOCKS_2FA = (
    "Fireblocks: 'Two-factor authentication (2FA) is required for all users to sign in to the "
    "Fireblocks Console' (support article Configuring 2FA; every role's setup includes 2FA); "
    "the mapper records mfa_enrolled None"
)
FIREBLOCKS_TOTP = (
    "Fireblocks console 2FA is a TOTP authenticator app (support article Configuring 2FA): "
    "phishable, so an OWNER's console account fails, not unknown"
)
MACHINE = (
    "issue 16: a machine identity (no console password and only an access key; or matching "
    "policy.people.machine_patterns) is judged by the MFA checks as if it were a person"
)
SIGNER_MAP = (
    "issue 16: policy.people.signers only maps sam's old address to sam; that address owns no "
    "Safe, yet sam is treated as a signer"
)
FIREBLOCKS_SIGNER_ROLE = (
    "issue 16: Fireblocks users with the SIGNER (and OWNER / ADMIN) role 'can sign "
    "transactions' (Manage Users) and hold MPC key shares (User setup: Owner, Admin, Signer "
    "set up MPC keys; Approver and Non-Signing Admin do not); omar (SIGNER, SMS only, no lure training) signs for this vault although "
    "the TAP names no approver for it"
)
BITGO_ADMIN_APPROVES = (
    "issue 16: BitGo wallet admins 'manage ... pending approvals' (Add Wallet Users): omar "
    "(admin; SMS only, no lure training) approves this wallet's withdrawals; only the spender "
    "was judged, a false pass"
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
        **{
            ("access.console_user_mfa", fireblocks_user(n)): ("unknown", FIREBLOCKS_2FA)
            for n in ("nadia", "omar", "priya")
        },
        **{
            ("access.mfa_enforced", fireblocks_user(n)): ("skipped", FIREBLOCKS_2FA)
            for n in ("nadia", "omar", "priya")
        },
        ("access.privileged_user_mfa", fireblocks_user("nadia")): ("unknown", FIREBLOCKS_2FA),
        ("access.privileged_phishing_resistant", fireblocks_user("nadia")): ("unknown", FIREBLOCKS_TOTP),
        ("access.console_user_mfa", okta("svc-reporting")): ("fail", MACHINE),
        ("access.mfa_enforced", okta("svc-reporting")): ("pass", MACHINE),
        ("access.console_user_mfa", google("deploy-bot")): ("fail", MACHINE),
        ("access.mfa_enforced", google("deploy-bot")): ("fail", MACHINE),
        ("access.privileged_user_mfa", okta("svc-reporting")): ("fail", MACHINE),
        ("access.privileged_phishing_resistant", okta("svc-reporting")): ("fail", MACHINE),
        ("access.privileged_user_mfa", ci_runner): ("fail", MACHINE),
        ("access.privileged_phishing_resistant", ci_runner): ("fail", MACHINE),
        ("access.privileged_phishing_resistant", "sam@northwind.example"): ("fail", SIGNER_MAP),
        ("training.lure_training_privileged", "sam@northwind.example"): ("fail", SIGNER_MAP),
        # sam did not fall for P5, the latest finished phishing test.
        ("training.privileged_clicked_latest", "sam@northwind.example"): ("pass", SIGNER_MAP),
        ("custody.signers_distinct_mfa_trained", VAULT["1"]): ("unknown", FIREBLOCKS_SIGNER_ROLE),
        ("custody.signers_distinct_mfa_trained", VAULT["2"]): ("unknown", FIREBLOCKS_SIGNER_ROLE),
        ("custody.signers_distinct_mfa_trained", BITGO_COLD): ("pass", BITGO_ADMIN_APPROVES),
    }
    return cases
