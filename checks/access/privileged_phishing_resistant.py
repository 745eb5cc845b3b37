"""Privileged identities need a phishing-resistant factor."""

from collections.abc import Iterator

from vaultward.records import Identity
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="access.privileged_phishing_resistant",
    title="Privileged identities have a phishing-resistant factor (FIDO2, WebAuthn, passkey)",
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity],
    references=[
        "attack:T1566.002",
        "attack:T1621",
        "attack-mitigation:M1032",
        "seal:ida-2.1.1",
        "cis-v8:6.5",
    ],
    remediation=(
        "Enrol a FIDO2 security key or passkey for every administrator and require it by policy; "
        "SMS, voice, push and TOTP codes can be relayed by a phishing proxy."
    ),
)
def privileged_phishing_resistant(ctx: CheckContext) -> Iterator[Result]:
    """Codes and pushes are relayed by the phishing kits and fake meeting links used against
    crypto staff; only origin-bound factors stop an administrator's session being stolen."""
    for identity in ctx.records(Identity):
        if identity.suspended or not identity.privileged:
            continue
        evidence = {
            "factors": identity.factor_kinds,
            "source": identity.source,
            "privileged_via": identity.privileged_via,
        }
        resistant = identity.phishing_resistant
        if resistant is None:
            yield unknown(
                identity, f"{identity.source} does not say which factors this administrator uses", **evidence
            )
        elif resistant:
            yield passed(identity, "has a phishing-resistant factor", **evidence)
        else:
            factors = ", ".join(identity.factor_kinds) or "none"
            yield failed(identity, f"privileged with only phishable factors ({factors})", **evidence)
