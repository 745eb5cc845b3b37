"""Training enrolments past their due date."""

from collections.abc import Iterator

from vaultward.contract.records import TrainingRecord
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed

OPEN = ("in_progress", "not_started", "past_due")


@check(
    id="training.overdue_enrolments",
    title="No training enrolment is overdue",
    mitigation="training",
    severity="low",
    weight=1,
    reads=[TrainingRecord],
    references=["attack-mitigation:M1017", "cis-v8:14.1", "nist-csf:PR.AT-01"],
    remediation="Chase the listed people and their managers until the overdue modules are done.",
)
def overdue_enrolments(ctx: CheckContext) -> Iterator[Result]:
    """An assignment left overdue is training that did not happen, for exactly the people
    the programme meant to reach."""
    for record in ctx.records(TrainingRecord):
        if record.status in ("passed", "completed"):
            yield not_applicable(record, f"{record.module}: {record.status}", person=record.person)
            continue
        if record.category == "other":
            yield not_applicable(record, f"{record.module}: not security training", person=record.person)
            continue
        overdue = record.status == "past_due" or (
            record.status in OPEN and record.due_at is not None and record.due_at < ctx.now
        )
        evidence = {
            "module": record.module,
            "status": record.status,
            "due_at": record.due_at,
            "person": record.person,
        }
        if overdue:
            yield failed(record, f"{record.module}: overdue ({record.status})", **evidence)
        elif record.status in OPEN:
            yield passed(record, f"{record.module}: {record.status}, not yet due", **evidence)
        else:
            yield not_applicable(
                record, f"{record.module}: {record.status}, not an open enrolment", **evidence
            )
