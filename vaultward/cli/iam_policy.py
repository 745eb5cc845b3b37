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


def assume_role_resources(settings: Settings, collectors: Mapping[str, Any], names: list[str]) -> list[str]:
    """The roles the named collectors assume, as each says (`assume_role_resources`: the AWS
    collectors give the configured role ARNs and, with AWS Organizations, every member's role)."""
    resources: dict[str, None] = {}
    for name in names:
        hook = getattr(collectors[name], "assume_role_resources", None)
        if callable(hook):
            resources.update(dict.fromkeys(hook(settings)))
    return list(resources)


def iam_policy(settings: Settings, collectors: Mapping[str, Any]) -> dict[str, Any]:
    """One policy document: every read the enabled AWS collectors make (on `*`, as reads of
    account-wide inventories need), and AssumeRole limited to the roles they enter. Attach it
    to the role assumed in each account and to the identity the worker runs as."""
    enabled = settings.enabled_sources(collectors)
    per_collector = aws_actions(collectors, enabled)
    reads = sorted({a for actions in per_collector.values() for a in actions if a != ASSUME_ROLE})
    statements: list[dict[str, Any]] = []
    if reads:
        statements.append({"Sid": "VaultwardReadOnly", "Effect": "Allow", "Action": reads, "Resource": "*"})
    roles = assume_role_resources(settings, collectors, enabled)
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
