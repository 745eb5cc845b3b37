"""Production AWS accounts in an organisational unit of their own."""

from collections.abc import Iterator
from dataclasses import replace

from vaultward.contract.records import OrgAccount
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.names import AccountNames
from vaultward.derived.zones import Zones

NOT_COLLECTED = (
    "the AWS organisation was not collected: run the aws_organization source with the management "
    "account's credentials"
)
UNCLASSIFIED = "no account is classified production: list them in policy.zones.production_accounts"


def _describe(account: OrgAccount, zones: Zones, names: AccountNames) -> str:
    """`corporate account "office" (222222222222)`, `unclassified account 333333333333 (SUSPENDED)`."""
    zone = zones.account(account)
    label = "unclassified" if zone == "unknown" else zone
    state = () if account.status in ("", "ACTIVE") else (account.status,)
    return f"{label} {names.label(account.account_id, *state)}"


CONFLICT = "listed in both production_accounts and corporate_accounts: fix policy.zones"


def _judge(account: OrgAccount, sharing: list[OrgAccount], zones: Zones, names: AccountNames) -> Result:
    where = dict(ou_path=account.ou_path, parent_id=account.parent_id, **names.evidence(account.account_id))
    if account.under_root:
        return failed(
            account,
            f"{names.label(account.account_id)} sits directly under the organisation root {account.ou_path}",
            **where,
        )
    if sharing:
        return failed(
            account,
            f"OU {account.ou_path} also holds non-production account(s): "
            + "; ".join(_describe(other, zones, names) for other in sharing),
            sharing=[other.account_id for other in sharing],
            sharing_named=[_describe(other, zones, names) for other in sharing],
            **where,
        )
    return passed(account, f"OU {account.ou_path} holds production accounts only", **where)


@check(
    id="segmentation.production_accounts_own_ou",
    title="Production accounts sit in their own organisational unit",
    mitigation="segmentation",
    severity="high",
    weight=2,
    reads=[OrgAccount],
    references=["attack-mitigation:M1030", "cis-v8:3.12", "nist-csf:PR.IR-01"],
    remediation=(
        "Move production accounts into a production OU (e.g. Workloads/Prod) that holds no corporate, "
        "sandbox or unclassified account, and attach the production guardrails (SCPs) to that OU."
    ),
    population=True,
)
def production_accounts_own_ou(ctx: CheckContext) -> Iterator[Result]:
    """Service control policies and `aws:PrincipalOrgPaths` trust follow OUs: a production
    account that shares its OU (or the root) with corporate accounts shares their guardrails,
    so a compromised corporate account is trusted like production or production is guarded
    like corporate."""
    # The OU is the one directly holding the production account, with every OU below it (both
    # inherit its policies and match its org path). Zones are those the account rules of
    # `policy.zones` give at this evaluation (`ctx.zones`). A production account missing
    # from the organisation fails rather than being unknown: the listing is complete (any failed
    # call fails the whole collection), so it is outside every OU and guardrail.
    accounts = ctx.records(OrgAccount)
    listed = ctx.policy.zones.production_accounts
    if not accounts:
        if listed:
            yield unknown("organisation", NOT_COLLECTED)
        return  # nothing listed either: the evaluation reports the check as without data
    members = {account.account_id for account in accounts}
    zones = ctx.zones
    production = [account for account in accounts if zones.account(account) == "production"]
    missing = [account_id for account_id in listed if account_id not in members]
    if not production and not missing:
        yield unknown("zones", UNCLASSIFIED)
        return
    # An account listed as both production and corporate is a zone conflict: judged as
    # production, it never passes, and it counts as non-production in the OUs it shares.
    both = set(listed) & set(ctx.policy.zones.corporate_accounts)
    names = ctx.account_names
    for account in production:
        sharing = [
            other
            for other in accounts
            if other.account_id != account.account_id
            and (zones.account(other) != "production" or other.account_id in both)
            and account.parent_id in other.ou_ids
        ]
        result = _judge(account, sharing, zones, names)
        if account.account_id in both:
            result = replace(
                result,
                status="skipped" if result.status == "pass" else result.status,
                reason=f"zone conflict ({CONFLICT}): {result.reason}",
                evidence={**result.evidence, "zone_conflict": CONFLICT},
            )
        yield names.named_after(result, account.account_id)
    for account in accounts:
        if zones.account(account) != "production":
            result = not_applicable(
                account,
                f"{_describe(account, zones, names)}: only production accounts are judged",
                ou_path=account.ou_path,
                **names.evidence(account.account_id),
            )
            yield names.named_after(result, account.account_id)
    for account_id in missing:
        # Not in the organisation, so named by its IAM alias if the account itself was collected.
        result = failed(
            f"aws:{account_id}",
            f"production {names.label(account_id)} is not a member of the organisation, so under none of its OUs",
            listed_in="policy.zones.production_accounts",
            **names.evidence(account_id),
        )
        yield names.named_after(result, account_id)
