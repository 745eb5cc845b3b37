"""A demo CSV export from Acme Exchange's own LMS ("Acme Academy") for the training_csv source."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

COLUMNS = ("email", "name", "module", "category", "status", "completed_at", "due_at")


def demo_training_csv(path: Path | str, now: datetime | None = None, as_of: datetime | None = None) -> Path:
    """Write the export (UTF-8 with a byte-order mark and Excel quoting, as Excel saves it) and
    return its path. Carol and Erin took the in-house Lazarus lure workshop a month ago, Grace
    (a BitGo signer) three weeks ago; the signers' ceremony module is `other`; peggy, a new
    contractor, is still in progress on awareness; dave is past due on the workshop.
    `as_of`: the export as it read on an earlier day (the demo's past weeks): a module
    completed after it is still in progress, one due after it not yet past due."""
    now = now or datetime.now(UTC)

    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()

    workshop = 'Lazarus playbook: "recruiters", coding tests, collaborators'
    rows = [
        ("carol@acme.example", "Carol Acme", workshop, "", "Passed", day(30), ""),
        ("erin@acme.example", "Erin Acme", workshop, "", "Passed", day(31), ""),
        ("grace@acme.example", "Grace Acme", workshop, "", "Passed", day(21), ""),
        ("dave@acme.example", "Dave Acme", workshop, "", "Past Due", "", day(10)),
        (
            "alice@acme.example",
            "Alice Acme",
            "Signing ceremony, key custody",
            "other",
            "completed",
            day(80),
            "",
        ),
        (
            "peggy@acme.example",
            "Peggy Contractor",
            "Security Awareness for Contractors",
            "awareness",
            "In Progress",
            "",
            day(-14),
        ),
        (
            "judy@acme.example",
            "Judy Acme",
            "Security Awareness for Contractors",
            "",
            "passed",
            f"{day(200)}T10:15:00Z",
            "",
        ),
    ]
    if as_of is not None:
        rows = [_as_of(row, as_of.date().isoformat()) for row in rows]
    target = Path(path)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)  # the "excel" dialect: quotes cells with commas or quotes
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return target


Row = tuple[str, str, str, str, str, str, str]  # COLUMNS


def _as_of(row: Row, day: str) -> Row:
    """`row` as the LMS showed it on `day` (ISO dates compare as text)."""
    email, name, module, category, status, completed, due = row
    if completed[:10] > day or (status == "Past Due" and due > day):
        return (email, name, module, category, "In Progress", "", due)
    return row
