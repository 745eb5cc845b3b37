"""Root account MFA, per AWS account."""

from collections.abc import Iterator

from vaultward.contract.records import CloudAccount
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown


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
    names = ctx.account_names
    for account in ctx.records(CloudAccount):
        named = names.label(account.account_id)
        if account.root_mfa_enabled is None:
            result = unknown(account, f"the account summary of {named} did not say whether root has MFA")
        elif account.root_mfa_enabled:
            result = passed(account, f"root user of {named} has MFA enabled", root_mfa_enabled=True)
        else:
            result = failed(account, f"root user of {named} has no MFA", root_mfa_enabled=False)
        yield names.named_after(result, account.account_id)
