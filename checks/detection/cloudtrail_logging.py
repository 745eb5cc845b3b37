"""A multi-region CloudTrail trail logging in every account."""

from collections.abc import Iterator

from vaultward.contract.records import CloudAccount, Trail
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed


@check(
    id="detection.cloudtrail_logging",
    title="Every AWS account has a multi-region CloudTrail trail that is logging",
    mitigation="detection",
    severity="high",
    weight=2,
    reads=[CloudAccount, Trail],
    references=["attack-mitigation:M1047", "cis-v8:8.2", "nist-csf:DE.CM-09"],
    remediation=(
        "Create an organisation trail (or a multi-region trail per account) with log-file "
        "validation, and alert when logging stops."
    ),
)
def cloudtrail_logging(ctx: CheckContext) -> Iterator[Result]:
    """Without an API audit trail, the intruder's moves from a stolen session to the signing
    path leave nothing to detect or investigate."""
    trails = ctx.records(Trail)
    accounts = ctx.account_names
    for account in ctx.records(CloudAccount):
        covering = [
            trail
            for trail in trails
            if trail.multi_region
            and trail.logging
            and (trail.account == account.account_id or trail.organization_trail)
        ]
        names = [trail.name for trail in covering]
        named = accounts.evidence(account.account_id)
        if covering:
            result = passed(
                account, f"logging multi-region trail(s): {', '.join(names)}", trails=names, **named
            )
        else:
            result = failed(
                account,
                f"no multi-region trail is logging for {accounts.label(account.account_id)}",
                trails=[t.name for t in trails if t.account == account.account_id],
                **named,
            )
        yield accounts.named_after(result, account.account_id)
