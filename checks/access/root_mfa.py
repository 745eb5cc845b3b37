"""Root account MFA, per AWS account."""

from collections.abc import Iterator

from vaultward.records import CloudAccount
from vaultward.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="access.root_mfa",
    title="Every AWS account's root user has MFA",
    mitigation="access",
    severity="critical",
    weight=3,
    reads=[CloudAccount],
    references=["attack:T1078.004", "attack-mitigation:M1032", "attack-mitigation:M1026", "cis-v8:6.5"],
    remediation=(
        "Sign in as root and assign a hardware security key (FIDO2) as its MFA device; keep the key "
        "and the root password in separate safes, and use the root user only as break-glass."
    ),
)
def root_mfa(ctx: CheckContext) -> Iterator[Result]:
    """A root user without MFA is one phished or reused password away from owning the whole
    account: every key, wallet signer and log in it."""
    for account in ctx.records(CloudAccount):
        if account.root_mfa_enabled is None:
            yield unknown(account, "the account summary did not say whether root has MFA")
        elif account.root_mfa_enabled:
            yield passed(account, "root user has MFA enabled", root_mfa_enabled=True)
        else:
            yield failed(account, "root user has no MFA", root_mfa_enabled=False)
