"""Where the product disagrees with expected.py and, back at the vendors' documentation and
DESIGN.md, the product is the one that is wrong. Each case maps (check, resource) to what the
product answers today ("absent": no finding) and why that is wrong. The exactness test asserts
these still differ exactly so; when a fix makes the product agree with expected.py the test
fails until the case is removed here (a strict xfail per case).
"""

from __future__ import annotations

from tests.estates.second.aws_org import NorthwindAws

KnownWrong = dict[tuple[str, str], tuple[str, str]]


def known_wrong(aws: NorthwindAws) -> KnownWrong:
    """None today: issue 16 resolved every case (machines and guests judged as staff, the HR
    roster counted as a login, Fireblocks signers by role and console 2FA, BitGo admins and
    keys, policy.people.signers making signers). A new disagreement found from the vendors'
    documentation goes here, with the documented fact, until the product is fixed."""
    del aws  # the cases name the estate's IAM users through it
    return {}
