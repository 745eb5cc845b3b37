"""Cached frames of the latest evaluation's scores by standard (framework coverage), along the
attack path, and of its phishing programme: the core's roll-ups over stored check scores and
findings (`vaultward.read`), shaped for the pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.runtime import CACHE_TTL, latest_evaluation, session
from vaultward.read.scores import check_scores


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def framework_coverage(url: str) -> dict[str, pd.DataFrame]:
    """The latest evaluation's check scores by standard: {namespace title: controls}."""
    from vaultward.read.frameworks import NAMESPACES, coverage

    latest = latest_evaluation(url)
    if latest is None:
        return {}
    with session(url) as s:
        grouped = coverage(check_scores(s, latest["id"]))
    columns = ["control", "title", "score", "passed", "failed", "unknown", "waived", "checks", "measured"]
    return {
        NAMESPACES.get(namespace, namespace): pd.DataFrame(
            [
                {
                    "control": c.control,
                    "title": c.title,
                    "score": c.score,
                    "passed": c.passed,
                    "failed": c.failed,
                    "unknown": c.unknown,
                    "waived": c.waived,
                    "checks": ", ".join(c.checks),
                    "measured": c.measured,
                }
                for c in controls
            ],
            columns=columns,
        )
        for namespace, controls in grouped.items()
    }


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def attack_path(url: str) -> dict[str, pd.DataFrame]:
    """The latest evaluation's check scores along the attack path (`vaultward.read.attack_path`
    scores it): {"stages": one row per stage in attack order, "controls": one row per check
    that stops a stage}. Both empty for an empty store."""
    from vaultward.read.attack_path import score_stages, technique_title

    stage_columns = [
        "stage", "title", "description", "techniques", "technique_titles", "score", "measured",
        "band", "check_count", "passed", "failed", "unknown", "waived",
    ]  # fmt: skip
    control_columns = [
        "stage", "check_id", "title", "mitigation", "weight", "score", "measured", "passed",
        "failed", "unknown", "waived", "cites",
    ]  # fmt: skip
    latest = latest_evaluation(url)
    if latest is None:
        return {
            "stages": pd.DataFrame(columns=stage_columns),
            "controls": pd.DataFrame(columns=control_columns),
        }
    with session(url) as s:
        scored = score_stages(check_scores(s, latest["id"]))
    stages = [
        {
            "stage": s.stage.id,
            "title": s.stage.title,
            "description": s.stage.description,
            "techniques": list(s.stage.techniques),
            "technique_titles": [technique_title(t) for t in s.stage.techniques],
            "score": s.score,
            "measured": s.measured,
            "band": s.band,
            "check_count": len(s.controls),
            "passed": s.passed,
            "failed": s.failed,
            "unknown": s.unknown,
            "waived": s.waived,
        }
        for s in scored
    ]
    controls = [
        {
            "stage": s.stage.id,
            **{name: getattr(c, name) for name in control_columns[1:-1]},
            "cites": list(c.cites),
        }
        for s in scored
        for c in s.controls
    ]
    frames = {
        "stages": pd.DataFrame(stages, columns=stage_columns),
        "controls": pd.DataFrame(controls, columns=control_columns),
    }
    return {name: frame.astype(object).where(frame.notna(), None) for name, frame in frames.items()}


PHISHING_TEST_COLUMNS = [
    "started_at", "test", "label", "delivered", "failures", "percentage", "final", "status", "message",
]  # fmt: skip
PHISHING_PEOPLE_COLUMNS = ["person", "status", "message"]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def phishing_programme(url: str) -> dict[str, Any] | None:
    """The latest evaluation's phishing programme, as its three checks judged it
    (vaultward.read.phishing_summary): the phish-prone percentage per test, the repeat clickers
    and the administrators or signers who fell for their latest test; None without tests."""
    from vaultward.read.phishing_summary import phishing_findings, phishing_summary

    latest = latest_evaluation(url)
    if latest is None:
        return None
    with session(url) as s:
        summary = phishing_summary(phishing_findings(s, latest["id"]))
    if summary is None:
        return None
    tests = pd.DataFrame(
        [
            {
                "started_at": point.started_at, "test": point.name, "label": point.label,
                "delivered": point.delivered, "failures": point.failures, "percentage": point.percentage,
                "final": point.final, "status": point.status, "message": point.message,
            }
            for point in summary.tests
        ],
        columns=PHISHING_TEST_COLUMNS,
    )  # fmt: skip

    def people(lines: list[Any]) -> pd.DataFrame:
        return pd.DataFrame([vars(line) for line in lines], columns=PHISHING_PEOPLE_COLUMNS)

    latest_test = summary.latest
    return {
        "bound": summary.bound,
        "tests": tests,
        "latest": None if latest_test is None else vars(latest_test),
        "repeat_clickers": people(summary.repeat_clickers),
        "privileged_clickers": people(summary.privileged_clickers),
    }
