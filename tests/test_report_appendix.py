"""The printed report's findings tables: every row up to the bound, then most severe checks
first, failing before unknown, a few per check and a line saying how many more."""

from vaultward.reporting.appendix import CUT, MESSAGE_CHARS, PER_CHECK, PRINT_ALL, MoreFindings, printable
from vaultward.reporting.content import FindingLine


def line(check_id: str, severity: str, n: int, status: str = "fail") -> FindingLine:
    return FindingLine(check_id, check_id.split(".")[0], severity, f"r{n:05d}", f"r{n:05d}", status, "why")


def test_up_to_the_bound_every_finding_is_printed_as_given():
    lines = [line("access.b", "low", n) for n in range(PRINT_ALL)]
    assert printable(lines) == lines


def test_beyond_the_bound_checks_most_severe_first_with_the_rest_counted():
    low = [line("training.overdue", "low", n) for n in range(400)]
    critical = [line("custody.threshold", "critical", n, "unknown" if n % 2 else "fail") for n in range(300)]
    few = [line("access.root", "high", n) for n in range(3)]
    rows = printable(low + few + critical)

    order = list(dict.fromkeys(row.check_id for row in rows))
    assert order == ["custody.threshold", "access.root", "training.overdue"]
    shown = [row for row in rows if isinstance(row, FindingLine)]
    assert len([r for r in shown if r.check_id == "custody.threshold"]) == PER_CHECK
    assert all(r.status == "fail" for r in shown if r.check_id == "custody.threshold")  # failing first
    assert len([r for r in shown if r.check_id == "access.root"]) == 3
    more = {row.check_id: row.count for row in rows if isinstance(row, MoreFindings)}
    assert more == {"custody.threshold": 300 - PER_CHECK, "training.overdue": 400 - PER_CHECK}
    assert len(shown) + sum(more.values()) == 703


def test_long_messages_are_cut_in_print_only():
    long = FindingLine(
        "segmentation.paths", "segmentation", "critical", "vpc-1", "vpc-1", "fail", "p; " * 2000
    )
    (printed,) = printable([long])
    assert isinstance(printed, FindingLine)
    assert printed.message.endswith(CUT) and len(printed.message) <= MESSAGE_CHARS + len(CUT)
    assert len(long.message) == 6000  # the line itself, as the CSV and JSON write it, keeps all
