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
    VAULT,
    fireblocks_user,
)

KnownWrong = dict[tuple[str, str], tuple[str, str]]

FIREBLOCKS_2FA = (
    "Fireblocks: 'Two-factor authentication (2FA) is required for all users to sign in to the "
    "Fireblocks Console' (support article Configuring 2FA; every role's setup includes 2FA); "
    "the mapper records mfa_enrolled None"
)
FIREBLOCKS_TOTP = (
    "Fireblocks console 2FA is a TOTP authenticator app (support article Configuring 2FA): "
    "phishable, so an OWNER's console account fails, not unknown"
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
    cases: KnownWrong = {
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
        ("access.privileged_phishing_resistant", "sam@northwind.example"): ("fail", SIGNER_MAP),
        ("training.lure_training_privileged", "sam@northwind.example"): ("fail", SIGNER_MAP),
        ("custody.signers_distinct_mfa_trained", VAULT["1"]): ("unknown", FIREBLOCKS_SIGNER_ROLE),
        ("custody.signers_distinct_mfa_trained", VAULT["2"]): ("unknown", FIREBLOCKS_SIGNER_ROLE),
        ("custody.signers_distinct_mfa_trained", BITGO_COLD): ("pass", BITGO_ADMIN_APPROVES),
    }
    return cases
