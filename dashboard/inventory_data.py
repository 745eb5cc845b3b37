"""The People and Wallets pages' data: people and custody objects rebuilt from the latest facts
(vaultward.derived.inventory), cached per inputs_version. Moved unchanged from data.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import func
from sqlmodel import col, select

from dashboard.runtime import latest_evaluation, settings
from dashboard.runtime import session as _session
from vaultward.store.models import Evaluation, Finding, Run

INVENTORY_TTL = 3600  # inventories are keyed by inputs_version: new facts refresh them


# --- inventory: people, wallets and keys -----------------------------------------------------

PEOPLE_COLUMNS = [
    "person", "kind", "why", "identities", "sources", "mfa", "factors", "phishing_resistant",
    "awareness_training", "lure_training", "privileged", "roles", "signer_for", "open_findings",
    "failing", "id", "active",
]  # fmt: skip
CUSTODY_COLUMNS = [
    "name", "kind", "provider", "threshold", "signers", "hsm_backing", "policy", "value_tier",
    "value_usd", "open_findings", "failing", "key",
]  # fmt: skip
ISSUE_COLUMNS = ["subject_id", "subject", "check_id", "status", "severity", "message"]


def _yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else ("yes" if flag else "no")


def _joined(values: Any) -> str:
    return "; ".join(values)


def _inventory_inputs(url: str, now: datetime) -> tuple[dict[str, list[Any]], list[Any]]:
    """The records of the latest usable Runs (as the evaluation reads them) and the latest
    evaluation's open findings (the columns inventory.OpenFinding names, no evidence)."""
    records, found, _ = _inventory_evidence(url, now)
    return records, found


def _inventory_evidence(
    url: str, now: datetime
) -> tuple[dict[str, list[Any]], list[Any], dict[tuple[str, str], dict[str, str]]]:
    """_inventory_inputs() and the fields failed requests left unknown (Evidence.field_gaps)."""
    from vaultward.derived.inventory import OPEN
    from vaultward.pipeline.evidence import latest_facts

    latest = latest_evaluation(url)
    with _session(url) as session:
        evidence = latest_facts(session, settings(), now)
        records = evidence.records
        found: list[Any] = []
        if latest is not None:
            columns = (Finding.resource, Finding.check_id, Finding.status, Finding.severity, Finding.message)
            found = list(
                session.exec(
                    select(*columns).where(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                        Finding.evaluation_id == latest["id"], col(Finding.status).in_(OPEN)
                    )
                ).all()
            )
    return records, found, evidence.field_gaps()


def _issue_rows(subjects: Any) -> pd.DataFrame:
    """One row per open finding of each (id, name, issues) subject."""
    rows = [
        {"subject_id": subject_id, "subject": name, "check_id": issue.check_id, "status": issue.status,
         "severity": issue.severity, "message": issue.message}
        for subject_id, name, issues in subjects
        for issue in issues
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


def _training_text(completed: datetime | None, measured: bool) -> str:
    if completed is not None:
        return f"{completed:%Y-%m-%d}"
    return "none passed" if measured else "unknown"


def inputs_version(url: str) -> tuple[int | None, int | None]:
    """What the inventories are built from, as a cache key: the newest finished Run and the
    newest evaluation. Resolving every person takes seconds at 100,000 identities, so it is
    done once per new facts or evaluation (or per hour), not once a minute."""
    with _session(url) as session:
        run = session.exec(select(func.max(Run.id)).where(col(Run.finished_at).is_not(None))).one()
        evaluation = session.exec(select(func.max(Evaluation.id))).one()
    return run, evaluation


def people(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every person with identities, MFA, training, roles and open findings; and the open
    findings one row each (`subject` is the person)."""
    return _people(url, inputs_version(url))


@st.cache_data(ttl=INVENTORY_TTL, show_spinner="Resolving people from the latest facts…", max_entries=4)
def _people(url: str, version: tuple[int | None, int | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """people(), cached per `version` (inputs_version: only a cache key)."""
    from vaultward.derived.inventory import people_view

    now = datetime.now(UTC)
    records, found = _inventory_inputs(url, now)
    views = people_view(records, settings().policy, found, now)
    rows = [
        {
            "person": view.name,
            "kind": view.identity_class,  # employee, guest, machine
            "why": view.why,
            "identities": _joined(view.identities),
            "sources": ", ".join(view.sources),
            "mfa": _yes_no(view.mfa),
            "factors": ", ".join(view.factor_kinds),
            "phishing_resistant": _yes_no(view.phishing_resistant),
            "awareness_training": _training_text(view.awareness_at, view.training_measured),
            "lure_training": _training_text(view.lure_at, view.training_measured),
            "privileged": _yes_no(view.privileged),
            "roles": _joined(view.roles),
            "signer_for": _joined(view.signer_for),
            "open_findings": len(view.issues),
            "failing": _joined(issue.check_id for issue in view.issues),
            "id": view.id,
            "active": view.active,
        }
        for view in views
    ]
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS), _issue_rows((v.id, v.name, v.issues) for v in views)


def custody(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every wallet, signing key and HSM cluster with threshold, signers, backing, policy,
    value tier and open findings; and the open findings one row each."""
    return _custody(url, inputs_version(url))


@st.cache_data(ttl=INVENTORY_TTL, show_spinner="Resolving wallets from the latest facts…", max_entries=4)
def _custody(url: str, version: tuple[int | None, int | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """custody(), cached per `version` (inputs_version: only a cache key)."""
    from vaultward.derived.inventory import custody_view

    now = datetime.now(UTC)
    records, found, gaps = _inventory_evidence(url, now)
    views = custody_view(records, settings().policy, found, now, gaps)
    judged = _judged_wallets(url)
    rows: list[dict[str, Any]] = [
        {
            "name": view.name,
            "kind": view.kind,
            "provider": view.provider,
            "threshold": view.threshold,
            "signers": _joined(view.signers),
            "hsm_backing": view.hsm_backing,
            "policy": _joined(view.policy),
            "value_tier": view.value_tier,
            "value_usd": view.value_usd,
            "open_findings": len(view.issues),
            "failing": _joined(issue.check_id for issue in view.issues),
            "key": view.key,
        }
        for view in views
    ]
    for row in rows:
        # The m-of-n and value tier the latest evaluation judged, under its policy (the price
        # table, value-tier tags), not recomputed under whatever configuration serves the page.
        line = judged.get(row["key"]) if row["kind"] == "wallet" else None
        if line is not None and line.value_tier != "not recorded":
            row.update(threshold=line.quorum, value_tier=line.value_tier, value_usd=line.value_usd)
    return pd.DataFrame(rows, columns=CUSTODY_COLUMNS), _issue_rows((v.key, v.name, v.issues) for v in views)


def _judged_wallets(url: str) -> dict[str, Any]:
    """The latest evaluation's wallet lines (vaultward.reporting.wallets) by wallet key."""
    from vaultward.reporting.wallets import wallet_lines

    latest = latest_evaluation(url)
    if latest is None:
        return {}
    with _session(url) as session:
        return {line.resource: line for line in wallet_lines(session, latest["id"])}


def _mentions(frame: pd.DataFrame, columns: list[str], text: str) -> pd.Series:
    needle = text.strip().lower()
    if not needle:
        return pd.Series(True, index=frame.index)
    haystack = frame[columns].astype(str)
    return haystack.apply(lambda column: column.str.lower().str.contains(needle, regex=False)).any(axis=1)


def filter_people(
    frame: pd.DataFrame,
    text: str = "",
    privileged: bool = False,
    signers: bool = False,
    failing: bool = False,
    machines: bool = False,
) -> pd.DataFrame:
    """Employees who mention `text` and, when asked, are privileged, sign, or have open
    findings; machine identities too when `machines`. Guests are listed apart (`guests`)."""
    keep = _mentions(frame, ["person", "identities", "roles", "signer_for", "failing"], text)
    if privileged:
        keep &= frame["privileged"] == "yes"
    if signers:
        keep &= frame["signer_for"] != ""
    if failing:
        keep &= frame["open_findings"] > 0
    keep &= frame["kind"].isin(["employee", "machine"] if machines else ["employee"])
    return frame[keep].reset_index(drop=True)


def census(frame: pd.DataFrame) -> dict[str, int]:
    """Active people by class and the departed, counted as the evaluation's census counts them
    (vaultward.derived.people.census): a suspended machine account is not counted."""
    active = frame["active"].astype(bool)
    counts = {
        kind: int(((frame["kind"] == kind) & active).sum()) for kind in ("employee", "guest", "machine")
    }
    counts["departed"] = int((~active & (frame["kind"] != "machine")).sum())
    return counts


def guests(frame: pd.DataFrame, text: str = "") -> pd.DataFrame:
    """The guests from outside the organisation who mention `text`, listed apart from staff."""
    keep = _mentions(frame, ["person", "identities", "roles", "signer_for", "failing"], text)
    return frame[keep & (frame["kind"] == "guest")].reset_index(drop=True)


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
