"""`vaultward collect` shows a live display per scope on a terminal, log lines otherwise."""

import io
import logging

from rich.console import Console

from tests.factories import make_identity
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.progress import collection_progress


def test_terminal_shows_each_scope_with_its_status(engine):
    plan = {"aws:1": [make_identity(key="a")], "aws:2": [RuntimeError("denied")]}
    console = Console(file=io.StringIO(), force_terminal=True, width=160, color_system=None)
    with collection_progress(console) as progress:
        collect(Settings(), engine, registry_with(plan), progress=progress)
    screen = console.file.getvalue()
    assert "static aws:1 ok 1 facts" in screen
    assert "static aws:2 failed 0 facts" in screen
    assert "2/2" in screen  # the overall bar: both scopes done


def test_without_a_terminal_it_logs_plain_lines(engine, caplog):
    console = Console(file=io.StringIO(), force_terminal=False)
    with caplog.at_level(logging.INFO, logger="vaultward.collect"), collection_progress(console) as progress:
        collect(Settings(), engine, registry_with({"aws:1": [make_identity(key="a")]}), progress=progress)
    messages = [r.getMessage() for r in caplog.records if r.name == "vaultward.collect"]
    assert messages[0] == "collecting static aws:1"
    assert messages[1].startswith("static aws:1: ok, 1 facts in ")
    assert console.file.getvalue() == ""
