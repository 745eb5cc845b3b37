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

# "aws:111122223333" or "aws:111122223333/eu-west-1": an account's key, or an AWS collector's scope.
AWS_KEY = re.compile(r"^aws:(\d{12})(?:/|$)")
ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:[^:]*:[^:]*:(\d{12}):")


def finding_account(scope: str, resource: str, evidence_account: str = "") -> str:
    """The AWS account a finding is about: its resource (an account key or an ARN), else the
    account its evidence names, else its scope (the management account collects the
    organisation's accounts: the scope is not always the resource's account); "" when none."""
    found = AWS_KEY.match(resource) or ARN_ACCOUNT.match(resource)
    if found:
        return found.group(1)
    if len(evidence_account) == 12 and evidence_account.isdigit():
        return evidence_account
    found = AWS_KEY.match(scope)
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

    def of_check(self, check_id: str, mitigation: str, accounts: Iterable[tuple[str, str]]) -> list[str]:
        """The owners of one check's open findings (`accounts`: each finding's account, ""
        when it has none, and its status), those with the most failures first, then the most
        unknowns; [] when nothing is configured."""
        if check_id in self.rules.checks:
            return [self.rules.checks[check_id]]
        fallback = self.rules.mitigations.get(mitigation) or self.rules.default
        counts: dict[str, list[int]] = {}
        for account_id, status in accounts:
            owner = self.account(account_id) or fallback
            if owner:
                tally = counts.setdefault(owner, [0, 0])
                tally[0 if status == "fail" else 1] += 1
        if not counts:
            return [fallback] if fallback else []
        return sorted(counts, key=lambda owner: (-counts[owner][0], -counts[owner][1], owner))

    def unmatched(self, accounts: Iterable[OrgAccount], names: Mapping[str, str]) -> list[str]:
        """A line per `[policy.owners] accounts` key no known account matches (by id, name or
        tag), and per account whose tags could not be read while a tag key is configured."""
        accounts = list(accounts)
        if not accounts and not names:  # no account source: nothing to tell a typo by
            return []
        tags_read = [a for a in accounts if a.tags is not None]
        keys: set[str] = {a.account_id.casefold() for a in accounts} | set(names)
        keys |= {name.casefold() for name in names.values() if name}
        keys |= {f"{k}={v}".casefold() for a in tags_read for k, v in (a.tags or {}).items()}
        lines = [
            f"policy.owners.accounts names {key!r}, which matches no account id, name or tag "
            "the organisation reported: its owner is ignored"
            for key in sorted(self.rules.accounts)
            if key.casefold() not in keys
        ]
        if any("=" in key for key in self.rules.accounts):
            lines += [
                f"the tags of account {a.account_id} could not be read: owners by tag do not apply to it"
                for a in accounts
                if a.tags is None
            ]
        return lines


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
