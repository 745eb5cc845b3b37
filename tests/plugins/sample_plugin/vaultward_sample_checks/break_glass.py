"""Break-glass accounts are few."""

from collections.abc import Iterator

from vaultward.contract.records import CloudAccount, Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed


@check(
    id="access.break_glass_admins_few",
    title="At most two administrators per AWS account",
    mitigation="access",
    severity="medium",
    weight=1,
    reads=[CloudAccount, Identity],
    references=["attack-mitigation:M1026", "cis-v8:5.4"],
    remediation="Remove standing administrator rights beyond two break-glass users per account.",
)
def break_glass_admins_few(ctx: CheckContext) -> Iterator[Result]:
    """Every extra standing administrator is another laptop whose compromise owns the account."""
    admins: dict[str, int] = {}
    for identity in ctx.records(Identity):
        if identity.privileged and not identity.suspended:
            admins[identity.account] = admins.get(identity.account, 0) + 1
    for account in ctx.records(CloudAccount):
        count = admins.get(account.account_id, 0)
        if count > 2:
            yield failed(account, f"{count} administrators", administrators=count)
        else:
            yield passed(account, f"{count} administrator(s)", administrators=count)
