"""The People and Wallets pages' data: the inventories the latest evaluation stored
(vaultward.read.inventories), cached per evaluation and shaped into DataFrames. Nothing is
resolved here: people, signers and value tiers are what the checks judged, under the policy
the evaluation ran with."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlmodel import Session

from dashboard.runtime import engine
from vaultward.contract.vocabulary import SEVERITIES
from vaultward.derived.inventory import CustodyView
from vaultward.read.evaluations import latest_evaluation_id
from vaultward.read.inventories import PERSON_FIELDS, custody_of, issues_of, people_columns

# Keyed by the evaluation id: a new evaluation is a new entry. A resource cache, not a data
# cache: the frames are shared, never copied or pickled (a third of a second each way at
# 100,000 identities), so nothing may change them in place (the pages filter into new frames).
INVENTORY_TTL = 3600
PEOPLE_COLUMNS = [
    "person", "kind", "why", "identities", "sources", "mfa", "factors", "phishing_resistant",
    "awareness_training", "lure_training", "privileged", "roles", "signer_for", "open_findings",
    "failing", "id", "active",
]  # fmt: skip
CUSTODY_COLUMNS = [
    "name", "kind", "provider", "threshold", "signers", "hsm_backing", "policy", "value_tier",
    "value_usd", "open_findings", "failing", "key",
]  # fmt: skip
STATUS_RANK = {"fail": 0, "unknown": 1}
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
ISSUE_COLUMNS = ["subject_id", "subject", "check_id", "status", "severity", "message"]

View = TypeVar("View")
P = ParamSpec("P")
R = TypeVar("R")
Issues = tuple[str, str, str, str, str]  # subject_id, check_id, status, severity, message


def _without_gc(build: Callable[P, R]) -> Callable[P, R]:
    """`build` run with the cyclic garbage collector paused: the hundreds of thousands of
    strings and lists an inventory frame is made of hold no cycles, and at 100,000 identities
    the collector's passes over them (and all else alive) took 0.6 s of the People page."""

    @functools.wraps(build)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


def _text(values: Sequence[str] | np.ndarray) -> Any:
    """A column of text as pandas' string dtype, through pyarrow: a tenth of the time pandas
    takes to check and convert a list of 65,000 strings itself (0.3 s for the People frame)."""
    return pd.array(pa.array(values, type=pa.large_string()), dtype="str")


def _yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else ("yes" if flag else "no")


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _training_text(completed: datetime | None, measured: bool) -> str:
    if completed is not None:
        return completed.date().isoformat()  # YYYY-MM-DD, a seventh of strftime's time
    return "none passed" if measured else "unknown"


# (status, severity) -> rank: failing before unknown, then by severity (anything else last)
WORST_FIRST = {
    (status, severity): len(SEVERITY_RANK) * status_rank + severity_rank
    for status, status_rank in STATUS_RANK.items()
    for severity, severity_rank in SEVERITY_RANK.items()
}


def _categorical(values: np.ndarray) -> pd.Categorical:
    """`values` (objects) as a categorical, categories in order of appearance (no sorting, no
    conversion of every value to an Arrow string on the way)."""
    codes, uniques = pd.factorize(values)
    return pd.Categorical.from_codes(codes, uniques)


def _issue_frame(rows: list[Issues], names: dict[str, str]) -> pd.DataFrame:
    """The open findings one row each, `subject` the name of whom each is about, worst first
    (failing before unknown, then by severity), each subject's in stored order. All but the
    message are categorical: at 100,000 identities 160,000 rows of strings took a second to
    build and cache, and picking the rows shown (isin) on plain strings 0.3 s."""
    if not rows:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    ranks = np.array([WORST_FIRST.get((row[2], row[3]), len(WORST_FIRST)) for row in rows])
    order = np.argsort(ranks, kind="stable")
    subject_ids, check_ids, statuses, severities, messages = (
        np.array(column, dtype=object)[order] for column in zip(*rows, strict=True)
    )
    codes, uniques = pd.factorize(subject_ids)
    named = np.array([names.get(subject_id, subject_id) for subject_id in uniques], dtype=object)
    columns = {
        "subject_id": pd.Categorical.from_codes(codes, uniques),
        "subject": _categorical(named[codes]),
        "check_id": _categorical(check_ids),
        "status": _categorical(statuses),
        "severity": _categorical(severities),
        "message": _text(messages),
    }
    return pd.DataFrame(columns, columns=ISSUE_COLUMNS)


def _failing(rows: list[Issues]) -> dict[str, list[str]]:
    """Each subject's failing or unknown checks, worst first."""
    checks: dict[str, list[str]] = {}
    for subject_id, check_id, *_ in rows:
        checks.setdefault(subject_id, []).append(check_id)
    return checks


def latest_evaluation(url: str) -> int | None:
    """The latest evaluation's id: the inventories' cache key (one cheap query)."""
    with Session(engine(url)) as session:
        return latest_evaluation_id(session)


def _stored(url: str, read: Callable[[Session, int], View], evaluation_id: int | None, empty: View) -> View:
    if evaluation_id is None:
        return empty
    with Session(engine(url)) as session:
        return read(session, evaluation_id)


def people(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every person of the latest evaluation with identities, MFA, training, roles and open
    findings; and the open findings one row each (`subject` is the person)."""
    return _people(url, latest_evaluation(url))


def _people_read(session: Session, evaluation_id: int) -> tuple[dict[str, list[Any]], list[Issues]]:
    return people_columns(session, evaluation_id), issues_of(session, evaluation_id, "person")


@st.cache_resource(ttl=INVENTORY_TTL, show_spinner=False, max_entries=4)
@_without_gc
def _people(url: str, evaluation_id: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    empty: tuple[dict[str, list[Any]], list[Issues]] = ({name: [] for name in PERSON_FIELDS}, [])
    c, issues = _stored(url, _people_read, evaluation_id, empty)
    return people_frame(c, issues), _issue_frame(issues, dict(zip(c["person_id"], c["name"], strict=True)))


def people_frame(c: dict[str, list[Any]], issues: list[Issues]) -> pd.DataFrame:
    """The people table of the people `c` (people_columns) with their open findings `issues`."""
    failing = _failing(issues)
    checks = [failing.get(person_id, []) for person_id in c["person_id"]]
    measured = c["training_measured"]
    columns: dict[str, list[Any]] = {
        "person": c["name"],
        "kind": c["identity_class"],  # employee, guest, machine
        "why": c["why"],
        "identities": [_joined(v) for v in c["identities"]],
        "sources": [", ".join(v) for v in c["sources"]],
        "mfa": [_yes_no(v) for v in c["mfa"]],
        "factors": [", ".join(v) for v in c["factor_kinds"]],
        "phishing_resistant": [_yes_no(v) for v in c["phishing_resistant"]],
        "awareness_training": [_training_text(*v) for v in zip(c["awareness_at"], measured, strict=True)],
        "lure_training": [_training_text(*v) for v in zip(c["lure_at"], measured, strict=True)],
        "privileged": [_yes_no(v) for v in c["privileged"]],
        "roles": [_joined(v) for v in c["roles"]],
        "signer_for": [_joined(v) for v in c["signer_for"]],
        "open_findings": [len(v) for v in checks],
        "failing": [_joined(v) for v in checks],
        "id": c["person_id"],
        "active": c["active"],
    }
    texts = {
        name: _text(values) if name not in ("open_findings", "active") else values
        for name, values in columns.items()
    }
    return pd.DataFrame(texts, columns=PEOPLE_COLUMNS)


def custody(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every wallet, signing key and HSM cluster of the latest evaluation with threshold,
    signers, backing, policy, value tier and open findings; and the open findings one row each."""
    return _custody(url, latest_evaluation(url))


@st.cache_resource(ttl=INVENTORY_TTL, show_spinner=False, max_entries=4)
@_without_gc
def _custody(url: str, evaluation_id: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    views: list[CustodyView] = _stored(url, custody_of, evaluation_id, [])
    rows = [
        (v.name, v.kind, v.provider, v.threshold, _joined(v.signers), v.hsm_backing, _joined(v.policy),
         v.value_tier, v.value_usd, len(v.issues), _joined(issue.check_id for issue in v.issues), v.key)
        for v in views
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=CUSTODY_COLUMNS)
    issues = [(v.key, i.check_id, i.status, i.severity, i.message) for v in views for i in v.issues]
    return frame, _issue_frame(issues, {v.key: v.name for v in views})


def forget() -> None:
    """Drop the cached inventories (a benchmark's first render; a new evaluation is a new key)."""
    _people.clear()
    _custody.clear()


def _mentions(frame: pd.DataFrame, columns: list[str], text: str) -> pd.Series:
    needle = text.strip().lower()
    if not needle:
        return pd.Series(True, index=frame.index)
    haystack = frame[columns].astype(str)
    return haystack.apply(lambda column: column.str.lower().str.contains(needle, regex=False)).any(axis=1)


def filter_custody(
    frame: pd.DataFrame, text: str = "", kinds: list[str] | None = None, failing: bool = False
) -> pd.DataFrame:
    """Custody objects of the chosen kinds that mention `text` and, when asked, have open findings."""
    keep = _mentions(frame, ["name", "key", "provider", "signers", "policy", "failing"], text)
    if kinds:
        keep &= frame["kind"].isin(kinds)
    if failing:
        keep &= frame["open_findings"] > 0
    return frame[keep].reset_index(drop=True)
