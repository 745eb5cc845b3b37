"""A Prowler JSON-OCSF output file for the demo: what a team that already runs Prowler would
point `prowler_import` at (the shape Prowler's OCSF writer produces)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _finding(
    check: str, status: str, resource: str, account: str, severity: str, detail: str, now: datetime
) -> dict[str, Any]:
    uid = f"prowler-aws-{check}-{account}-us-east-1-{resource.rsplit('/', 1)[-1]}"
    return {
        "message": detail,
        "metadata": {
            "event_code": check,
            "product": {"name": "Prowler", "uid": "prowler", "vendor_name": "Prowler", "version": "5.14.0"},
            "profiles": ["cloud", "datetime"],
            "version": "1.5.0",
        },
        "severity": severity,
        "status": "New",
        "status_code": status,
        "status_detail": detail,
        "finding_info": {"created_time_dt": now.isoformat(), "title": check, "uid": uid},
        "resources": [
            {
                "name": resource.rsplit("/", 1)[-1],
                "region": "us-east-1",
                "type": "AwsIamUser",
                "uid": resource,
            }
        ],
        "cloud": {
            "account": {"type": "AWS Account", "uid": account},
            "provider": "aws",
            "region": "us-east-1",
        },
        "class_uid": 2004,
        "type_name": "Detection Finding: Create",
    }


def demo_prowler_output(folder: Path, account: str, now: datetime | None = None) -> Path:
    """Write one Prowler run's findings about `account` into `folder`; returns the folder."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    findings = [
        _finding(
            "iam_root_mfa_enabled",
            "FAIL",
            f"arn:aws:iam::{account}:root",
            account,
            "Critical",
            "MFA is not enabled for root account.",
            now,
        ),
        _finding(
            "iam_user_mfa_enabled_console_access",
            "PASS",
            f"arn:aws:iam::{account}:user/alice",
            account,
            "High",
            "User alice has Console Password enabled and MFA enabled.",
            now,
        ),
        _finding(
            "iam_user_mfa_enabled_console_access",
            "FAIL",
            f"arn:aws:iam::{account}:user/grace",
            account,
            "High",
            "User grace has Console Password enabled but MFA disabled.",
            now,
        ),
    ]
    (folder / f"prowler-output-{account}.ocsf.json").write_text(json.dumps(findings, indent=2))
    return folder
