"""What one fault left: the commands the user ran and what each said, the fault's own checks,
and what the store kept; printed as a markdown table with a summary line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")  # the CLI's log lines: time, level, logger
CELL = 150  # characters a table cell keeps


@dataclass
class Step:
    """One command as the user ran it; `expected` None for a process the campaign killed."""

    label: str
    code: int | None
    expected: tuple[int, ...] | None
    stdout: str = ""
    stderr: str = ""

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout + self.stderr

    @property
    def as_expected(self) -> bool:
        return self.expected is None or self.code in self.expected

    def error_lines(self) -> list[str]:
        """stderr without the routine INFO log lines; log lines keep their level and text."""
        lines = []
        for line in self.stderr.splitlines():
            if LOG_LINE.match(line):
                if " INFO " in line[:40]:
                    continue
                line = LOG_LINE.sub("", line)
            if line.strip():
                lines.append(line.strip())
        return lines

    def headline(self) -> str:
        lines = self.error_lines()
        return lines[0] if lines else ""

    def shown(self) -> str:
        return f"{self.label} {'killed' if self.code == -9 else self.code}"

    def problems(self) -> list[str]:
        found = []
        if not self.as_expected:
            wanted = " or ".join(str(code) for code in self.expected or ())
            found.append(f"{self.label} exit {self.code}, expected {wanted}")
        if self.traceback:
            found.append(f"traceback from {self.label}")
        return found


@dataclass
class Kept:
    """The store after the fault and the commands that followed it."""

    facts_before: int
    facts_after: int
    lost: int  # committed facts missing, or fewer than an ok Run says it stored
    duplicated: int  # the same (run, kind, key) more than once
    orphaned: int  # Runs of this fault left `running` with no process of ours alive
    half_written: int  # failed Runs holding facts, evaluations missing findings or scores

    def shown(self) -> str:
        text = (
            f"facts {self.facts_before} → {self.facts_after}, lost {self.lost}, duplicated {self.duplicated}"
        )
        text += f"; runs left running {self.orphaned}"
        return text + (f"; half-written {self.half_written}" if self.half_written else "")


@dataclass
class Outcome:
    store: str
    fault: str
    steps: list[Step] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)  # the fault's own: (what, held)
    kept: Kept | None = None
    main: int = 0  # the step whose first stderr line is shown
    leaked: list[str] = field(default_factory=list)  # where a secret was seen

    def check(self, what: str, held: bool) -> None:
        self.checks.append((what, held))

    def problems(self) -> list[str]:
        found = [problem for step in self.steps for problem in step.problems()]
        found += [f"not: {what}" for what, held in self.checks if not held]
        if self.kept and self.kept.orphaned:
            found.append(f"{self.kept.orphaned} run(s) left running")
        found += [f"secret in {where}" for where in self.leaked]
        return found

    @property
    def clean(self) -> bool:
        return not self.problems()

    def row(self) -> list[str]:
        codes = ", ".join(step.shown() for step in self.steps)
        headline = self.steps[self.main].headline() if self.steps else ""
        seen = f"{codes}: “{headline}”" if headline else codes
        clean = "yes" if self.clean else "no: " + "; ".join(self.problems())
        kept = self.kept.shown() if self.kept else "not read"
        return [self.store, self.fault, seen, clean, kept]


def cell(text: str) -> str:
    """A table cell: control characters shown as escapes, pipes escaped, cut to CELL characters."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    text = text if len(text) <= CELL else text[: CELL - 1] + "…"
    return text.replace("|", "\\|")


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| store | fault | what the user sees (exit codes: first stderr line) | clean? | what is kept |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in outcome.row()) + " |" for outcome in outcomes]
    return "\n".join(lines)


@dataclass(frozen=True)
class Totals:
    injected: int
    clean: int
    lost: int
    duplicated: int
    orphaned: int
    half_written: int
    leaked: int

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Totals:
        kept = [outcome.kept for outcome in outcomes if outcome.kept]
        return cls(
            injected=len(outcomes),
            clean=sum(outcome.clean for outcome in outcomes),
            lost=sum(k.lost for k in kept),
            duplicated=sum(k.duplicated for k in kept),
            orphaned=sum(k.orphaned for k in kept),
            half_written=sum(k.half_written for k in kept),
            leaked=sum(len(outcome.leaked) for outcome in outcomes),
        )

    def line(self) -> str:
        return (
            f"faults injected {self.injected}, ended cleanly {self.clean}, facts lost {self.lost}, "
            f"duplicated {self.duplicated}, runs orphaned {self.orphaned}, half-written {self.half_written}, "
            f"secrets leaked {self.leaked}"
        )

    @property
    def integrity_held(self) -> bool:
        """Nothing lost, duplicated, half written or leaked (what makes the script exit 1)."""
        return not (self.lost or self.duplicated or self.half_written or self.leaked)
