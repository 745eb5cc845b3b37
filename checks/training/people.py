"""Shared by the training checks: who the people are and when they last passed a module."""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from vaultward.records import Identity, TrainingRecord
from vaultward.sdk import CheckContext, Result, failed, passed, unknown

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


def judge_training(
    ctx: CheckContext, identities: Iterable[Identity], category: str, max_age_days: int
) -> Iterator[Result]:
    """Per person: pass if they passed a `category` module within `max_age_days`; unknown for
    everyone at once when no training source is connected."""
    records = ctx.records(TrainingRecord)
    if not records:
        yield unknown("training", f"no training source is connected: {category} training cannot be measured")
        return
    window = timedelta(days=max_age_days)
    for person, identity in people(identities):
        completed = latest_completion(records, person, category)
        if completed is None:
            yield failed(identity, f"no passed {category} training on record", person=person)
            continue
        age = (ctx.now - completed).days
        if ctx.now - completed > window:
            yield failed(identity, f"{category} training last passed {age} days ago", completed_at=completed)
        else:
            yield passed(identity, f"{category} training passed {age} days ago", completed_at=completed)
