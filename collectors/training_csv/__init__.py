"""training_csv: training records exported from any LMS as CSV files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors.training_category import DEFAULT_LURE_MODULES
from collectors.training_csv.mapper import ISO, RowError, map_row
from collectors.training_csv.reader import CsvImportError, csv_files, read_rows
from vaultward.config.bounded import PATH_LENGTH, SCOPE_LENGTH, Bounded, Name
from vaultward.contract.records import Record, TrainingRecord
from vaultward.contract.sdk import Collector, Problem, Scope

# Bad rows listed per file; the rest are counted, so one broken export cannot flood the Run.
MAX_ROW_PROBLEMS = 50


class TrainingCsvOptions(BaseModel):
    """`[sources.training_csv]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Annotated[str, Bounded(max_length=PATH_LENGTH, min_length=1)]
    # the scope id is training_csv:<source_label>
    source_label: str = Field(
        default="csv",
        min_length=1,
        max_length=SCOPE_LENGTH - len("training_csv:"),
        pattern=r"^[A-Za-z0-9_.-]+$",
    )
    lure_modules: list[Name] = Field(default_factory=lambda: list(DEFAULT_LURE_MODULES), max_length=1000)
    date_format: Annotated[str, Bounded(max_length=100)] = ISO

    @field_validator("date_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value != ISO and "%" not in value:
            raise ValueError('expected "iso" or a strptime pattern like "%d/%m/%Y"')
        return value


class TrainingCsvCollector(Collector):
    """Training completions from any LMS, imported from CSV exports. One scope,
    `training_csv:<source_label>`.

    Configuration (`[sources.training_csv]`):

    - `path` (required): a CSV file, or a folder whose `*.csv` files are all read (not its
      sub-folders). A relative path is relative to the configuration file.
    - `source_label`: the `source` of the records, e.g. the LMS's name (default `csv`).
    - `lure_modules`: case-insensitive substrings of module names that count as the
      specialised lure training when a row has no `category` (default: recruit, job offer,
      social engineering, collaborat, deepfake, lazarus).
    - `date_format`: `iso` (default: ISO 8601, `2026-03-31` or `2026-03-31T14:00:00Z`) or a
      strptime pattern such as `%d/%m/%Y`.
    No credentials: the worker only needs read access to the files.

    Columns (first row; names are case-insensitive, spaces or hyphens count as `_`, other
    columns are ignored):

    | column | required | content |
    |---|---|---|
    | `email` | yes | the person's e-mail address (matched case-insensitively) |
    | `module` | yes | the training module's name |
    | `status` | yes | `passed`, `completed`, `in_progress`, `not_started`, `past_due` or `failed`, case-insensitive (`In Progress` works) |
    | `completed_at` | yes (the column) | the completion date; required when the status is `passed` or `completed` |
    | `category` | no | `awareness`, `lure` or `other`; empty: `lure` when the module matches `lure_modules`, else `awareness` |
    | `due_at` | no | the due date |
    | `name` | no | the person's name, shown as the record's label |

    Dates without a timezone are UTC. Files are UTF-8 (a byte-order mark is fine), comma-,
    semicolon- or tab-separated, quoted the way Excel quotes.

    A bad row is reported with its file and line (`trainings.csv line 7: status 'done' is
    not one of passed, completed, ...`) and the other rows still import: the Run is
    `partial`. A file that is missing, empty, not UTF-8, lacks a required column or has a
    cell the csv module cannot read (over 131,072 characters) fails the Run, and the facts
    of the last good import stay in use.

    A record's key is `<source_label>:<email>:<module>:<completed_at or "open">`: stable
    across exports however rows are sorted or inserted (a line-number key would turn the
    same completion into a new resource whenever the file changes shape). Rows with the
    same key are imported once; a conflicting duplicate is reported.
    """

    name = "training_csv"
    title = "Training records from CSV (any LMS)"
    produces = (TrainingRecord,)
    permissions = ("file:read (the configured path)",)
    options_model = TrainingCsvOptions
    enabled_by_default = False

    def scopes(self) -> list[Scope]:
        options: TrainingCsvOptions = self.options
        path = Path(options.path).expanduser()
        if not path.is_absolute() and self.settings.source_file is not None:
            path = self.settings.source_file.parent / path
        return [Scope(self.name, f"training_csv:{options.source_label}", {"path": str(path)})]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: TrainingCsvOptions = self.options
        kinds = (TrainingRecord.kind,)
        seen: dict[str, tuple[TrainingRecord, str]] = {}
        # Every file is opened and its header checked before any record is yielded: a broken
        # file fails the Run as a whole.
        files = [(path, read_rows(path)) for path in csv_files(Path(scope.params["path"]))]
        for path, rows in files:
            bad = 0
            for line, row in rows:
                where = f"{path.name} line {line}"
                mapped = map_row(row, where, options.source_label, options.lure_modules, options.date_format)
                problem: str | None = None
                if isinstance(mapped, RowError):
                    problem = str(mapped)
                elif mapped.key in seen:
                    first, first_where = seen[mapped.key]
                    if first != mapped:
                        problem = (
                            f"{where}: same email, module and completed_at as {first_where} "
                            "with different values; the first was kept"
                        )
                else:
                    seen[mapped.key] = (mapped, where)
                    yield mapped
                if problem is not None:
                    bad += 1
                    if bad <= MAX_ROW_PROBLEMS:
                        yield Problem(problem, kinds)
            if bad > MAX_ROW_PROBLEMS:
                yield Problem(f"{path.name}: {bad - MAX_ROW_PROBLEMS} more bad rows not listed", kinds)


__all__ = ["CsvImportError", "TrainingCsvCollector", "TrainingCsvOptions"]
