"""Hostile text from sources is inert everywhere it goes: names, e-mails, wallet labels, tags
and finding messages carrying HTML/JS, spreadsheet formulas, ANSI/OSC escapes, path
separators, zero-width and bidi characters, rich markup and very long strings are shown as
the characters they are on the dashboard, in the report (HTML, CSV, JSON), in CSV downloads,
in logs and on the CLI's terminal, and never pick a file name."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.dashboard.apptest import rendered_markdown, run_page
from tests.factories import add_run, make_identity, make_wallet
from tests.fake_collectors import registry_with
from vaultward.cli.output import CONTROL, EscapingFormatter, escape_controls
from vaultward.config.settings import load_settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.content import FORMULA_PREFIXES
from vaultward.reporting.files import ReportError, iso_week_of, week_bounds, write_report
from vaultward.store.models import Waiver, utcnow

VAULTWARD = str(Path(sys.executable).parent / "vaultward")
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "=cmd|'/c calc'!A1",
    "+1+1",
    "@SUM(1)",
    "-2+3",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07",
    "../../etc/passwd",
    "..\\..\\win.ini",
    "a/b\\c",
    "zero\u200bwidth \u202edetrevni",
    "[bold]markup[/bold] **md** :red[alarm] :smile:",
    "L" * 5000,
]
ESCAPED = {"\x1b": "\\x1b", "\x07": "\\x07", "\u200b": "\\u200b", "\u202e": "\\u202e"}


def shown_as_escapes(text: str) -> str:
    for raw, escaped in ESCAPED.items():
        text = text.replace(raw, escaped)
    return text


def plan(texts: list[str] = HOSTILE) -> dict:
    """Every hostile string as a person's name and e-mail, a wallet's label and tag value."""
    people = [
        make_identity(key=f"okta:h{n}", scope="okta:acme", source="okta", account="acme", name=text,
                      email=f"{text}@acme.example", privileged=True, factor_kinds=["sms"])
        for n, text in enumerate(texts)
    ]  # fmt: skip
    wallets = [
        make_wallet(key=f"safe:eth:0xh{n}", name=text, signers=["0xa1"], threshold=1, tags={"Owner": text})
        for n, text in enumerate(texts)
    ]
    return {"okta:acme": people, "safe:eth": wallets}


@pytest.fixture
def hostile_store(engine, database_url, tmp_path, monkeypatch) -> str:
    config = tmp_path / "vaultward.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    fill_hostile_store(engine, load_settings())
    return database_url


def fill_hostile_store(engine, settings, texts: list[str] = HOSTILE) -> None:
    """Every hostile string (of `texts`) collected and evaluated into the store at `engine` (people,
    wallets, their findings), and as a failed run's scope and error and a waiver's text."""
    registry = registry_with(plan(texts))
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    now = datetime.now(UTC)
    with Session(engine) as session:
        for n, text in enumerate(texts):  # a scope (from the configuration) has at most 300 characters
            add_run(session, "okta", f"okta:{text[:250]}", "failed", now - timedelta(minutes=n + 2),
                    now - timedelta(minutes=n + 1), error=f"HTTP 400: {text}")  # fmt: skip
            session.add(Waiver(check_id="access.root_mfa", resource_pattern=text, reason=text, owner="a@b.c",
                               created_at=now, expires_at=now + timedelta(days=3)))  # fmt: skip
        session.commit()


def cells(at: AppTest) -> set[str]:
    return {
        str(value)
        for frame in at.dataframe
        for column in frame.value.columns
        for value in frame.value[column]
    }


def test_the_dashboard_shows_hostile_text_as_text(hostile_store):
    people, wallets = run_page("people"), run_page("wallets")
    access, sources = run_page("mitigation", "access"), run_page("sources")
    waivers = run_page("waivers")
    for text in HOSTILE:
        # people are known by their e-mail, lower-cased to match across sources
        assert f"{text}@acme.example".lower() in cells(people), f"person {text[:40]!r}"
        assert text in cells(wallets), f"wallet {text[:40]!r}"
        assert f"HTTP 400: {text}" in cells(sources)
        assert text in cells(waivers)
    assert any(text in value for value in cells(access) for text in HOSTILE)
    for at in (people, wallets, access, sources, waivers):
        shown = rendered_markdown(at)
        # Raw HTML only for the dashboard's own style and scroll script, never with store text.
        raw = [element.proto.body for element in at.get("html")]
        assert all(body.startswith(("<style>", "<script>")) for body in raw), raw
        for text in HOSTILE:
            assert text not in shown, f"{text[:40]!r} reached a markdown element"
            assert not any(text in body for body in raw), f"{text[:40]!r} reached raw HTML"


def spreadsheet_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def test_every_csv_neutralises_formulas(hostile_store):
    everything = data.findings_csv_of(hostile_store, "access", data.FindingFilter())
    rows = list(csv.DictReader(io.StringIO(everything.decode("utf-8"))))
    names = {row["resource_name"] for row in rows}
    for text in HOSTILE:
        assert spreadsheet_cell(text) in names
    assert "=cmd|'/c calc'!A1" not in names and "'=cmd|'/c calc'!A1" in names


def test_the_report_keeps_hostile_text_inert(hostile_store, engine, tmp_path):
    week = iso_week_of(utcnow())
    row, _ = write_report(engine, week, ["html", "csv", "json"], tmp_path / "out")
    assert sorted(Path(p).name for p in row.files.values()) == [
        f"vaultward-findings-{week}.csv",
        f"vaultward-report-{week}.html",
        f"vaultward-report-{week}.json",
    ]
    assert {Path(p).parent for p in row.files.values()} == {tmp_path / "out"}
    html = Path(row.files["html"]).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    findings = list(csv.DictReader(io.StringIO(Path(row.files["csv"]).read_text(encoding="utf-8"))))
    names = {line["resource_name"] for line in findings}
    assert {spreadsheet_cell(text) for text in HOSTILE} <= names
    assert all(not name.startswith(FORMULA_PREFIXES) for name in names)
    report = json.loads(Path(row.files["json"]).read_text(encoding="utf-8"))
    assert set(HOSTILE) <= {line["resource_name"] for line in report["failing"]}  # JSON: data as is


@pytest.mark.parametrize(
    "week", ["2026-W47/../../x", "../2026-W47", " 2026-W47", "+2026-W47", "2026-W047", "2026-w47"]
)
def test_a_report_week_names_files_only_in_its_one_spelling(week):
    with pytest.raises(ReportError, match="expected an ISO week like 2026-W47"):
        week_bounds(week)


def test_download_names_keep_only_safe_characters():
    for text in HOSTILE:
        name = data.download_name(text, "findings.csv")
        assert name.endswith("-findings.csv") and "/" not in name and "\\" not in name and ".." not in name
        assert len(name) <= 80 and not CONTROL.search(name)
    assert data.download_name("access", "findings.csv") == "vaultward-access-findings.csv"
    assert data.download_name("../../etc/passwd", "findings.csv") == "vaultward-etc-passwd-findings.csv"


def test_log_lines_escape_control_characters():
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    for text in HOSTILE:
        record = logging.LogRecord("vaultward", logging.WARNING, __file__, 1, "source said %s", (text,), None)
        line = formatter.format(record)
        assert not CONTROL.search(line)
        assert line == f"WARNING source said {shown_as_escapes(text)}"
    assert escape_controls("a\nb\tc\rd\x00e\x9bf") == "a\nb\tc\\rd\\x00e\\x9bf"


def test_the_cli_prints_hostile_text_verbatim_and_escaped(hostile_store, tmp_path):
    env = {**os.environ, "VAULTWARD_DATABASE_URL": hostile_store}
    env["VAULTWARD_CONFIG"] = str(tmp_path / "vaultward.toml")
    env["COLUMNS"] = "20000"  # a wide terminal: rows stay whole
    shown = ""
    for command in (["status"], ["waive", "list"]):
        result = subprocess.run(
            [VAULTWARD, *command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        shown += result.stdout + result.stderr
    assert not CONTROL.search(shown)
    for text in HOSTILE[:-1]:  # the long one wraps in a table cell
        assert shown_as_escapes(text) in shown, text
