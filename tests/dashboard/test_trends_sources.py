"""Trends and Sources pages under AppTest, over a store seeded with a known history."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.dashboard.apptest import run_page
from tests.factories import add_evaluation, add_run
from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.store.models import Run

HOSTILE = "<img src=x onerror=alert(1)>"
# days before the latest evaluation -> (overall, {mitigation: score}, check ids, collectors)
BASE_CHECKS = ["access.root_mfa", "custody.multisig_threshold"]
HISTORY = {
    100: (30.0, {"access": 20.0, "custody": 40.0}, BASE_CHECKS, ["aws_iam"]),
    60: (40.0, {"access": 30.0, "custody": 50.0}, BASE_CHECKS, ["aws_iam"]),
    20: (45.0, {"access": 35.0, "custody": 55.0}, BASE_CHECKS, ["aws_iam"]),
    10: (55.0, {"access": 45.0, "custody": 65.0}, [*BASE_CHECKS, "detection.guardduty_enabled"], ["aws_iam"]),
    5: (58.0, {"access": 48.0, "custody": 68.0}, [*BASE_CHECKS, "detection.guardduty_enabled"], ["aws_iam", "okta"]),
    0: (61.5, {"access": 51.0, "custody": 72.0}, [*BASE_CHECKS, "detection.guardduty_enabled"], ["aws_iam", "okta"]),
}  # fmt: skip


def seed_history(engine, now: datetime) -> dict[int, datetime]:
    """Evaluations `HISTORY` days before the latest (an hour before `now`), each using one Run
    per collector it lists; returns each evaluation's start by days back."""
    latest = now - timedelta(hours=1)
    starts = {}
    with Session(engine) as session:
        for days, (overall, scores, checks, collectors) in sorted(HISTORY.items(), reverse=True):
            started = latest - timedelta(days=days)
            runs = [
                add_run(
                    session, name, f"{name}:acme", "ok", started - timedelta(minutes=10), item_count=days + 1
                )
                for name in collectors
            ]
            evaluation = add_evaluation(
                session,
                started,
                overall=overall,
                mitigation_scores=scores,
                check_scores=[{"check_id": check, "score": 50.0} for check in checks],
            )
            evaluation.runs = [run.id for run in runs]
            session.add(evaluation)
            starts[days] = started
        session.commit()
    return starts


def seed_runs(engine, now: datetime) -> None:
    """Runs of two collectors, one failed with a hostile error text."""
    with Session(engine) as session:
        for hours in (30, 20, 10):
            add_run(session, "aws_iam", "aws:111111111111", "ok", now - timedelta(hours=hours),
                    now - timedelta(hours=hours, seconds=-95), item_count=40 + hours)  # fmt: skip
        add_run(session, "aws_network", "aws:111111111111/us-east-1", "ok", now - timedelta(hours=5),
                now - timedelta(hours=5, seconds=-12), item_count=9)  # fmt: skip
        add_run(session, "aws_network", "aws:111111111111/us-east-1", "failed", now - timedelta(hours=2),
                now - timedelta(hours=2, seconds=-3), error=HOSTILE)  # fmt: skip
        session.commit()


def chart(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def values(array) -> list:
    """A plotly JSON array: a list, or a typed array (`{"dtype", "bdata"}`, base64)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def plotted(figure: dict) -> dict[str, list[tuple[str, float]]]:
    """Each trace's points as (date, score)."""
    return {
        trace["name"]: [(x[:10], y) for x, y in zip(values(trace["x"]), values(trace["y"]), strict=True)]
        for trace in figure["data"]
    }


def expected_series(starts: dict[int, datetime], window: int) -> dict[str, list[tuple[str, float]]]:
    kept = [days for days in sorted(HISTORY, reverse=True) if days <= window]
    series = {"Overall": [(f"{starts[d]:%Y-%m-%d}", HISTORY[d][0]) for d in kept]}
    for mitigation in ("custody", "access"):
        series[MITIGATION_TITLES[mitigation]] = [
            (f"{starts[d]:%Y-%m-%d}", HISTORY[d][1][mitigation]) for d in kept
        ]
    return series


@pytest.fixture
def history_url(engine, database_url: str, monkeypatch: pytest.MonkeyPatch):
    now = datetime.now(UTC)
    starts = seed_history(engine, now)
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return starts


@pytest.mark.parametrize("window", [30, 90, 365])
def test_trend_series_equal_the_stored_scores_of_the_window(history_url, window):
    at = run_page("trends")
    if window != 90:
        at = _select_window(at, window)
    series = plotted(chart(at))
    expected = expected_series(history_url, window)
    assert {name: series[name] for name in expected} == expected
    assert set(series) == set(expected)


def _select_window(at: AppTest, window: int) -> AppTest:
    at.session_state["trend_window"] = window
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_evaluation_where_a_check_was_added_is_annotated(history_url):
    at = run_page("trends")
    figure = chart(at)
    labels = {a["x"][:10]: a["text"] for a in figure["layout"]["annotations"]}
    added_check = f"{history_url[10]:%Y-%m-%d}"
    added_source = f"{history_url[5]:%Y-%m-%d}"
    assert labels == {
        added_check: "+1 check (detection.guardduty_enabled)",
        added_source: "+1 source (okta)",
    }
    lines = [shape["x0"][:10] for shape in figure["layout"]["shapes"] if shape["type"] == "line"]
    assert sorted(lines) == sorted([added_check, added_source])
    table = at.dataframe[0].value
    assert list(table["Checks added"]) == ["", "detection.guardduty_enabled"]  # newest first
    assert list(table["Sources added"]) == ["okta", ""]


def test_a_change_just_inside_the_window_is_compared_with_the_evaluation_before_it(history_url):
    at = _select_window(run_page("trends"), 30)
    labels = [a["text"] for a in chart(at)["layout"]["annotations"]]
    # -20d equals -60d (outside the window): no mark there; -10d and -5d are marked.
    assert labels == ["+1 check (detection.guardduty_enabled)", "+1 source (okta)"]


def test_an_unmeasured_mitigation_leaves_a_gap_not_a_zero(engine, database_url, monkeypatch):
    latest = datetime.now(UTC) - timedelta(hours=1)
    unmeasured = {"score": 0.0, "measured": False}
    with Session(engine) as session:
        for days, training in ((2, 40.0), (1, unmeasured), (0, 45.0)):
            add_evaluation(session, latest - timedelta(days=days), overall=50.0,
                           mitigation_scores={"training": training, "detection": dict(unmeasured)})  # fmt: skip
        session.commit()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    series = plotted(chart(run_page("trends")))
    training = [score for _, score in series[MITIGATION_TITLES["training"]]]
    assert training[0::2] == [40.0, 45.0]
    assert np.isnan(training[1])
    assert MITIGATION_TITLES["detection"] not in series  # never measured: no line


@pytest.fixture
def runs_url(engine, database_url: str, monkeypatch: pytest.MonkeyPatch):
    seed_runs(engine, datetime.now(UTC))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return engine


def stored_runs(engine, collector: str) -> pd.DataFrame:
    with Session(engine) as session:
        runs = session.exec(
            select(Run).where(Run.collector == collector).order_by(Run.started_at.desc())
        ).all()  # type: ignore[attr-defined]
        return pd.DataFrame(
            [
                {
                    "Run": r.id,
                    "Status": r.status,
                    "Duration (s)": (r.finished_at - r.started_at).total_seconds(),
                    "Items": r.item_count,
                    "Error": r.error or "",
                }
                for r in runs
            ]
        )


def page_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """The Sources page's tables by what they are (told by a column only each has): the
    summary, the scopes, the gaps, the run history."""
    return {
        next(name for column, name in TABLE_COLUMNS.items() if column in table.value.columns): table.value
        for table in at.dataframe
    }


TABLE_COLUMNS = {
    "Facts": "source_summary",
    "Run status": "scope_freshness",
    "Missing": "partial_gaps",
    "Run": "run_history",
}


def history_of(at: AppTest, collector: str) -> pd.DataFrame:
    """The run history table with `collector` chosen."""
    at.selectbox(key="history_source").select(collector).run()
    assert not at.exception, [e.value for e in at.exception]
    return page_tables(at)["run_history"]


def test_sources_history_rows_equal_the_stored_runs(runs_url):
    at = run_page("sources")
    for collector in ("aws_iam", "aws_network"):
        shown = history_of(at, collector)[["Run", "Status", "Duration (s)", "Items", "Error"]]
        pd.testing.assert_frame_equal(
            shown.reset_index(drop=True), stored_runs(runs_url, collector), check_dtype=False
        )
    assert list(history_of(at, "aws_iam")["Duration (s)"]) == [95.0, 95.0, 95.0]
    scopes = page_tables(at)["scope_freshness"].set_index("Source")
    assert scopes.loc["aws_network", "State"] == "failed"
    assert scopes.loc["aws_iam", "Items"] == 50  # the latest run (10 hours ago)


def test_sources_summary_has_one_row_per_source_and_the_detail_one_per_scope(runs_url):
    with Session(runs_url) as session:
        add_run(
            session, "aws_iam", "aws:222222222222", "ok", datetime.now(UTC) - timedelta(hours=1), item_count=5
        )
        session.commit()
    at = run_page("sources")
    summary = page_tables(at)["source_summary"].set_index("Source")
    assert list(summary.index) == sorted(summary.index) and "aws_iam" in summary.index
    assert len(summary) == len(set(summary.index))  # one row per source
    assert (summary.loc["aws_iam", "Scopes"], summary.loc["aws_iam", "Facts"]) == (2, 55)
    assert (summary.loc["aws_network", "State"], summary.loc["aws_network", "Errors"]) == ("failed", 1)
    assert summary.loc["aws_network", "First error"] == HOSTILE
    assert [tab.label for tab in at.tabs][:3] == [
        f"Scopes ({len(page_tables(at)['scope_freshness'])})",
        "Gaps (0)",
        "Recent runs",
    ]
    at.selectbox(key="scopes_source").select("aws_iam").run()
    scopes = page_tables(at)["scope_freshness"]
    assert sorted(scopes["Scope"]) == ["aws:111111111111", "aws:222222222222"]
    assert set(scopes["Source"]) == {"aws_iam"}


def test_history_size_limits_the_runs_per_source(runs_url):
    with Session(runs_url) as session:
        for n in range(15):
            add_run(
                session, "okta", "okta:acme", "ok", datetime.now(UTC) - timedelta(days=n + 1), item_count=n
            )
        session.commit()
    at = run_page("sources")
    assert len(history_of(at, "okta")) == 15
    at.selectbox(key="history_size").select(10).run()
    okta = page_tables(at)["run_history"]
    assert list(okta["Items"]) == list(range(10))  # the newest ten


def test_a_hostile_error_is_shown_verbatim_as_text(runs_url):
    at = run_page("sources")
    assert history_of(at, "aws_network")["Error"].iloc[0] == HOSTILE
    assert page_tables(at)["scope_freshness"].set_index("Source").loc["aws_network", "Error"] == HOSTILE
    rendered = [m.value for m in [*at.markdown, *at.caption]]
    assert not [text for text in rendered if "onerror" in text]


def test_the_gaps_of_partial_runs_are_shown_with_how_they_are_judged(runs_url):
    now = datetime.now(UTC)
    gaps = [
        {
            "reason": "okta: GET /api/v1/users: HTTP 503 (page 2)",
            "kinds": ["identity"],
            "fields": [],
            "resource": "",
        },
        {
            "reason": "okta: policies refused (HTTP 403)",
            "kinds": [],
            "fields": ["identity.mfa_enforced"],
            "resource": "",
        },
    ]
    with Session(runs_url) as session:
        add_run(session, "okta", "okta:acme", "ok", now - timedelta(hours=3), counts={"identity": 4})
        partial = add_run(session, "okta", "okta:acme", "partial", now - timedelta(hours=1), error="x")
        partial.gaps = gaps
        session.add(partial)
        session.commit()
    at = run_page("sources")
    assert "What partial runs left unknown" in [h.value for h in at.subheader]
    shown = page_tables(at)["partial_gaps"].set_index("Missing")
    assert list(shown["Scope"]) == ["okta:acme", "okta:acme"]
    listing = shown.loc["listing of identity (incomplete)"]
    assert listing["Treated as"].startswith("carried forward from the complete listing of ")
    assert (
        "access.console_user_mfa" in listing["Checks"]
        and "custody.multisig_threshold" not in listing["Checks"]
    )
    assert listing["Reason"] == gaps[0]["reason"]
    assert shown.loc["fields identity.mfa_enforced", "Treated as"] == "unknown in the checks that read them"


def test_no_gaps_section_when_every_run_was_complete(runs_url):
    at = run_page("sources")
    assert "partial_gaps" not in page_tables(at)
    assert any(c.value.startswith("Every latest run was complete") for c in at.caption)


# --- issue 18: dates on the axis, band colours, one evaluation ---------------------------------


def test_the_trend_axis_shows_dates_and_the_bands_are_tinted(history_url):
    figure = chart(run_page("trends"))
    axis = figure["layout"]["xaxis"]
    assert axis["tickformat"] == "%d %b"  # dates, never "23:03:50.6045"
    assert axis["dtick"] % 86_400_000 == 0  # whole days (weeks past ten days)
    assert axis["dtick"] == 7 * 86_400_000  # 60 days of evaluations in the 90-day window: weekly
    zones = {
        (shape["y0"], shape["fillcolor"]) for shape in figure["layout"]["shapes"] if shape["type"] == "rect"
    }
    assert (0, "#dc2626") in zones and (90, "#15803d") in zones  # critical red, strong green


def test_a_single_evaluation_is_a_message_not_a_lone_dot(engine, database_url, monkeypatch):
    with Session(engine) as session:
        add_evaluation(session, datetime.now(UTC) - timedelta(hours=1), overall=0.0, band="critical",
                       mitigation_scores={"access": 0.0, "custody": 80.0})  # fmt: skip
        session.commit()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    at = run_page("trends")
    assert not at.get("plotly_chart")
    assert "Only one evaluation so far" in at.info[0].value
    values = {m.label: m.value for m in at.metric}
    assert values == {"Overall": "0.0", "Access": "0.0", "Custody": "80.0"}  # the navigation's names
    badges = [m.value for m in at.markdown]
    assert badges.count(":red-badge[Critical]") == 2 and ":green-badge[Good]" in badges
