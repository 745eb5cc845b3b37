"""Pure validation and mapping of one training CSV row to a TrainingRecord.

A bad row becomes a `RowError` naming the file, the line and every problem found in it, so
one message tells the person fixing the export everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

from collectors.training_category import training_category
from vaultward.contract.records import TrainingRecord

REQUIRED_COLUMNS = ("email", "module", "status", "completed_at")
OPTIONAL_COLUMNS = ("category", "due_at", "name")
STATUSES: tuple[str, ...] = get_args(TrainingRecord.model_fields["status"].annotation)
CATEGORIES: tuple[str, ...] = get_args(TrainingRecord.model_fields["category"].annotation)
COMPLETED = ("passed", "completed")
ISO = "iso"


@dataclass(frozen=True)
class RowError:
    where: str  # "trainings.csv line 7"
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}: {'; '.join(self.problems)}"


def normalise_header(name: str) -> str:
    """`Completed At`, ` completed-at ` and `COMPLETED_AT` all name `completed_at`."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def parse_date(value: str, date_format: str = ISO) -> datetime:
    """An ISO 8601 date or datetime (or `date_format`, a strptime pattern) as an aware
    datetime; no timezone means UTC. Raises ValueError."""
    text = value.strip()
    parsed = datetime.fromisoformat(text) if date_format == ISO else datetime.strptime(text, date_format)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)  # keys and checks compare in UTC
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first day datetime knows
        raise ValueError(f"{value!r} is out of range in UTC") from None
    return parsed


def _expected_date(date_format: str) -> str:
    if date_format == ISO:
        return "expected an ISO 8601 date like 2026-03-31 or 2026-03-31T14:00:00Z"
    return f"expected the date format {date_format}"


def record_key(source_label: str, email: str, module: str, completed_at: datetime | None) -> str:
    """Stable across exports: the same person, module and completion always give the same key,
    whatever line the row is on or however the file is sorted."""
    when = completed_at.astimezone(UTC).isoformat() if completed_at else "open"
    return f"{source_label}:{email}:{module}:{when}"


def map_row(
    row: Mapping[str, str],
    where: str,
    source_label: str,
    lure_modules: Iterable[str],
    date_format: str = ISO,
) -> TrainingRecord | RowError:
    problems: list[str] = []

    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    email = cell("email").lower()
    if not email:
        problems.append("email is empty")
    elif "@" not in email or any(ch.isspace() for ch in email):
        problems.append(f"email {cell('email')!r} is not an e-mail address")

    module = cell("module")
    if not module:
        problems.append("module is empty")

    raw_status = cell("status")
    status = normalise_header(raw_status)
    if not raw_status:
        problems.append(f"status is empty (expected one of {', '.join(STATUSES)})")
    elif status not in STATUSES:
        problems.append(f"status {raw_status!r} is not one of {', '.join(STATUSES)}")

    dates: dict[str, datetime | None] = {}
    for column in ("completed_at", "due_at"):
        value = cell(column)
        dates[column] = None
        if value:
            try:
                dates[column] = parse_date(value, date_format)
            except ValueError:
                problems.append(f"{column} {value!r} is not a date ({_expected_date(date_format)})")
    if status in COMPLETED and not cell("completed_at"):
        problems.append(f"completed_at is required when status is {status}")

    raw_category = cell("category")
    category = raw_category.lower()
    if category and category not in CATEGORIES:
        problems.append(f"category {raw_category!r} is not one of {', '.join(CATEGORIES)}")

    if problems:
        return RowError(where, tuple(problems))
    return TrainingRecord(
        key=record_key(source_label, email, module, dates["completed_at"]),
        name=cell("name"),
        source=source_label,
        person=email,
        module=module,
        category=category or training_category((module,), lure_modules),  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        completed_at=dates["completed_at"],
        due_at=dates["due_at"],
    )
