"""The training CSV import: a good export, bad rows named by file and line (the rest still
import), a missing column or an empty file failing the Run, folders, options."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from collectors.training_csv import MAX_ROW_PROBLEMS, CsvImportError, TrainingCsvCollector
from demo.fakes.training_csv import demo_training_csv
from vaultward.config.settings import ConfigError, load_settings, parse_settings
from vaultward.contract.records import TrainingRecord
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope
from vaultward.store.models import Fact, Run

GOOD = (
    "\ufeffEmail;Module;Status;Completed At;Category;Due-At;Name;LMS user id\r\n"
    "Alice@Acme.example;Security Awareness 2026;Passed;2026-03-31;;;Alice Acme;17\r\n"
    "\r\n"
    'bob@acme.example;"Fake recruiters; the ""coding test""\nand the follow-up";in progress;;;2026-12-01T09:00:00+01:00;;18\r\n'
    "carol@acme.example;Signing ceremony;COMPLETED;2026-10-01T14:30:00Z;other;;;19\r\n"
    "dave@acme.example;Security Awareness 2026;not_started;;;;;20\r\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def collector(path: Path | str, **options) -> TrainingCsvCollector:
    return TrainingCsvCollector(parse_settings({"sources": {"training_csv": {"path": str(path), **options}}}))


def collect(path: Path | str, **options) -> list:
    instance = collector(path, **options)
    [scope] = instance.scopes()
    return list(instance.collect(scope))


def record(
    email: str, module: str, status: str, completed_at: datetime | None = None, **fields
) -> TrainingRecord:
    when = completed_at.isoformat() if completed_at else "open"
    return TrainingRecord(
        key=f"{fields.pop('source', 'csv')}:{email}:{module}:{when}",
        source="csv",
        person=email,
        module=module,
        status=status,
        completed_at=completed_at,
        **fields,
    )


def test_a_good_export_imports_every_row(tmp_path):
    path = write(tmp_path, "trainings.csv", GOOD)
    instance = collector(path)
    assert [(s.id, s.params["path"]) for s in instance.scopes()] == [("training_csv:csv", str(path))]
    lure_module = 'Fake recruiters; the "coding test"\nand the follow-up'
    assert collect(path) == [
        record(
            "alice@acme.example",
            "Security Awareness 2026",
            "passed",
            datetime(2026, 3, 31, tzinfo=UTC),
            name="Alice Acme",
        ),
        record(
            "bob@acme.example",
            lure_module,
            "in_progress",
            category="lure",
            due_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        ),
        record(
            "carol@acme.example",
            "Signing ceremony",
            "completed",
            datetime(2026, 10, 1, 14, 30, tzinfo=UTC),
            category="other",
        ),
        record("dave@acme.example", "Security Awareness 2026", "not_started"),
    ]


BAD = (
    "email,module,status,completed_at,category,due_at\n"
    "alice@acme.example,Security Awareness 2026,passed,2026-03-31,,\n"  # line 2: good
    "bob@acme.example,Security Awareness 2026,done,2026-03-31,,\n"  # line 3
    "carol,Security Awareness 2026,passed,,,\n"  # line 4: two problems
    ',"Security Awareness\n2026",passed,31/03/2026,,\n'  # lines 5-6
    "dave@acme.example,,in_progress,,,soon\n"  # line 7
    "erin@acme.example,Deepfake drills,failed,2026-04-01,training,\n"  # line 8
    "frank@acme.example,Security Awareness 2026,,,,\n"  # line 9
    "grace@acme.example,Security Awareness 2026,passed,2026-04-02,,\n"  # line 10: good
)


def test_bad_rows_are_named_by_file_and_line_and_the_rest_import(tmp_path):
    path = write(tmp_path, "trainings.csv", BAD)
    items = collect(path)
    assert [item.reason for item in items if isinstance(item, Problem)] == [
        "trainings.csv line 3: status 'done' is not one of passed, completed, in_progress, not_started, "
        "past_due, failed",
        "trainings.csv line 4: email 'carol' is not an e-mail address; completed_at is required when status "
        "is passed",
        "trainings.csv line 5: email is empty; completed_at '31/03/2026' is not a date (expected an ISO 8601 "
        "date like 2026-03-31 or 2026-03-31T14:00:00Z)",
        "trainings.csv line 7: module is empty; due_at 'soon' is not a date (expected an ISO 8601 date like "
        "2026-03-31 or 2026-03-31T14:00:00Z)",
        "trainings.csv line 8: category 'training' is not one of awareness, lure, other",
        "trainings.csv line 9: status is empty (expected one of passed, completed, in_progress, not_started, "
        "past_due, failed)",
    ]
    assert [item for item in items if isinstance(item, TrainingRecord)] == [
        record("alice@acme.example", "Security Awareness 2026", "passed", datetime(2026, 3, 31, tzinfo=UTC)),
        record("grace@acme.example", "Security Awareness 2026", "passed", datetime(2026, 4, 2, tzinfo=UTC)),
    ]


def test_bad_rows_make_the_run_partial_in_the_store(engine, tmp_path):
    path = write(tmp_path, "trainings.csv", BAD)
    instance = collector(path)
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 2)
    assert outcome.error is not None and outcome.error.startswith(
        "trainings.csv line 3: status 'done' is not one of passed, completed"
    )
    with Session(engine) as session:
        keys = session.exec(select(Fact.key).order_by(Fact.key)).all()
    assert keys == [
        "csv:alice@acme.example:Security Awareness 2026:2026-03-31T00:00:00+00:00",
        "csv:grace@acme.example:Security Awareness 2026:2026-04-02T00:00:00+00:00",
    ]


def test_a_missing_column_fails_the_run_and_keeps_the_last_good_import(engine, tmp_path):
    path = write(tmp_path, "trainings.csv", GOOD)
    instance = collector(path)
    assert run_scope(engine, instance, instance.scopes()[0]).status == "ok"

    write(tmp_path, "trainings.csv", "E-mail,Module,Completed\nalice@acme.example,Awareness,2026-03-31\n")
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.error) == (
        "failed",
        "CsvImportError: trainings.csv: missing required columns email, status, completed_at "
        "(found: e_mail, module, completed)",
    )
    with Session(engine) as session:
        runs = session.exec(select(Run.status).order_by(Run.id)).all()
        facts = session.exec(select(Fact.run_id)).all()
    assert runs == ["ok", "failed"] and len(facts) == 4 and set(facts) == {1}


def test_an_empty_file_fails_the_run(tmp_path):
    for content in ("", "\ufeff", "\r\n\r\n"):
        path = write(tmp_path, "trainings.csv", content)
        with pytest.raises(CsvImportError) as error:
            collect(path)
        assert str(error.value) == (
            "trainings.csv: the file is empty (expected a header row with email, module, status, completed_at)"
        )


def test_a_header_only_file_imports_nothing_and_is_ok(tmp_path):
    assert collect(write(tmp_path, "trainings.csv", "email,module,status,completed_at\n")) == []


def test_a_folder_imports_every_csv_file_in_name_order(tmp_path):
    write(
        tmp_path,
        "b-lms.csv",
        "email,module,status,completed_at\nbob@acme.example,Awareness,passed,2026-05-01\n",
    )
    write(
        tmp_path,
        "a-lms.csv",
        "email,module,status,completed_at\nalice@acme.example,Awareness,passed,2026-05-02\n",
    )
    write(tmp_path, "notes.txt", "not a CSV")
    (tmp_path / "archive").mkdir()
    write(
        tmp_path / "archive",
        "old.csv",
        "email,module,status,completed_at\nold@acme.example,Awareness,passed,2020-01-01\n",
    )
    assert collect(tmp_path) == [
        record("alice@acme.example", "Awareness", "passed", datetime(2026, 5, 2, tzinfo=UTC)),
        record("bob@acme.example", "Awareness", "passed", datetime(2026, 5, 1, tzinfo=UTC)),
    ]


def test_a_broken_file_in_a_folder_fails_before_anything_is_yielded(tmp_path):
    write(
        tmp_path,
        "a.csv",
        "email,module,status,completed_at\nalice@acme.example,Awareness,passed,2026-05-02\n",
    )
    write(tmp_path, "b.csv", "email,module\n")
    instance = collector(tmp_path)
    items = instance.collect(instance.scopes()[0])
    with pytest.raises(
        Exception, match=r"^b.csv: missing required columns status, completed_at \(found: email, module\)$"
    ):
        next(items)


def test_missing_path_and_empty_folder_fail(tmp_path):
    with pytest.raises(CsvImportError, match=rf"^{tmp_path / 'nope.csv'}: no such file or folder$"):
        collect(tmp_path / "nope.csv")
    with pytest.raises(CsvImportError, match=rf"^{tmp_path}: no \*.csv files in the folder$"):
        collect(tmp_path)


def test_not_utf8_fails_with_a_hint(tmp_path):
    path = tmp_path / "trainings.csv"
    path.write_bytes(
        "email,module,status,completed_at\nzoë@acme.example,x,passed,2026-01-01\n".encode("latin-1")
    )
    with pytest.raises(CsvImportError, match=r"^trainings.csv: not UTF-8 text \(save it as 'CSV UTF-8'\)"):
        collect(path)


def test_duplicates_import_once_and_conflicts_are_reported(tmp_path):
    row = "alice@acme.example,Awareness,passed,2026-05-02,,"
    path = write(
        tmp_path,
        "t.csv",
        f"email,module,status,completed_at,category,name\n{row}\n{row}\n{row[:-1]}lure,\n",
    )
    items = collect(path)
    assert items == [
        record("alice@acme.example", "Awareness", "passed", datetime(2026, 5, 2, tzinfo=UTC)),
        Problem(
            "t.csv line 4: same email, module and completed_at as t.csv line 2 with different values; "
            "the first was kept",
            ("training.record",),
        ),
    ]


def test_many_bad_rows_are_capped(tmp_path):
    rows = "".join(f"person{n}@acme.example,Awareness,done,\n" for n in range(MAX_ROW_PROBLEMS + 7))
    items = collect(write(tmp_path, "t.csv", "email,module,status,completed_at\n" + rows))
    assert len(items) == MAX_ROW_PROBLEMS + 1
    assert items[-1] == Problem("t.csv: 7 more bad rows not listed", ("training.record",))


def test_options(tmp_path):
    path = write(
        tmp_path,
        "t.csv",
        "email,module,status,completed_at\nalice@acme.example,Job offer scams,passed,31/03/2026\n",
    )
    assert collect(path, date_format="%d/%m/%Y", source_label="workday", lure_modules=["scam"]) == [
        TrainingRecord(
            key="workday:alice@acme.example:Job offer scams:2026-03-31T00:00:00+00:00",
            source="workday",
            person="alice@acme.example",
            module="Job offer scams",
            category="lure",
            status="passed",
            completed_at=datetime(2026, 3, 31, tzinfo=UTC),
        )
    ]
    with pytest.raises(
        ConfigError, match=r"sources.training_csv.date_format: expected \"iso\" or a strptime"
    ):
        collector(path, date_format="dd/mm/yyyy")
    with pytest.raises(ConfigError, match=r"sources.training_csv.path: Field required"):
        TrainingCsvCollector(parse_settings({"sources": {"training_csv": {}}}))


def test_a_relative_path_is_relative_to_the_configuration_file(tmp_path):
    (tmp_path / "exports").mkdir()
    write(tmp_path / "exports", "t.csv", "email,module,status,completed_at\n")
    config = tmp_path / "vaultward.toml"
    config.write_text('[sources.training_csv]\npath = "exports/t.csv"\n')
    [scope] = TrainingCsvCollector(load_settings(config)).scopes()
    assert scope.params["path"] == str(tmp_path / "exports" / "t.csv")


def test_the_demo_export_imports_cleanly(tmp_path):
    now = datetime(2026, 11, 24, tzinfo=UTC)
    path = demo_training_csv(tmp_path / "acme-academy.csv", now)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    items = collect(path, source_label="acme_academy")
    assert not [item for item in items if isinstance(item, Problem)]
    assert {(r.person, r.category, r.status) for r in items} == {
        ("carol@acme.example", "lure", "passed"),
        ("erin@acme.example", "lure", "passed"),
        ("grace@acme.example", "lure", "passed"),
        ("dave@acme.example", "lure", "past_due"),
        ("alice@acme.example", "other", "completed"),
        ("peggy@acme.example", "awareness", "in_progress"),
        ("judy@acme.example", "awareness", "passed"),
    }


# Regressions found by the property tests (tests/reliability/test_training_csv_properties.py).


def test_a_file_of_only_separators_has_no_header_row(tmp_path):
    # Raised a bare StopIteration (a RuntimeError out of the collector's generator).
    path = write(tmp_path, "trainings.csv", ";;;\r\n ; \r\n")
    with pytest.raises(CsvImportError) as error:
        collect(path)
    assert str(error.value) == (
        "trainings.csv: no header row (expected a header row with email, module, status, completed_at)"
    )


def test_a_cell_over_the_csv_size_limit_fails_the_file_with_its_line(tmp_path):
    # Raised _csv.Error half-way through the file, after records had been yielded.
    huge = "x" * 200_000
    text = (
        "email,module,status,completed_at\n"
        "alice@acme.example,Awareness,passed,2026-05-02\n"
        f'bob@acme.example,"{huge}",passed,2026-05-02\n'
    )
    instance = collector(write(tmp_path, "trainings.csv", text))
    items = instance.collect(instance.scopes()[0])
    with pytest.raises(CsvImportError) as error:
        next(items)  # nothing is yielded before the whole file is read
    assert str(error.value) == "trainings.csv line 3: cannot read: field larger than field limit (131072)"


def test_a_date_out_of_range_in_utc_is_a_bad_row(tmp_path):
    # Raised OverflowError while building the record key (converting to UTC).
    text = (
        "email,module,status,completed_at,due_at\n"
        "alice@acme.example,Awareness,passed,0001-01-01T00:00:00+01:00,\n"
        "bob@acme.example,Awareness,in_progress,,9999-12-31T23:59:59-01:00\n"
        "carol@acme.example,Awareness,passed,2026-05-02,\n"
    )
    items = collect(write(tmp_path, "trainings.csv", text))
    assert items == [
        Problem(
            "trainings.csv line 2: completed_at '0001-01-01T00:00:00+01:00' is not a date (expected an ISO 8601 "
            "date like 2026-03-31 or 2026-03-31T14:00:00Z)",
            (TrainingRecord.kind,),
        ),
        Problem(
            "trainings.csv line 3: due_at '9999-12-31T23:59:59-01:00' is not a date (expected an ISO 8601 "
            "date like 2026-03-31 or 2026-03-31T14:00:00Z)",
            (TrainingRecord.kind,),
        ),
        record("carol@acme.example", "Awareness", "passed", datetime(2026, 5, 2, tzinfo=UTC)),
    ]
