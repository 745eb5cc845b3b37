"""Shared by the training checks: who the people are and when they last passed a module."""

from collections.abc import Iterable
from datetime import datetime

from vaultward.records import Identity, TrainingRecord

PASSED = ("passed", "completed")


def people(identities: Iterable[Identity]) -> list[tuple[str, Identity]]:
    """(person id, an identity of theirs) per distinct person: the e-mail when known, else the
    identity key. Results name the identity, so they carry its scope (and its freshness)."""
    seen: dict[str, Identity] = {}
    for identity in identities:
        if not identity.person or identity.suspended:
            continue
        seen.setdefault((identity.email or identity.key).lower(), identity)
    return sorted(seen.items(), key=lambda item: item[0])


def latest_completion(records: Iterable[TrainingRecord], person: str, category: str) -> datetime | None:
    dates = [
        r.completed_at
        for r in records
        if r.person.lower() == person and r.category == category and r.status in PASSED and r.completed_at
    ]
    return max(dates, default=None)
