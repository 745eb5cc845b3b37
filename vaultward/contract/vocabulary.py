"""The words every part of Vaultward shares: the mitigations, their titles, the severities and
the statuses of a finding. No imports from the rest of the core, so anything may use them."""

from __future__ import annotations

from typing import Literal, get_args

Mitigation = Literal["custody", "training", "access", "segmentation", "detection"]
MITIGATIONS: tuple[Mitigation, ...] = ("custody", "training", "access", "segmentation", "detection")
MITIGATION_TITLES: dict[str, str] = {
    "custody": "HSM and multi-signature custody",
    "training": "Social-engineering training",
    "access": "Zero-trust access and strict MFA",
    "segmentation": "Production isolated from corporate",
    "detection": "Logging and threat detection",
}
Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)  # most severe first
Status = Literal["pass", "fail", "unknown", "skipped", "waived"]
