"""What the dashboard process holds: the store's engine, the settings, the registry of checks
and collectors, and the evaluation every page shows (the latest, and THE baseline it is
compared with, as `vaultward.read.evaluations` defines them)."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.config.settings import ConfigError, Settings, load_settings
from vaultward.contract import redaction
from vaultward.pipeline.registry import Registry
from vaultward.read import evaluations as read
from vaultward.store.db import open_store

CACHE_TTL = 60


def database_url() -> str:
    """The store the launcher pointed us at, else the configured one."""
    return os.environ.get("VAULTWARD_DATABASE_URL") or load_settings().database_url


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return open_store(url)


def session(url: str) -> Session:
    return Session(engine(url))


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError:  # an unreadable config must not take the dashboard down
        return Settings()


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    """The checks and collectors, discovered once per process. Logging masks the secrets the
    configuration names before discovery (a plugin's import error may quote one), and every
    credential variable of the enabled sources after it."""
    from vaultward.cli.output import setup_logging
    from vaultward.pipeline.registry import discover

    config = settings()
    setup_logging(config, verbose=False)
    found = discover(config.plugin_dir)
    redaction.configure(config.credential_variables(found.collectors))
    return found


def redacted(text: str) -> str:
    """`text` with every credential value masked, as logs, the store and reports mask them."""
    registry()  # configures the redaction in this process
    return redaction.redact(text)


@st.cache_resource(show_spinner=False)
def check_catalog() -> dict[str, dict[str, Any]]:
    """What each registered check says about itself: the risk (its docstring), the
    remediation and the references. Metadata from code, not a computation."""
    return {
        spec.id: {
            "title": spec.title,
            "mitigation": spec.mitigation,
            "severity": spec.severity,
            "weight": spec.weight,
            "risk": spec.risk,
            "remediation": spec.remediation,
            "references": list(spec.references),
            "origin": spec.origin,
        }
        for spec in registry().checks.values()
    }


@st.cache_resource(show_spinner=False)
def broken_plugins() -> list[str]:
    """Plugins this dashboard could not load (the evaluation records its own)."""
    return [redacted(broken) for broken in registry().broken]


@st.cache_resource(show_spinner=False)
def enabled_sources() -> list[str]:
    """The sources the configuration enables (read from the config, not from the sources)."""
    try:
        return settings().enabled_sources(registry().collectors)
    except ConfigError:
        return []


def _evaluation_dict(evaluation: read.EvaluationRow | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "id": evaluation.id,
        "started_at": evaluation.started_at,
        "finished_at": evaluation.finished_at,
        "overall_score": evaluation.overall_score,
        "band": evaluation.band,
        "check_count": evaluation.check_count,
        "finding_count": evaluation.finding_count,
        "problems": list(evaluation.problems),
    }


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def latest_evaluation(url: str) -> dict[str, Any] | None:
    """The newest evaluation, or None for an empty store."""
    with session(url) as s:
        return _evaluation_dict(read.latest_evaluation(s))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def baseline_evaluation(url: str) -> dict[str, Any] | None:
    """THE baseline of the latest evaluation (nearest to seven days before it), or None."""
    with session(url) as s:
        latest = read.latest_evaluation(s)
        return _evaluation_dict(read.baseline_evaluation(s, latest) if latest else None)
