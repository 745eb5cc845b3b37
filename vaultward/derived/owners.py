"""Who must act on a check's open findings, under `[policy.owners]` (vaultward/config/owners.py).

A check's owner wins. Else each open finding goes to the owner of its AWS account (by id,
Organizations name, or a tag `Key=Value` of the account), and a finding outside any mapped
account to the mitigation's owner, else `default`. Derived at evaluation and stored with the
check's score, so a past report names who owned the work then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vaultward.config.owners import OwnerRules
from vaultward.contract.records import OrgAccount

# "aws:111122223333" or "aws:111122223333/eu-west-1": the scope of a finding from an AWS collector.
AWS_SCOPE = re.compile(r"^aws:(\d{12})(?:/|$)")
ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:[^:]*:[^:]*:(\d{12}):")


def finding_account(scope: str, resource: str) -> str:
    """The AWS account a finding is about, from its scope, else its ARN; "" when none."""
    found = AWS_SCOPE.match(scope) or ARN_ACCOUNT.match(resource)
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Owners:
    """`[policy.owners]` resolved against the organisation's accounts."""

    rules: OwnerRules
    # account id -> the owner its id, name or one of its tags maps to ("" none)
    by_account: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rules: OwnerRules, accounts: Iterable[OrgAccount], names: Mapping[str, str]) -> Owners:
        by_name = {key.casefold(): owner for key, owner in rules.accounts.items()}
        resolved: dict[str, str] = {}
        for account in accounts:
            owner = _account_owner(
                by_name, account.account_id, names.get(account.account_id, ""), account.tags
            )
            if owner:
                resolved[account.account_id] = owner
        for account_id, name in names.items():  # an account known by its IAM alias only
            if account_id not in resolved:
                owner = _account_owner(by_name, account_id, name, None)
                if owner:
                    resolved[account_id] = owner
        return cls(rules, resolved)

    def account(self, account_id: str) -> str:
        if not account_id:
            return ""
        return self.by_account.get(account_id) or self.rules.accounts.get(account_id, "")

    def of_check(self, check_id: str, mitigation: str, accounts: Iterable[str]) -> list[str]:
        """The owners of one check's open findings (`accounts`: each finding's account, ""
        when it has none), the most named first; [] when nothing is configured."""
        if check_id in self.rules.checks:
            return [self.rules.checks[check_id]]
        fallback = self.rules.mitigations.get(mitigation) or self.rules.default
        counts: dict[str, int] = {}
        for account_id in accounts:
            owner = self.account(account_id) or fallback
            if owner:
                counts[owner] = counts.get(owner, 0) + 1
        if not counts:
            return [fallback] if fallback else []
        return sorted(counts, key=lambda owner: (-counts[owner], owner))


def _account_owner(
    by_name: Mapping[str, str], account_id: str, name: str, tags: Mapping[str, str] | None
) -> str:
    if account_id.casefold() in by_name:
        return by_name[account_id.casefold()]
    if name and name.casefold() in by_name:
        return by_name[name.casefold()]
    for key, value in sorted((tags or {}).items()):
        owner = by_name.get(f"{key}={value}".casefold())
        if owner:
            return owner
    return ""
