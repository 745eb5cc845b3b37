"""A command line without dead ends: read-only commands never create a store and say where
they looked, `--data-dir` reaches the demo's store, the report finds the week that has an
evaluation, one week range everywhere, help keeps its brackets, unknown names get a
suggestion, global options go anywhere, and ids never wrap."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from tests.factories import add_evaluation, add_run
from tests.test_report import W47_MONDAY, seed
from vaultward.cli.global_options import hoist
from vaultward.cli.main import app
from vaultward.pipeline.registry import discover
from vaultward.reporting.delivery import mail_body
from vaultward.reporting.files import build_report, week_range
from vaultward.reporting.html import render_html
from vaultward.store.db import open_store
from vaultward.store.models import utcnow

DEMO = ".vaultward-demo"
CLEAN_ENV = {"VAULTWARD_CONFIG": None, "VAULTWARD_DATABASE_URL": None, "VAULTWARD_DATA_DIR": None}


def invoke(*args: str, columns: int = 200, **env: str):
    return CliRunner().invoke(app, list(args), env={**CLEAN_ENV, "COLUMNS": str(columns), **env})


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """An empty working folder: no vaultward.toml, no store."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def demo_store(folder: Path):
    """A store where `vaultward demo` keeps it, with the report tests' evaluations."""
    engine = open_store(f"sqlite:///{folder / DEMO / 'vaultward.db'}")
    seed(engine)
    return engine


READ_ONLY = [
    ["status"],
    ["report", "--week", "2026-W47", "--format", "json"],
    ["frameworks"],
    ["waive", "list"],
    ["waive", "revoke", "1"],
    ["waive", "add", "access.root_mfa", "*", "--reason", "r", "--owner", "a@b.io"],
    ["prune"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_never_creates_the_store_and_names_it(here, command):
    result = invoke(*command)
    assert result.exit_code == 3, result.output
    looked_for = (here / ".vaultward" / "vaultward.db").resolve()
    assert result.stderr.startswith(f"no store at sqlite:///{looked_for} (chosen by the default data folder")
    for way in ("--data-dir DIR", "$VAULTWARD_DATA_DIR", "--config FILE", "$VAULTWARD_DATABASE_URL"):
        assert way in result.stderr
    assert "The demo's store" not in result.stderr  # there is none here
    assert not (here / ".vaultward").exists()


def test_with_the_demos_store_here_it_is_suggested_and_reached_as_the_readme_says(here):
    demo_store(here)
    missing = invoke("status")
    assert missing.exit_code == 3
    assert missing.stderr.splitlines()[-1] == (
        "The demo's store is in ./.vaultward-demo: try `vaultward --data-dir .vaultward-demo <command>`."
    )
    assert not (here / ".vaultward").exists()
    for command in (["--data-dir", DEMO, "status"], ["status", "--data-dir", DEMO], ["status"]):
        env = {"VAULTWARD_DATA_DIR": DEMO} if command == ["status"] else {}
        shown = invoke(*command, **env)
        assert shown.exit_code == 0, shown.output
        assert "Readiness" in shown.stdout and "61.2" in shown.stdout


def test_a_missing_store_named_by_an_option_or_the_environment_says_so(here):
    by_option = invoke("status", "--data-dir", "elsewhere")
    assert by_option.exit_code == 3
    assert (
        f"no store at sqlite:///{here / 'elsewhere' / 'vaultward.db'} (chosen by --data-dir elsewhere)"
        in (by_option.stderr)
    )
    url = f"sqlite:///{here / 'nowhere.db'}"
    by_url = invoke("frameworks", VAULTWARD_DATABASE_URL=url)
    assert by_url.exit_code == 3
    assert by_url.stderr.startswith(f"no store at {url} (chosen by $VAULTWARD_DATABASE_URL)")
    assert not (here / "nowhere.db").exists() and not (here / "elsewhere").exists()


def test_a_writing_command_creates_the_store_and_says_where(here):
    result = invoke("evaluate", "--data-dir", "new")
    assert result.exit_code == 0, result.output
    created = here / "new" / "vaultward.db"
    assert f"created the store sqlite:///{created} (chosen by --data-dir new)" in result.stderr
    assert created.exists()
    assert "created the store" not in invoke("evaluate", "--data-dir", "new").stderr  # only the first time


def test_report_without_a_week_picks_the_last_week_with_an_evaluation(here):
    demo_store(here)
    result = invoke("--data-dir", DEMO, "report", "--format", "json", "--out", "reports")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "no --week: reporting 2026-W47 (2026-11-16 to 2026-11-22), the last week with an evaluation ("
    )
    assert "the last complete week, has none)" in result.stderr
    assert (here / "reports" / "vaultward-report-2026-W47.json").exists()


def test_a_week_without_evaluation_names_the_nearest_weeks_that_have_one(here):
    engine = demo_store(here)
    with Session(engine) as session:
        add_evaluation(session, W47_MONDAY + timedelta(weeks=3), overall=70.0)  # 2026-W50
        session.commit()
    between = invoke("--data-dir", DEMO, "report", "--week", "2026-W48", "--format", "json")
    assert between.exit_code == 2
    assert between.stderr.strip() == (
        "no evaluation in 2026-W48 (2026-11-23 to 2026-11-29): nothing to report; "
        "nearest week(s) with one: 2026-W47, 2026-W50 (--week 2026-W50)"
    )
    before = invoke("--data-dir", DEMO, "report", "--week", "2026-W01", "--format", "json")
    assert before.exit_code == 2 and "nearest week(s) with one: 2026-W46 (--week 2026-W46)" in before.stderr


def test_an_empty_store_says_to_evaluate(here):
    open_store(f"sqlite:///{here / DEMO / 'vaultward.db'}").dispose()
    result = invoke("--data-dir", DEMO, "report", "--format", "json")
    assert result.exit_code == 2
    assert "the store has no evaluation yet: run `vaultward evaluate`" in result.stderr


def test_one_week_range_everywhere(here):
    engine = demo_store(here)
    assert week_range("2026-W47") == "2026-11-16 to 2026-11-22"  # Monday to Sunday, both included
    assert week_range("2026-W53") == "2026-12-28 to 2027-01-03"
    report = build_report(engine, "2026-W47")
    html = " ".join(render_html(report).split())
    assert "week 2026-W47 (16 Nov 2026 to 22 Nov 2026)" in html and "23 Nov 2026" not in html
    from vaultward.config.settings import Settings

    assert mail_body(Settings(), report).startswith(
        "Vaultward weekly posture report 2026-W47 (2026-11-16 to 2026-11-22)"
    )
    # The JSON keeps the instants a program compares with: [Monday 00:00, next Monday 00:00).
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == (
        "2026-11-16T00:00:00+00:00",
        "2026-11-23T00:00:00+00:00",
    )


def every_command(group, path=()):
    """(path, command) of every leaf command; typer's groups are told apart by their commands."""
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name), command


BRACKETED = re.compile(r"\[[^\]\s]+\](?:\.[a-z_]+)?")


def test_help_of_every_command_keeps_its_bracketed_names():
    root = typer.main.get_command(app)
    commands = list(every_command(root))
    assert len(commands) > 15 and ("prune",) in [path for path, _ in commands]
    seen = 0
    for path, command in commands:
        source = " ".join(
            [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
        )
        rendered = " ".join(invoke(*path, "--help").stdout.split())
        for name in BRACKETED.findall(source):
            seen += 1
            assert name in rendered, f"{' '.join(path)} --help lost {name}"
    assert seen >= 5  # [retention], [report].formats, [queue] ... are checked
    assert "Delete what [retention] no longer keeps" in " ".join(invoke("prune", "--help").stdout.split())


UNKNOWN = [
    (["checks", "list", "--mitigation", "acess"], "unknown mitigation 'acess'; did you mean 'access'?", True),
    (["checks", "list", "--reference", "cis-v9"], "unknown reference 'cis-v9'; did you mean 'cis-v8'", False),
    (
        ["checks", "new", "x", "--mitigation", "custdy"],
        "unknown mitigation 'custdy'; did you mean 'custody'?",
        True,
    ),
    (
        ["checks", "show", "access.rot_mfa"],
        "unknown check 'access.rot_mfa'; did you mean 'access.root_mfa'",
        False,
    ),
    (["frameworks", "--namespace", "cis"], "unknown standard 'cis'; did you mean 'cis-v8'?", True),
    (["report", "--format", "json,pfd"], "unknown format 'pfd'; did you mean 'pdf'?", True),
    (["report", "--paper", "a4"], "unknown paper 'a4'; did you mean 'A4'?", True),
]


@pytest.mark.parametrize(("command", "message", "listed"), UNKNOWN, ids=lambda v: str(v)[:30])
def test_an_unknown_name_exits_2_with_the_closest_and_the_valid_names(here, command, message, listed):
    result = invoke(*command)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message)
    assert result.stdout == ""
    if listed:
        assert result.stderr.splitlines()[1].startswith("expected one of: ")


def test_an_unknown_check_in_a_waiver_gets_a_suggestion_too(here):
    demo_store(here)
    result = invoke(
        "--data-dir", DEMO, "waive", "add", "acess.root_mfa", "*", "--reason", "r", "--owner", "a@b.io"
    )
    assert result.exit_code == 2
    assert "no check 'acess.root_mfa'; did you mean 'access.root_mfa'" in result.stderr


def test_global_options_are_accepted_after_the_command(here):
    demo_store(here)
    verbose = invoke("status", "--data-dir", DEMO, "--verbose")
    assert verbose.exit_code == 0, verbose.output
    listed = invoke("checks", "list", "--mitigation", "custody", "-v")
    assert listed.exit_code == 0 and "custody.multisig_threshold" in listed.stdout
    missing = invoke("status", "--config", "absent.toml")
    assert missing.exit_code == 2 and "absent.toml: configuration file not found" in missing.stderr
    inline = invoke("frameworks", "--config=absent.toml")
    assert inline.exit_code == 2 and "absent.toml: configuration file not found" in inline.stderr


def test_only_global_options_move_never_a_commands_own_values():
    root = typer.main.get_command(app)
    ctx = root.make_context("vaultward", ["--help"], resilient_parsing=True)
    args = ["waive", "add", "c", "r", "--reason", "-v", "--owner", "o@x.io", "--verbose"]
    assert hoist(root, ctx, args) == [
        "--verbose",
        "waive",
        "add",
        "c",
        "r",
        "--reason",
        "-v",
        "--owner",
        "o@x.io",
    ]
    assert hoist(root, ctx, ["-c", "x.toml", "status"]) == ["-c", "x.toml", "status"]
    assert hoist(root, ctx, ["status", "--data-dir", "d", "--", "-v"]) == [
        "--data-dir",
        "d",
        "status",
        "--",
        "-v",
    ]


def test_check_ids_never_wrap_on_a_narrow_terminal(here):
    ids = sorted(discover().checks)
    for columns in (80, 200):
        listed = invoke("checks", "list", columns=columns)
        assert listed.exit_code == 0
        words = set(re.findall(r"[a-z0-9_.]+", listed.stdout))
        assert set(ids) <= words, f"COLUMNS={columns}: {sorted(set(ids) - words)[:3]} wrapped"
    demo_store(here)
    for columns in (80, 200):
        shown = invoke("--data-dir", DEMO, "frameworks", columns=columns)
        assert shown.exit_code == 0
        words = set(re.findall(r"[a-z0-9_.:-]+", shown.stdout))
        assert {"access.console_user_mfa", "custody.multisig_threshold", "training.awareness_recent"} <= words


def test_status_keeps_scope_ids_whole_on_a_narrow_terminal(here):
    engine = demo_store(here)
    scope = "aws:035643057540/us-east-1"
    with Session(engine) as session:
        add_run(session, "aws_network", scope, item_count=7, error=None)
        session.commit()
    for columns in (80, 200):
        shown = invoke("--data-dir", DEMO, "status", columns=columns)
        assert shown.exit_code == 0, shown.output
        lines = shown.stdout.splitlines()
        assert any(scope in line for line in lines), f"COLUMNS={columns}: the scope id was cut"
    narrow = invoke("--data-dir", DEMO, "status", columns=80).stdout
    assert "aws_network aws:035643057540/us-east-1\n  ok, finished " in narrow
    assert ", 7 items, " in narrow


def test_deliver_without_a_week_never_sends_a_week_that_is_not_over(here):
    engine = demo_store(here)
    with Session(engine) as session:
        add_evaluation(session, utcnow(), overall=70.0)  # this week, in progress
        session.commit()
    result = invoke("--data-dir", DEMO, "report", "--deliver", "--format", "json", "--out", "reports")
    assert result.exit_code == 2
    assert "--deliver sends complete weeks only" in result.stderr and "is not over" in result.stderr
    assert not (here / "reports").exists()  # nothing written, nothing sent
