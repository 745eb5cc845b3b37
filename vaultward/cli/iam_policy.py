"""The least-privilege, read-only IAM policy for the enabled AWS collectors, built from the
API actions each collector declares (`Collector.permissions`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vaultward.config.settings import Settings

AWS_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z]+$")
# Verbs that only read. GenerateCredentialReport asks IAM to build the report it then reads
# (as AWS's own SecurityAudit policy allows); AssumeRole only enters the audited accounts.
READ_VERBS = ("Describe", "List", "Get", "Search", "GenerateCredentialReport", "AssumeRole")
ASSUME_ROLE = "sts:AssumeRole"


class PolicyError(ValueError):
    """A collector declares an action that is not a read: it cannot go in a read-only policy."""


def aws_actions(collectors: Mapping[str, Any], names: list[str]) -> dict[str, list[str]]:
    """Each named collector's declared AWS actions (SaaS scopes and URLs are left out)."""
    found = {}
    for name in names:
        actions = sorted(a for a in getattr(collectors[name], "permissions", ()) if AWS_ACTION.match(a))
        for action in actions:
            if not action.split(":", 1)[1].startswith(READ_VERBS):
                raise PolicyError(f"collector {name}: {action} is not a read-only action")
        if actions:
            found[name] = actions
    return found


def assume_role_resources(settings: Settings) -> list[str]:
    """The roles the collectors assume: configured role ARNs, and every member account's
    role when AWS Organizations discovers the accounts."""
    resources = sorted({a.role_arn for a in settings.aws.accounts if a.role_arn})
    if settings.aws.organizations.enabled:
        resources.append(f"arn:aws:iam::*:role/{settings.aws.organizations.role_name}")
    return resources


def iam_policy(settings: Settings, collectors: Mapping[str, Any]) -> dict[str, Any]:
    """One policy document: every read the enabled AWS collectors make (on `*`, as reads of
    account-wide inventories need), and AssumeRole limited to the roles they enter. Attach it
    to the role assumed in each account and to the identity the worker runs as."""
    per_collector = aws_actions(collectors, settings.enabled_sources(collectors))
    reads = sorted({a for actions in per_collector.values() for a in actions if a != ASSUME_ROLE})
    statements: list[dict[str, Any]] = []
    if reads:
        statements.append({"Sid": "VaultwardReadOnly", "Effect": "Allow", "Action": reads, "Resource": "*"})
    roles = assume_role_resources(settings)
    if roles and any(ASSUME_ROLE in actions for actions in per_collector.values()):
        statements.append(
            {
                "Sid": "VaultwardAssumeCollectorRoles",
                "Effect": "Allow",
                "Action": ASSUME_ROLE,
                "Resource": roles,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
