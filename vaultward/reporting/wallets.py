"""The weekly report's wallet lines: every wallet the evaluation judged, with its m-of-n as the
vendor defines it and its value tier, read from the multisig check's findings (each wallet
has one, in scope or not), so the report shows what the check judged and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from vaultward.derived.wallet_value import usd_text
from vaultward.store.models import Finding

CHECK = "custody.multisig_threshold"


@dataclass(frozen=True)
class WalletLine:
    resource: str
    name: str
    provider: str
    quorum: (
        str  # vaultward.derived.quorum: "2-of-3 owners", "2-of-3 keys; 1 approval of 2 admins", "MPC: ..."
    )
    value_tier: str  # high, standard, unknown
    value_usd: str  # "$1,250,000", "at least $60,000 (lower bound: no price for NWT)", ""
    status: str  # the multisig check's: pass, fail, unknown, skipped (not high-value, MPC), waived
    message: str


def wallet_lines(session: Session, evaluation_id: int) -> list[WalletLine]:
    """One line per wallet of the evaluation, by provider then name. Findings stored before
    the check recorded its quorum say "not recorded" rather than guess."""
    rows = session.exec(
        select(Finding).where(Finding.evaluation_id == evaluation_id, col(Finding.check_id) == CHECK)
    ).all()  # one per wallet: whole rows are cheap here
    lines = [
        WalletLine(
            resource=row.resource,
            name=row.resource_name or row.resource,
            provider=str(row.evidence.get("provider") or row.resource.split(":", 1)[0]),
            quorum=str(row.evidence.get("quorum") or "not recorded"),
            value_tier=str(row.evidence.get("value_tier") or "not recorded"),
            value_usd=usd_text(
                row.evidence.get("value_usd"),
                bool(row.evidence.get("value_lower_bound")),
                row.evidence.get("unpriced_assets") or (),
            ),
            status=row.status,
            message=row.message,
        )
        for row in rows
        if row.resource != "*"  # the check's "no wallet collected" finding
    ]
    return sorted(lines, key=lambda line: (line.provider, line.name, line.resource))
