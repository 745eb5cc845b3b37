"""The weekly report's wallet list: every wallet the week's evaluation judged, with its m-of-n
and value tier, read from the findings of `custody.multisig_threshold` (whose evidence carries
them for every wallet), so the report shows what the check judged and nothing recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from vaultward.models import Finding
from vaultward.wallet_value import usd_text

WALLET_CHECK = "custody.multisig_threshold"


@dataclass(frozen=True)
class WalletLine:
    resource: str
    name: str
    provider: str
    quorum: str  # "2-of-3 owners", "2-of-3", "not reported"
    value_tier: str  # high, standard, unknown
    value_usd: str  # "$1,250,000", "at least $60,000 (lower bound: no price for NWT)", ""
    status: str  # the check's verdict on it


def _quorum(evidence: dict[str, Any]) -> str:
    if evidence.get("quorum"):
        return str(evidence["quorum"])
    threshold, signers = evidence.get("threshold"), evidence.get("signers")
    if threshold is None:
        return (
            "MPC: approvals in the transfer policy"
            if evidence.get("provider") == "fireblocks"
            else "not reported"
        )
    return f"{threshold}-of-{signers}"


def wallet_lines(session: Session, evaluation_id: int) -> list[WalletLine]:
    """One line per wallet of the evaluation, by provider and name."""
    rows = session.exec(
        select(Finding.resource, Finding.resource_name, Finding.status, Finding.evidence).where(
            Finding.evaluation_id == evaluation_id, col(Finding.check_id) == WALLET_CHECK
        )
    )
    lines = []
    for resource, name, status, evidence in rows:
        evidence = evidence if isinstance(evidence, dict) else {}
        if "value_tier" not in evidence:
            continue  # an evaluation from before value tiers were recorded, or not a wallet
        lines.append(
            WalletLine(
                resource=resource,
                name=name or resource,
                provider=str(evidence.get("provider") or ""),
                quorum=_quorum(evidence),
                value_tier=str(evidence["value_tier"]),
                value_usd=usd_text(
                    evidence.get("value_usd"),
                    bool(evidence.get("value_lower_bound")),
                    evidence.get("unpriced_assets") or (),
                ),
                status="skipped" if status == "skipped" else status,
            )
        )
    return sorted(lines, key=lambda line: (line.provider, line.name, line.resource))
