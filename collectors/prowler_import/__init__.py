"""prowler_import: findings of Prowler runs (JSON-OCSF), from a folder or an S3 prefix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from collectors.prowler_import.mapper import MalformedFinding, map_findings
from collectors.prowler_import.reader import read_files
from vaultward.config.bounded import Name, WebUrl, scope_part
from vaultward.contract.records import ExternalFinding, Record
from vaultward.contract.sdk import Collector, Problem, Scope

DEFAULT_CHECKS = ["iam_*mfa*", "iam_root_*", "ec2_securitygroup_*", "ec2_networkacl_*", "vpc_*"]


class ProwlerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the scope id is prowler:<path or s3_uri>
    path: Annotated[str, scope_part("prowler:")] | None = None
    s3_uri: Annotated[str, scope_part("prowler:")] | None = None
    checks: list[Name] = Field(default_factory=lambda: list(DEFAULT_CHECKS), max_length=1000)
    endpoint_url: WebUrl | None = None  # testing only: an S3 emulator

    @model_validator(mode="after")
    def _one_place(self) -> ProwlerOptions:
        if (self.path is None) == (self.s3_uri is None):
            raise ValueError("give exactly one of 'path' (a folder) or 's3_uri' (s3://bucket/prefix)")
        if self.s3_uri is not None and not self.s3_uri.startswith("s3://"):
            raise ValueError(f"s3_uri={self.s3_uri!r}: expected s3://bucket/prefix")
        return self


class ProwlerImportCollector(Collector):
    """Teams that already run Prowler add its IAM MFA and network findings to Vaultward.

    Configuration:

        [sources.prowler_import]
        path = "/var/lib/prowler/output"        # a folder of *.ocsf.json files, or
        # s3_uri = "s3://security-reports/prowler/"
        checks = ["iam_*mfa*", "iam_root_*", "ec2_securitygroup_*", "ec2_networkacl_*", "vpc_*"]

    Reading S3 needs `s3:ListBucket` and `s3:GetObject` on the prefix (credentials from the
    standard AWS chain). Every finding keeps its provenance: the file, Prowler's finding uid
    and version. The newest file wins for a finding seen in several runs.
    """

    name = "prowler_import"
    title = "Prowler findings (JSON-OCSF import)"
    produces: ClassVar[tuple[type[Record], ...]] = (ExternalFinding,)
    permissions = ("s3:ListBucket", "s3:GetObject")
    options_model = ProwlerOptions
    enabled_by_default = False

    def scopes(self) -> list[Scope]:
        where = self.options.path or self.options.s3_uri
        return [Scope(self.name, f"prowler:{where}")]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        latest: dict[str, ExternalFinding] = {}
        for name, text in read_files(self.options):
            try:
                entries = json.loads(text)
            except ValueError as error:
                yield Problem(f"{name}: not JSON: {error}", (ExternalFinding.kind,))
                continue
            if not isinstance(entries, list):
                yield Problem(f"{name}: expected a JSON array of findings", (ExternalFinding.kind,))
                continue
            for item in map_findings(entries, name, self.options.checks):
                if isinstance(item, MalformedFinding):
                    yield Problem(str(item), (ExternalFinding.kind,))
                else:
                    latest[item.key] = item  # files come oldest first: the newest wins
        yield from latest.values()
