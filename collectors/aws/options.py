"""`[aws]`: the AWS collectors' own options (accounts, AWS Organizations, regions, retries),
validated by their model here; the core types only the keys it reads itself (`AwsSection`:
the profile and endpoint S3 delivery uses, the size of the collection pool)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from vaultward.config.bounded import AccountId, EnvName, Label, Regions
from vaultward.config.settings import AwsSection
from vaultward.config.types import Strict

if TYPE_CHECKING:
    from vaultward.config.settings import Settings

# ASCII: IAM names take no other script's letters or digits.
ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/[\w+=,.@/-]+$", re.ASCII)
# IAM role names: up to 64 of letters, digits and +=,.@_-.
ROLE_NAME = r"^[A-Za-z0-9+=,.@_-]{1,64}$"


class AwsAccount(Strict):
    """An account to collect from: its id, or the role to assume into it."""

    role_arn: Annotated[str, StringConstraints(max_length=2048)] | None = None
    account_id: AccountId | None = None
    name: Label = ""
    external_id_env: EnvName | None = None

    @model_validator(mode="after")
    def _role_or_id(self) -> AwsAccount:
        if self.role_arn is None and self.account_id is None:
            raise ValueError("give 'role_arn' (to assume) or 'account_id' (the caller's own account)")
        if self.role_arn is not None:
            match = ROLE_ARN.fullmatch(self.role_arn)
            if not match:
                raise ValueError(
                    f"role_arn={self.role_arn!r}: expected arn:aws:iam::<12-digit account>:role/<name>"
                )
            if self.account_id is not None and self.account_id != match.group(1):
                raise ValueError(f"account_id {self.account_id} does not match role_arn {self.role_arn}")
        return self

    @property
    def id(self) -> str:
        if self.account_id is not None:
            return self.account_id
        match = ROLE_ARN.fullmatch(self.role_arn or "")
        assert match is not None
        return match.group(1)


class AwsOrganizations(Strict):
    """Discover member accounts through AWS Organizations and assume `role_name` in each."""

    enabled: bool = False
    role_name: Annotated[str, StringConstraints(pattern=ROLE_NAME)] = "OrganizationAccountAccessRole"
    exclude_accounts: list[AccountId] = Field(default_factory=list)


class AwsOptions(AwsSection):
    """The whole `[aws]` table: the core's keys and the AWS collectors' own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regions: Regions = Field(default_factory=lambda: ["us-east-1"])
    accounts: list[AwsAccount] = Field(default_factory=list, max_length=10_000)
    organizations: AwsOrganizations = Field(default_factory=AwsOrganizations)
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    max_attempts: int = Field(default=8, ge=1, le=20)

    @classmethod
    def of(cls, settings: Settings) -> AwsOptions:
        """`settings`' `[aws]` table, validated (a `ConfigError` names the file and key)."""
        return settings.section_options("aws", cls)

    def assume_role_resources(self) -> list[str]:
        """The roles the collectors assume: configured role ARNs, and every member account's
        role when AWS Organizations discovers the accounts."""
        resources = sorted({account.role_arn for account in self.accounts if account.role_arn})
        if self.organizations.enabled:
            resources.append(f"arn:aws:iam::*:role/{self.organizations.role_name}")
        return resources
