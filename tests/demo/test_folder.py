"""The demo's folder: `--data-dir` (before or after `demo`, or $VAULTWARD_DATA_DIR) chooses it;
a store an earlier demo made there is replaced, a store it did not make is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from demo import run as demo_run
from demo.run import MARKER, claim_folder
from vaultward.cli.main import app


def test_a_folder_the_demo_did_not_make_is_refused_and_left_as_it_was(tmp_path):
    store = tmp_path / "vaultward.db"
    store.write_bytes(b"real facts")
    problem = claim_folder(tmp_path)
    assert problem is not None and str(tmp_path) in problem and "did not make" in problem
    assert store.read_bytes() == b"real facts" and not (tmp_path / MARKER).exists()
    # A real data folder whose store is elsewhere (PostgreSQL): its reports stay untouched too.
    reports = tmp_path / "pg-site"
    (reports / "reports").mkdir(parents=True)
    (reports / "vaultward.db.bak").write_bytes(b"backup")
    assert claim_folder(reports) is not None
    assert (reports / "vaultward.db.bak").read_bytes() == b"backup" and not (reports / MARKER).exists()
    assert claim_folder(tmp_path / "empty") is None  # a new folder is the demo's


def test_an_earlier_demos_store_is_replaced_and_a_new_folder_is_marked(tmp_path):
    folder = tmp_path / "demo"
    assert claim_folder(folder) is None and (folder / MARKER).exists()
    (folder / "vaultward.db").write_bytes(b"last run")
    (folder / "vaultward.db-wal").write_bytes(b"wal")
    (folder / "vaultward.db.bak").write_bytes(b"a copy someone made")
    (folder / "reports").mkdir()
    assert claim_folder(folder) is None
    assert not (folder / "vaultward.db").exists() and not (folder / "vaultward.db-wal").exists()
    assert (folder / "vaultward.db.bak").exists()  # only the store's own files go
    assert (folder / "reports").is_dir()  # this week's report is rewritten, others stay


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--no-serve", "--weeks", "1", "--data-dir", "{dir}"],
        ["--data-dir", "{dir}", "demo", "--no-serve", "--weeks", "1"],
    ],
)
def test_data_dir_before_or_after_the_command_is_the_demos_folder(tmp_path, monkeypatch, args):
    seen: dict[str, object] = {}

    def fake_run_demo(**kwargs):
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(demo_run, "run_demo", fake_run_demo)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [a.format(dir=tmp_path / "d") for a in args])
    assert result.exit_code == 0, result.output
    assert (seen["data_dir"], seen["weeks"], seen["serve_dashboard"]) == (Path(tmp_path / "d"), 1, False)


def test_without_data_dir_the_demo_uses_its_own_folder(tmp_path, monkeypatch):
    seen: dict[str, object] = {}
    monkeypatch.setattr(demo_run, "run_demo", lambda **kwargs: seen.update(kwargs) or 0)
    monkeypatch.delenv("VAULTWARD_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["demo", "--no-serve"]).exit_code == 0
    assert seen["data_dir"] == Path(".vaultward-demo") and seen["weeks"] == 12
