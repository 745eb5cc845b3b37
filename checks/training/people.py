"""Shared by the training checks: who the people are and when they last passed a module."""

from collections.abc import Iterable
from datetime import datetime

from vaultward.records import Identity, TrainingRecord

PASSED = ("passed", "completed")


def people(identities: Iterable[Identity]) -> list[tuple[str, str]]:
    """(person id, label) per distinct person: e-mail when known, else the identity key."""
    seen: dict[str, str] = {}
    for identity in identities:
        if not identity.person or identity.suspended:
            continue
        person = (identity.email or identity.key).lower()
        seen.setdefault(person, identity.email or identity.label)
    return sorted(seen.items())


def latest_completion(records: Iterable[TrainingRecord], person: str, category: str) -> datetime | None:
    dates = [
        r.completed_at
        for r in records
        if r.person.lower() == person and r.category == category and r.status in PASSED and r.completed_at
    ]
    return max(dates, default=None)
