"""aws_organization: the AWS Organizations tree (roots, OUs, the accounts in each), once."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from collectors.aws import organization_mapper
from collectors.aws.session import AccountTarget, AwsCollector, all_pages, core_call, optional_call
from vaultward.contract.records import OrgAccount, Record
from vaultward.contract.sdk import Problem, Scope


class AwsOrganizationCollector(AwsCollector):
    """One scope, the account of the configured base credentials, which must be the
    organisation's management account (or a delegated administrator): the roots, every OU
    below them and the accounts each holds, with the OU path of every account. Any other
    account's credentials are refused (AccessDenied, or AWSOrganizationsNotInUseException
    outside an organisation) and the Run fails naming the call; disable the source then."""

    name = "aws_organization"
    title = "AWS Organizations structure"
    produces = (OrgAccount,)
    permissions = (
        "sts:GetCallerIdentity",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
    )

    def scopes(self) -> list[Scope]:
        base = self.sessions.base_session()
        with core_call("aws", "sts:GetCallerIdentity"):
            caller = self.sessions.client(base, "sts").get_caller_identity()["Account"]
        return [Scope(collector=self.name, id=f"aws:{caller}", params=AccountTarget(caller).params())]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        client = self.sessions.client(self.sessions.scope_session(scope), "organizations")
        # Every call is core: a missing branch would hide where an account sits.
        with core_call(scope.id, "organizations:ListRoots"):
            roots = all_pages(client, "list_roots", "Roots")
        units: dict[str, list[dict[str, Any]]] = {}
        accounts: dict[str, list[dict[str, Any]]] = {}
        pending = [root["Id"] for root in roots]
        while pending:
            parent = pending.pop()
            with core_call(scope.id, f"organizations:ListOrganizationalUnitsForParent ({parent})"):
                units[parent] = all_pages(
                    client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
                )
            with core_call(scope.id, f"organizations:ListAccountsForParent ({parent})"):
                accounts[parent] = all_pages(client, "list_accounts_for_parent", "Accounts", ParentId=parent)
            pending += [unit["Id"] for unit in units[parent]]
        tags: dict[str, list[dict[str, Any]]] = {}
        for account in (a for held in accounts.values() for a in held):
            # A side request: refused, the account's tags stay unknown (None), not empty.
            found = optional_call(
                scope.id,
                "organizations:ListTagsForResource",
                f"account {account['Id']}",
                (),
                partial(all_pages, client, "list_tags_for_resource", "Tags", ResourceId=account["Id"]),
                fields=(f"{OrgAccount.kind}.tags",),
            )
            if isinstance(found, Problem):
                yield found
            else:
                tags[account["Id"]] = found
        for record in organization_mapper.map_accounts(roots, units, accounts, tags):
            yield record.model_copy(update={"scope": scope.id})
