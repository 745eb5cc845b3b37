"""aws_iam: IAM users, their MFA and access keys, and each account's root user."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from collectors.aws import iam_mapper
from collectors.aws.session import SCOPE_PERMISSIONS, AwsCollector, CollectionError, core_call, optional_call
from vaultward.contract.records import AccessKey, CloudAccount, Identity, Record
from vaultward.contract.sdk import Problem, Scope


class AwsIamCollector(AwsCollector):
    """Per account (IAM is global): credential report, account summary and aliases,
    authorization details (who is an administrator, and how), MFA device kinds."""

    name = "aws_iam"
    title = "AWS IAM users, MFA and access keys"
    produces = (Identity, AccessKey, CloudAccount)
    permissions = (
        *SCOPE_PERMISSIONS,
        "iam:GenerateCredentialReport",
        "iam:GetCredentialReport",
        "iam:GetAccountSummary",
        "iam:ListAccountAliases",
        "iam:GetAccountAuthorizationDetails",
        "iam:ListMFADevices",
    )
    # Bounded wait for the credential report; AWS usually finishes in seconds.
    report_timeout = 120.0
    report_poll_start = 0.2
    report_poll_max = 5.0

    regional = False

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        account = scope.params["account_id"]
        session = self.sessions.scope_session(scope)
        iam = self.sessions.client(session, "iam")

        report = self._credential_report(scope.id, iam)
        # Side requests: refused, they leave only the account's root MFA and keys (when the
        # report has no root row) or its alias unknown.
        summary = optional_call(
            scope.id, "iam:GetAccountSummary", "the account", (), lambda: iam.get_account_summary()["SummaryMap"],
            fields=(f"{CloudAccount.kind}.root_mfa_enabled", f"{CloudAccount.kind}.root_access_keys_present"),
        )  # fmt: skip
        if isinstance(summary, Problem):
            yield summary
            summary = None
        aliases = optional_call(
            scope.id, "iam:ListAccountAliases", "the account", (), lambda: iam.list_account_aliases()["AccountAliases"],
            fields=(f"{CloudAccount.kind}.alias",),
        )  # fmt: skip
        if isinstance(aliases, Problem):
            yield aliases
            aliases = []
        with core_call(scope.id, "iam:GetAccountAuthorizationDetails"):
            authorization = self._authorization_details(iam)

        mfa_serials: dict[str, list[str]] = {}
        for row in report:
            name = row.get("user", "")
            if name == iam_mapper.ROOT_ROW or row.get("mfa_active", "").lower() != "true":
                continue
            devices = optional_call(
                scope.id,
                "iam:ListMFADevices",
                f"user {name}",
                (Identity.kind,),
                partial(self._mfa_serials, iam, name),
            )
            if isinstance(devices, Problem):
                yield devices
            else:
                mfa_serials[name] = devices

        records: list[Record] = [iam_mapper.map_account(account, summary, report, aliases)]
        records += iam_mapper.map_users(account, report, authorization, mfa_serials)
        for record in records:
            yield record.model_copy(update={"scope": scope.id})

    def _credential_report(self, scope_id: str, iam: Any) -> list[dict[str, str]]:
        deadline = time.monotonic() + self.report_timeout
        pause = self.report_poll_start
        with core_call(scope_id, "iam:GenerateCredentialReport"):
            while iam.generate_credential_report()["State"] != "COMPLETE":
                if time.monotonic() + pause > deadline:
                    raise CollectionError(
                        f"{scope_id}: iam:GenerateCredentialReport not COMPLETE after "
                        f"{self.report_timeout:.0f}s"
                    )
                time.sleep(pause)
                pause = min(pause * 2, self.report_poll_max)
        with core_call(scope_id, "iam:GetCredentialReport"):
            content = iam.get_credential_report()["Content"]
        return iam_mapper.parse_credential_report(content)

    @staticmethod
    def _authorization_details(iam: Any) -> dict[str, list]:
        merged: dict[str, list] = {"UserDetailList": [], "GroupDetailList": [], "Policies": []}
        pages = iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["User", "Group", "LocalManagedPolicy"]
        )
        for page in pages:
            for key, items in merged.items():
                items.extend(page.get(key, []))
        return merged

    @staticmethod
    def _mfa_serials(iam: Any, user: str) -> list[str]:
        pages = iam.get_paginator("list_mfa_devices").paginate(UserName=user)
        return [device["SerialNumber"] for page in pages for device in page["MFADevices"]]
