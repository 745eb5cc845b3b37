"""Which findings the printed report (HTML and PDF) lists. Up to `PRINT_ALL` rows a table
lists every finding; beyond that, checks most severe first and the first `PER_CHECK`
findings of each (failing before unknown), each check closed by a line saying how many more
the CSV and JSON files hold. Messages longer than `MESSAGE_CHARS` are cut (a VPC's list of
hundreds of paths fills pages). The CSV and JSON always keep every finding in full: a
100,000-identity organisation's tens of thousands of rows would take WeasyPrint many minutes
and thousands of pages nobody reads."""

from __future__ import annotations

from dataclasses import dataclass, replace

from vaultward.contract.vocabulary import SEVERITIES
from vaultward.reporting.content import FindingLine

PRINT_ALL = 500
PER_CHECK = 25
MESSAGE_CHARS = 400
CUT = " … (in full in the CSV and JSON)"
STATUS_ORDER = {"fail": 0, "unknown": 1}


@dataclass(frozen=True)
class MoreFindings:
    """The findings of one check a printed table leaves out."""

    check_id: str
    count: int


def printable(lines: list[FindingLine]) -> list[FindingLine | MoreFindings]:
    """The rows a printed findings table shows (see the module docstring)."""
    if len(lines) <= PRINT_ALL:
        return [_shortened(line) for line in lines]
    by_check: dict[str, list[FindingLine]] = {}
    for line in lines:
        by_check.setdefault(line.check_id, []).append(line)
    rank: dict[str, int] = {severity: n for n, severity in enumerate(SEVERITIES)}
    rows: list[FindingLine | MoreFindings] = []
    for check_id, found in sorted(
        by_check.items(), key=lambda item: (rank.get(item[1][0].severity, len(rank)), item[0])
    ):
        found = sorted(found, key=lambda line: (STATUS_ORDER.get(line.status, 2), line.resource))
        rows += [_shortened(line) for line in found[:PER_CHECK]]
        if len(found) > PER_CHECK:
            rows.append(MoreFindings(check_id, len(found) - PER_CHECK))
    return rows


def _shortened(line: FindingLine) -> FindingLine:
    if len(line.message) <= MESSAGE_CHARS:
        return line
    return replace(line, message=line.message[:MESSAGE_CHARS].rstrip() + CUT)


def is_capped(lines: list[FindingLine]) -> bool:
    return len(lines) > PRINT_ALL
