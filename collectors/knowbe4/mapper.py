"""Pure mapping from KnowBe4 Reporting API payloads to training records.

Every function returns the record (or None) plus the problems found, so the collector can
yield them and the Run is `partial` instead of silently wrong. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from collectors.timestamps import parse_time
from collectors.training_category import training_category
from vaultward.contract.records import PhishingResult, PhishingTest, PhishProne, TrainingRecord

SOURCE = "knowbe4"

TrainingStatus = Literal["passed", "completed", "in_progress", "not_started", "past_due", "failed"]

# Enrollment statuses as the Reporting API and the console spell them ("Passed", "Not Started"
# and "In Progress" appear in the API's examples; "Completed" is what a manual pass or a policy
# acknowledgement shows; "Past Due" is the console's overdue state). Compared case-insensitively.
ENROLLMENT_STATUSES: dict[str, TrainingStatus] = {
    "passed": "passed",
    "completed": "completed",
    "in progress": "in_progress",
    "not started": "not_started",
    "past due": "past_due",
    "failed": "failed",
}
# TrainingRecord.status is a closed set: an unknown vendor status is recorded as the value that
# can never count as trained, and reported as a problem (the Run turns partial).
UNKNOWN_STATUS: TrainingStatus = "not_started"

USER_STATUSES = frozenset({"active", "archived"})


def _email(user: Any) -> str:
    email = user.get("email") if isinstance(user, Mapping) else None
    return email.strip().lower() if isinstance(email, str) else ""


def map_user(raw: Mapping[str, Any], as_of: datetime) -> tuple[PhishProne | None, list[str]]:
    """A user's phish-prone percentage. Archived users (people who left) are skipped; an
    unknown user status is kept and reported."""
    problems: list[str] = []
    user_id = raw.get("id")
    email = _email(raw)
    status = str(raw.get("status") or "").lower()
    if status == "archived":
        return None, problems
    if status not in USER_STATUSES:
        problems.append(
            f"knowbe4 user {user_id} ({email or 'no e-mail'}): unknown status {raw.get('status')!r}"
        )
    if user_id is None or not email:
        problems.append(f"knowbe4 user {user_id}: no id or e-mail, phish-prone percentage skipped")
        return None, problems
    percentage = raw.get("phish_prone_percentage")
    if percentage is not None and not isinstance(percentage, int | float):
        problems.append(
            f"knowbe4 user {user_id} ({email}): phish_prone_percentage {percentage!r} is not a number"
        )
        percentage = None
    name = " ".join(str(part) for part in (raw.get("first_name"), raw.get("last_name")) if part)
    record = PhishProne(
        key=f"knowbe4:user:{user_id}",
        name=name or email,
        source=SOURCE,
        person=email,
        percentage=float(percentage) if percentage is not None else None,
        as_of=as_of,
    )
    return record, problems


def map_enrollment(
    raw: Mapping[str, Any], lure_modules: Iterable[str]
) -> tuple[TrainingRecord | None, list[str]]:
    """One training enrollment. Modules or campaigns matching `lure_modules` are lure
    training; everything else is awareness training."""
    enrollment_id = raw.get("enrollment_id")
    email = _email(raw.get("user"))
    where = f"knowbe4 enrollment {enrollment_id} ({email or 'no e-mail'})"
    if enrollment_id is None or not email:
        return None, [f"{where}: no enrollment id or user e-mail, skipped"]
    problems: list[str] = []
    vendor_status = raw.get("status")
    status = ENROLLMENT_STATUSES.get(str(vendor_status or "").strip().lower())
    anomalies: list[str] = []
    if status is None:
        status = UNKNOWN_STATUS
        anomalies.append(f"unknown status {vendor_status!r} recorded as {UNKNOWN_STATUS}")
        problems.append(f"{where}: unknown status {vendor_status!r} recorded as {UNKNOWN_STATUS}")
    try:
        completed_at = parse_time(raw.get("completion_date"))
    except ValueError:
        problems.append(f"{where}: completion_date {raw.get('completion_date')!r} is not a timestamp")
        completed_at = None
    module = str(raw.get("module_name") or "")
    campaign = str(raw.get("campaign_name") or "")
    # A policy acknowledgement ("Uploaded Policy") is not training: it counts for neither check.
    is_policy = "policy" in str(raw.get("content_type") or "").lower()
    record = TrainingRecord(
        key=f"knowbe4:enrollment:{enrollment_id}",
        name=f"{email}: {module}",
        source=SOURCE,
        person=email,
        module=module,
        category="other" if is_policy else training_category((module, campaign), lure_modules),
        status=status,
        completed_at=completed_at,
        raw_status=str(vendor_status or "") if anomalies else "",
        anomalies=anomalies,
    )
    return record, problems


# Recipient timestamps of the failures KnowBe4 counts (PHISHING_FAILURES), by record field;
# `qr_code_scanned` is a timestamp too, despite its name (the API's recipient example).
FAILURE_TIMES = {
    "clicked": "clicked_at",
    "data_entered": "data_entered_at",
    "attachment_opened": "attachment_opened_at",
    "macro_enabled": "macro_enabled_at",
    "replied": "replied_at",
    "qr_code_scanned": "qr_code_scanned",
}
# A phishing security test whose status is "Closed" has final results; "Open" ones are still
# being sent or tracked (the API's campaign example lists both). Compared case-insensitively.
FINAL_STATUSES = {"closed": True, "open": False}


def test_key(pst_id: Any) -> str:
    return f"knowbe4:pst:{pst_id}"


def _count(raw: Mapping[str, Any], field: str, problems: list[str], where: str) -> int | None:
    value = raw.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where}: {field} {value!r} is not a count")
        return None
    return value


def map_security_test(
    raw: Mapping[str, Any], campaigns: Mapping[Any, str]
) -> tuple[PhishingTest | None, list[str]]:
    """One phishing security test (one run of a campaign) with KnowBe4's own counts; the
    campaign's name from `campaigns` (campaign id -> name), "" when it is not known."""
    pst_id = raw.get("pst_id")
    where = f"knowbe4 phishing test {pst_id} ({raw.get('name')!r})"
    if pst_id is None:
        return None, [f"{where}: no pst_id, skipped with its recipients"]
    problems: list[str] = []
    anomalies: list[str] = []
    try:
        started_at = parse_time(raw.get("started_at"))
    except ValueError:
        problems.append(f"{where}: started_at {raw.get('started_at')!r} is not a timestamp")
        started_at = None
    status = str(raw.get("status") or "")
    final = FINAL_STATUSES.get(status.strip().lower())
    if final is None:
        # Not known to be final: its results never back a verdict until it reads Closed.
        anomalies.append(f"unknown status {status!r}: results not taken as final")
        problems.append(f"{where}: unknown status {status!r}, results not taken as final")
    percentage = raw.get("phish_prone_percentage")
    if percentage is not None and (isinstance(percentage, bool) or not isinstance(percentage, int | float)):
        problems.append(f"{where}: phish_prone_percentage {percentage!r} is not a number")
        percentage = None
    campaign_id = raw.get("campaign_id")
    if not isinstance(campaign_id, int | str) or isinstance(campaign_id, bool):
        campaign_id = None
    record = PhishingTest(
        key=test_key(pst_id),
        name=str(raw.get("name") or f"phishing test {pst_id}"),
        source=SOURCE,
        campaign=campaigns.get(campaign_id, "") if campaign_id is not None else "",
        campaign_id="" if campaign_id is None else str(campaign_id),
        status=status,
        final=final is True,
        started_at=started_at,
        scheduled=_count(raw, "scheduled_count", problems, where),
        delivered=_count(raw, "delivered_count", problems, where),
        vendor_percentage=float(percentage) if percentage is not None else None,
        anomalies=anomalies,
    )
    return record, problems


def campaign_names(raw_campaigns: Iterable[Any]) -> dict[Any, str]:
    """Campaign id -> name, from /v1/phishing/campaigns."""
    return {
        raw["campaign_id"]: str(raw.get("name") or "")
        for raw in raw_campaigns
        if isinstance(raw, Mapping)
        and isinstance(raw.get("campaign_id"), int | str)
        and not isinstance(raw.get("campaign_id"), bool)
    }


def map_recipient(
    raw: Mapping[str, Any], security_test: Mapping[str, Any]
) -> tuple[PhishingResult | None, list[str]]:
    """One recipient of one phishing security test. A message never delivered tells nothing
    about the person: its failure and report flags stay unknown (None)."""
    pst_id = security_test.get("pst_id", raw.get("pst_id"))
    recipient_id = raw.get("recipient_id")
    email = _email(raw.get("user"))
    where = f"knowbe4 phishing test {pst_id} recipient {recipient_id} ({email or 'no e-mail'})"
    if recipient_id is None or not email:
        return None, [f"{where}: no recipient id or user e-mail, skipped"]
    try:
        delivered_at = parse_time(raw.get("delivered_at"))
        times = {field: parse_time(raw.get(name)) for field, name in FAILURE_TIMES.items()}
        reported_at = parse_time(raw.get("reported_at"))
    except ValueError as error:
        return None, [f"{where}: {error}, skipped"]
    # A failure or a report proves delivery even when the mail system did not confirm it.
    delivered = (
        delivered_at is not None or reported_at is not None or any(t is not None for t in times.values())
    )

    def flag(moment: datetime | None) -> bool | None:
        return (moment is not None) if delivered else None

    campaign = str(security_test.get("name") or "")
    record = PhishingResult(
        key=f"knowbe4:pst:{pst_id}:{recipient_id}",
        name=f"{email}: {campaign}",
        source=SOURCE,
        person=email,
        campaign=campaign,
        test=test_key(pst_id),
        sent_at=delivered_at,
        delivered=delivered,
        reported=flag(reported_at),
        clicked=flag(times["clicked"]),
        data_entered=flag(times["data_entered"]),
        attachment_opened=flag(times["attachment_opened"]),
        macro_enabled=flag(times["macro_enabled"]),
        replied=flag(times["replied"]),
        qr_code_scanned=flag(times["qr_code_scanned"]),
    )
    return record, []
