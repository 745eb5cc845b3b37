"""Names humans use: a resource as findings name it (its name, then its id), and AWS accounts
by the names people know them by.

An account's name is its AWS Organizations name (`Name` of ListAccounts / DescribeAccount,
the name the access portal shows), else its IAM account alias. A name never hides the id:
`account "prod-payments" (111111111111)`, and `account 111111111111` when no name is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from vaultward.contract.records import CloudAccount, OrgAccount
from vaultward.contract.sdk import Result


def named(noun: str, name: str, ident: str, *details: str) -> str:
    """`security group "prod-bastion" (sg-0abc)`: the name quoted, the id in brackets with any
    `details` after it. Without a name (or when the name is the id): `security group sg-0abc`."""
    if name and name != ident:
        return f'{noun} "{name}" ({", ".join((ident, *details))})'
    return f"{noun} {ident}" + (f" ({', '.join(details)})" if details else "")


@dataclass(frozen=True)
class AccountNames:
    """Account id -> the name people know the account by; built once per evaluation from the
    organisation's accounts and the IAM account aliases."""

    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, org_accounts: Iterable[OrgAccount], cloud_accounts: Iterable[CloudAccount]) -> AccountNames:
        # The alias where the organisation gives no name; of several records of an account,
        # the last given.
        aliases = {a.account_id: a.alias for a in cloud_accounts if a.alias and a.alias != a.account_id}
        org = {a.account_id: a.name for a in org_accounts if a.name and a.name != a.account_id}
        return cls({**aliases, **org})

    def name(self, account_id: str) -> str:
        """The account's name, or "" when none is known."""
        return self.names.get(account_id, "")

    def display(self, account_id: str) -> str:
        """The name, else the id: what a resource column shows."""
        return self.names.get(account_id) or account_id

    def label(self, account_id: str, *details: str) -> str:
        """`account "prod-payments" (111111111111)`, or `account 111111111111`."""
        return named("account", self.name(account_id), account_id, *details)

    def evidence(self, account_id: str) -> dict[str, Any]:
        """The account as evidence records it: its id, and its name when one is known (nothing
        when the account itself is unknown)."""
        if not account_id:
            return {}
        name = self.name(account_id)
        return {"account": account_id, **({"account_name": name} if name else {})}

    def named_after(self, result: Result, account_id: str) -> Result:
        """A finding about the account, shown (resource column) by the account's name, else its id."""
        return replace(result, resource_name=self.display(account_id))
