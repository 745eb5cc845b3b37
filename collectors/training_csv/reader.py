"""Reads training CSV files: one file or every *.csv of a folder, header checked, rows with
the line they start on. Excel's quoting, a UTF-8 byte-order mark and `;` separators work."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from collectors.training_csv.mapper import REQUIRED_COLUMNS, normalise_header


class CsvImportError(Exception):
    """A file cannot be imported at all (missing, empty, not UTF-8, a required column missing)."""


def csv_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise CsvImportError(f"{path}: no *.csv files in the folder")
        return files
    raise CsvImportError(f"{path}: no such file or folder")


def _delimiter(header_line: str) -> str:
    """Excel writes `;` where the decimal separator is a comma; tabs come from some LMSs."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by normalised column name) for each non-blank data row. Raises
    CsvImportError before the first row when the file cannot be imported."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvImportError(f"{path.name}: not UTF-8 text (save it as 'CSV UTF-8'): {error}") from None
    except OSError as error:
        raise CsvImportError(f"{path.name}: cannot read: {error.strerror or error}") from None
    if not text.strip():
        raise CsvImportError(
            f"{path.name}: the file is empty (expected a header row with {', '.join(REQUIRED_COLUMNS)})"
        )
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header_cells = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
        if header_cells is None:  # only separators and blanks ("; ;")
            raise CsvImportError(
                f"{path.name}: no header row (expected a header row with {', '.join(REQUIRED_COLUMNS)})"
            )
        header = [normalise_header(name) for name in header_cells]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            found = ", ".join(name for name in header if name) or "none"
            plural = "s" if len(missing) > 1 else ""
            raise CsvImportError(
                f"{path.name}: missing required column{plural} {', '.join(missing)} (found: {found})"
            )
        # Parsed whole before anything is yielded: a file the csv module cannot read fails
        # the Run with its line, like a missing column, instead of half-way through.
        return iter(list(_rows(reader, header)))
    except csv.Error as error:  # a cell over the csv module's size limit
        raise CsvImportError(f"{path.name} line {reader.line_num}: cannot read: {error}") from None


def _rows(reader, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num  # a quoted cell may span several lines
        if not any(cell.strip() for cell in cells):
            continue
        yield start, {name: value for name, value in zip(header, cells, strict=False) if name}
