"""Vendor timestamps in ISO 8601 / RFC 3339 (`2026-11-20T08:15:02Z`,
`2019-04-02T15:02:38.000Z`) as aware datetimes, the one parser the mappers share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_time(value: Any) -> datetime | None:
    """An aware datetime (a naive one is UTC); None for null or ""; ValueError for a value
    that is not a timestamp, so the mapper reports it rather than guessing."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a timestamp")
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
