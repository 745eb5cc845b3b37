"""Smoke test of benchmarks/overview_render.py: its seeded history renders on the Overview
with the latest evaluation's numbers, and the one command runs at smoke size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import streamlit as st

from benchmarks.overview_render import FINDINGS_PER_EVALUATION, main, seed
from dashboard.app_pages.components import score_text
from tests.dashboard.apptest import run_page
from vaultward.store.db import open_store


def test_the_seeded_history_renders_its_latest_evaluation(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    engine = open_store(url)
    days = 5
    seed(engine, days, datetime.now(UTC).replace(microsecond=0))
    engine.dispose()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_page("overview", timeout=120)
    latest = 40 + 30 * (days - 1) / days  # the seed's score on its last day
    assert at.metric[0].value == score_text(latest)
    assert f"{FINDINGS_PER_EVALUATION:,} findings" in at.caption[0].value


@pytest.mark.slow
def test_the_benchmark_command_runs_at_smoke_size(monkeypatch, capsys):
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", "sqlite://")  # main() points it at its stores
    medians = main(["--smoke"])
    assert {days for _, days in medians} == {2, 14}
    assert "overview ratio 14/2:" in capsys.readouterr().out
