"""Prowler JSON-OCSF output (an array of OCSF Detection Findings) -> ExternalFinding records.

Fields read, as Prowler writes them: `metadata.event_code` (the check id), `status_code`
(PASS / FAIL / MANUAL), `status_detail`, `severity`, `status` ("Suppressed" when muted),
`finding_info.uid` and `created_time_dt`, `resources[0]` (uid, name, type, region),
`cloud.account.uid`, `cloud.provider`, `metadata.product.version`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from vaultward.contract.records import ExternalFinding

STATUSES = {"PASS": "pass", "FAIL": "fail", "MANUAL": "manual"}


class MalformedFinding(ValueError):
    """One entry of the file is not a Prowler finding; the message says which and why."""


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def map_finding(raw: Mapping[str, Any], file: str) -> ExternalFinding:
    if not isinstance(raw, Mapping):
        raise MalformedFinding(f"expected an object, got {type(raw).__name__}")
    metadata = raw.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    info = raw.get("finding_info")
    info = info if isinstance(info, Mapping) else {}
    check_id = metadata.get("event_code")
    uid = info.get("uid")
    if not check_id or not uid:
        raise MalformedFinding("missing metadata.event_code or finding_info.uid")
    resources = raw.get("resources") or [{}]
    resource = resources[0] if isinstance(resources[0], Mapping) else {}
    cloud = raw.get("cloud") or {}
    account = (cloud.get("account") or {}).get("uid", "")
    code = str(raw.get("status_code") or "")
    anomalies = []
    status = STATUSES.get(code.upper())
    if status is None:
        status = f"other:{code}"
        anomalies.append(f"status_code {code!r} is not PASS, FAIL or MANUAL")
    try:
        observed = _timestamp(info.get("created_time_dt") or raw.get("time_dt") or raw.get("time"))
    except ValueError:
        observed = None
        anomalies.append(f"unreadable time {info.get('created_time_dt')!r}")
    return ExternalFinding(
        key=f"prowler:{uid}",
        name=f"{check_id} {resource.get('name') or resource.get('uid', '')}".strip(),
        tool="prowler",
        check_id=str(check_id),
        status=status,
        severity=str(raw.get("severity") or "").lower(),
        resource=str(resource.get("uid") or ""),
        resource_type=str(resource.get("type") or ""),
        provider=str(cloud.get("provider") or ""),
        account=str(account),
        region=str(resource.get("region") or cloud.get("region") or ""),
        message=str(raw.get("status_detail") or raw.get("message") or ""),
        muted=str(raw.get("status") or "") == "Suppressed",
        observed_at=observed,
        provenance={
            "file": file,
            "finding_uid": str(uid),
            "prowler_version": str((metadata.get("product") or {}).get("version") or ""),
        },
        anomalies=anomalies,
    )


def map_findings(
    entries: Iterable[Any], file: str, checks: list[str]
) -> Iterator[ExternalFinding | MalformedFinding]:
    """The findings of one file whose check id matches one of `checks` (shell patterns);
    a malformed entry comes back as a MalformedFinding naming its position."""
    for index, entry in enumerate(entries):
        try:
            finding = map_finding(entry, file)
        except (MalformedFinding, TypeError, ValueError) as error:
            yield MalformedFinding(f"{file} entry {index}: {error}")
            continue
        # A part of the wrong shape (`resources` an object, `cloud` a list) is this entry's
        # problem, not the file's.
        except (LookupError, AttributeError, OverflowError) as error:
            yield MalformedFinding(
                f"{file} entry {index}: unexpected shape ({type(error).__name__}: {error})"
            )
            continue
        if any(fnmatch.fnmatchcase(finding.check_id, pattern) for pattern in checks):
            yield finding
