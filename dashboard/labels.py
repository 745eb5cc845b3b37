"""How the dashboard words and formats what it shows: titles, bands, ages, changes, file
names, account labels and spreadsheet-safe CSV. Pure functions, no store."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from vaultward.contract.vocabulary import MITIGATION_TITLES
from vaultward.pipeline.scoring import BANDS
from vaultward.pipeline.scoring import band as scoring_band

# What to connect when a mitigation has no evidence: named by the collectors that feed it.
EVIDENCE_SOURCES = {
    "custody": "AWS CloudHSM / KMS, Safe, Fireblocks or BitGo",
    "training": "KnowBe4, or import training records from CSV",
    "access": "AWS IAM, Okta, Google Workspace or Microsoft Entra ID",
    "segmentation": "the AWS network collector",
    "detection": "CloudTrail, GuardDuty or your EDR",
}


def mitigation_title(mitigation: str) -> str:
    return MITIGATION_TITLES.get(mitigation, mitigation.replace("_", " ").capitalize())


def band_sentence(band: str) -> str:
    """The plain-language sentence for a band, as the scorer words it."""
    sentences = {name: sentence for _, name, sentence in BANDS}
    sentences["unmeasured"] = scoring_band(None)[1]
    return sentences.get(band) or (f"{band.capitalize()}." if band else "Not banded.")


def score_band(score: float | None, measured: bool = True) -> str:
    """The band a score falls in, as the scorer names it; `unmeasured` without evidence."""
    return scoring_band(score if measured else None)[0]


def band_floors() -> list[tuple[str, float, float]]:
    """Each band with the scores it covers (lowest, highest), best first, as the scorer cuts them."""
    tops = [100.0] + [floor for floor, _, _ in BANDS[:-1]]
    return [(name, floor, top) for (floor, name, _), top in zip(BANDS, tops, strict=True)]


def account_label(account: str, names: dict[str, str]) -> str:
    """An account as a filter lists it: `prod-payments (111111111111)`, or the id alone."""
    name = names.get(account)
    return f"{name} ({account})" if name else account


def download_name(label: str, suffix: str) -> str:
    """A file name for a download: `vaultward-<label>-<suffix>`, the label cut to letters,
    digits, dots, dashes and underscores (no separators, no `..`) and to 40 characters."""
    words = re.findall(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*", label)
    part = "-".join(words)[:40].strip("-.") or "export"
    return f"vaultward-{part}-{suffix}"


def findings_csv(frame: pd.DataFrame) -> bytes:
    """Findings as CSV, evidence as a JSON column; cells that look like formulas neutralised."""
    export = frame.copy()
    export["evidence"] = export["evidence"].map(lambda value: json.dumps(value, sort_keys=True, default=str))
    return spreadsheet_csv(export)


def spreadsheet_csv(frame: pd.DataFrame) -> bytes:
    """`frame` as the CSV every dashboard download is: cells that look like formulas
    neutralised, rows ended CRLF (RFC 4180), so a cell holding a carriage return is quoted
    rather than starting a new row whose first cell a spreadsheet would run."""
    from vaultward.reporting.files import spreadsheet_safe

    return frame.map(spreadsheet_safe).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def format_age(hours: float | None) -> str:
    if hours is None or pd.isna(hours):
        return "not finished"
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min ago"
    if hours < 48:
        return f"{int(hours)} h ago"
    return f"{int(hours // 24)} days ago"


def change_label(change: dict[str, Any]) -> str:
    """A change as one short line: `+2 checks, -1 source (okta)`."""
    parts = []
    for key, sign, noun in (
        ("checks_added", "+", "check"),
        ("checks_removed", "-", "check"),
        ("sources_added", "+", "source"),
        ("sources_removed", "-", "source"),
    ):
        names = change[key]
        if names:
            shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            parts.append(f"{sign}{len(names)} {noun}{'' if len(names) == 1 else 's'} ({shown})")
    return "; ".join(parts)
