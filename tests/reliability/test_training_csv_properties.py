"""Property tests of the training CSV import: any file gives records and located Problems
(the good rows still import), or a CsvImportError naming the file; never another exception."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from collectors.training_csv import CsvImportError, TrainingCsvCollector
from tests.reliability.strategies import PROPERTY, hostile_text
from vaultward.config.settings import parse_settings
from vaultward.contract.records import TrainingRecord
from vaultward.contract.sdk import Problem

COLUMNS = ["email", "module", "status", "completed_at", "category", "due_at", "name"]
HEADER_SPELLINGS = {"completed_at": ["Completed At", "completed-at", "COMPLETED_AT"], "due_at": ["Due-At"]}


def collect(path: Path, **options) -> list:
    collector = TrainingCsvCollector(
        parse_settings({"sources": {"training_csv": {"path": str(path), **options}}})
    )
    [scope] = collector.scopes()
    return list(collector.collect(scope))


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            ["passed", "In Progress", "done", "lure", "x@y", "2026-03-31", "31/03/2026", "=1+1", "@SUM(A1)"]
        ),
        hostile_text(),
    )


@st.composite
def export(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """A CSV export: a header (required columns, maybe some missing, extra or respelled), good
    rows (their record keys returned) and hostile rows, in some dialect."""
    columns = [
        draw(st.sampled_from([name, *HEADER_SPELLINGS.get(name, [])]))
        for name in COLUMNS
        if draw(st.integers(min_value=0, max_value=12)) > 0  # now and then a column is missing
    ]
    columns += draw(st.lists(hostile_text(), max_size=2))  # extra, ignored columns
    columns = draw(st.permutations(columns))
    normalised = ["_".join(c.strip().lower().replace("-", " ").split()) for c in columns]
    rows: list[list[str]] = []
    good_keys: set[str] = set()
    for index in range(draw(st.integers(min_value=0, max_value=6))):
        if draw(st.booleans()):
            good = {
                "email": f"person{index}@acme.example",
                "module": f"Module {index}",
                "status": "passed",
                "completed_at": "2026-03-31",
            }
            rows.append([good.get(name, "") for name in normalised])
            good_keys.add(f"csv:person{index}@acme.example:Module {index}:2026-03-31T00:00:00+00:00")
        else:
            rows.append(draw(st.lists(_cell(), max_size=len(columns) + 2)))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode("utf-8", "surrogatepass"), good_keys


def _check(items_or_error, name: str) -> list:
    items = items_or_error
    for item in items:
        assert isinstance(item, TrainingRecord | Problem), item
        if isinstance(item, Problem):
            assert item.reason.startswith(f"{name} line ") or item.reason.startswith(f"{name}: "), (
                item.reason[:200]
            )
    return items


@PROPERTY
@given(export())
def test_an_export_imports_its_good_rows_and_locates_the_bad_ones(tmp_path_factory, generated):
    content, good_keys = generated
    path = tmp_path_factory.mktemp("csv") / "trainings.csv"
    path.write_bytes(content)
    try:
        items = _check(collect(path), "trainings.csv")
    except CsvImportError as error:
        assert str(error).startswith("trainings.csv"), str(error)[:200]
        return
    keys = {item.key for item in items if isinstance(item, TrainingRecord)}
    assert good_keys <= keys


@PROPERTY
@given(st.one_of(hostile_text(), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))), st.booleans())
def test_any_text_is_imported_or_refused_with_the_file_named(tmp_path_factory, text, with_header):
    header = "email,module,status,completed_at\n" if with_header else ""
    path = tmp_path_factory.mktemp("csv") / "raw.csv"
    path.write_bytes((header + text).encode("utf-8", "surrogatepass"))
    try:
        _check(collect(path), "raw.csv")
    except CsvImportError as error:
        assert str(error).startswith("raw.csv"), str(error)[:200]


@PROPERTY
@given(date=hostile_text(), date_format=st.sampled_from(["iso", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S%z", "%j"]))
def test_any_date_is_parsed_or_reported(tmp_path_factory, date, date_format):
    path = tmp_path_factory.mktemp("csv") / "dates.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["email", "module", "status", "completed_at", "due_at"],
            ["a@acme.example", "M", "passed", date, date],
        ]
    )
    path.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
    try:
        _check(collect(path, date_format=date_format), "dates.csv")
    except CsvImportError as error:
        assert str(error).startswith("dates.csv"), str(error)[:200]
