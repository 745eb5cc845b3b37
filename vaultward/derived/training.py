"""Training as the checks judge it: each person's latest passed module of a category
(`CheckContext.training_completions`), who is judged, and the verdicts of the training
checks."""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from vaultward.contract.records import TrainingRecord
from vaultward.contract.sdk import CheckContext, Result, failed, not_applicable, passed, unknown
from vaultward.contract.vocabulary import Status
from vaultward.derived.access import privilege_unknown
from vaultward.derived.people import Directory, Person, not_a_person

PASSED = ("passed", "completed")


def latest_completions(
    records: Iterable[TrainingRecord], directory: Directory
) -> dict[tuple[str, str], datetime]:
    """The latest passed completion per (person's e-mail, category), in one pass: looking each
    person up in every record would cost people x records."""
    latest: dict[tuple[str, str], datetime] = {}
    for r in records:
        if r.status in PASSED and r.completed_at:
            key = (directory.email_of(r.person), r.category)
            if key not in latest or r.completed_at > latest[key]:
                latest[key] = r.completed_at
    return latest


def humans(ctx: CheckContext) -> list[Person]:
    """Staff with at least one active identity; machine accounts and guests from outside the
    organisation are not trained here."""
    return [person for person in ctx.people() if person.employee and person.active_identities]


def not_judged(ctx: CheckContext, judged: Iterable[Person], why: str) -> Iterator[Result]:
    """Not applicable, with the reason, for every person of the evaluation a training check
    does not judge: machines, guests, people with no active identity, and the others for `why`."""
    chosen = {person.id for person in judged}
    for person in ctx.people():
        if person.id not in chosen:
            reason = not_a_person(person) if not person.employee or not person.active_identities else why
            yield not_applicable(person.id, reason, sources=person.sources)


def training_verdict(
    ctx: CheckContext, email: str, category: str, max_age_days: int
) -> tuple[Status, str, datetime | None]:
    """(pass or fail, the reason, when last passed) for one person's `category` training."""
    completed = ctx.training_completions.get((email, category))
    if completed is None:
        return "fail", f"no passed {category} training on record", None
    age = (ctx.now - completed).days
    if ctx.now - completed > timedelta(days=max_age_days):
        return "fail", f"{category} training last passed {age} days ago", completed
    return "pass", f"{category} training passed {age} days ago", completed


def judge_training(
    ctx: CheckContext, people: Iterable[Person], category: str, max_age_days: int
) -> Iterator[Result]:
    """Per person: pass if they passed a `category` module within `max_age_days`; unknown for
    everyone at once when no training source is connected, and for a person no e-mail ties
    to training records."""
    records = ctx.records(TrainingRecord)
    if not records:
        yield unknown("training", f"no training source is connected: {category} training cannot be measured")
        return
    for person in people:
        evidence: dict[str, Any] = {
            "sources": person.sources,
            "identities": [i.key for i in person.identities],
        }
        if not person.email:
            yield unknown(
                person.id,
                "no e-mail ties this identity to training records: add it to policy.people.aliases",
                **evidence,
            )
            continue
        status, reason, completed = training_verdict(ctx, person.email, category, max_age_days)
        if completed is not None:
            evidence["completed_at"] = completed
        yield (passed if status == "pass" else failed)(person.email, reason, **evidence)


def privileged_and_signers(ctx: CheckContext) -> dict[str, Person]:
    """Staff a source marks privileged, and every wallet signer or transfer approver that
    resolves to a person (by e-mail, even when no identity of theirs was seen), by person id."""
    chosen = {person.id: person for person in humans(ctx) if person.privileged}
    everyone = {person.id: person for person in ctx.people()}
    for email in ctx.custody_people:
        if email not in chosen:
            chosen[email] = everyone.get(email) or Person(id=email, identities=(), machine=False)
    return chosen


def not_privileged(ctx: CheckContext, chosen: Iterable[Person]) -> Iterator[Result]:
    """The rest of a check about `privileged_and_signers`: unknown for staff whose privilege a
    failed request left unknown (never silently left out), not applicable for everyone else."""
    judged = {person.id: person for person in chosen}
    for person, gap in list(privilege_unknown(ctx, humans(ctx), judged)):
        judged[person.id] = person
        yield unknown(person.id, f"whether {person.label} is privileged is unknown: {gap}")
    yield from not_judged(ctx, judged.values(), "neither privileged nor a wallet signer or transfer approver")
