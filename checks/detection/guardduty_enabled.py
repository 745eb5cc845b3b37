"""GuardDuty enabled in every account and region."""

from collections.abc import Iterator

from vaultward.contract.records import ThreatDetector
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed


@check(
    id="detection.guardduty_enabled",
    title="GuardDuty is enabled in every account and configured region",
    mitigation="detection",
    severity="medium",
    weight=1,
    reads=[ThreatDetector],
    references=["attack-mitigation:M1047", "cis-v8:13.1", "nist-csf:DE.CM-01"],
    remediation="Enable GuardDuty organisation-wide, with a delegated administrator account, in every region in use.",
)
def guardduty_enabled(ctx: CheckContext) -> Iterator[Result]:
    """Credential misuse from unusual places and crypto-theft tooling are what threat detection
    flags first; a region without it is a blind spot an intruder can work in."""
    accounts = ctx.account_names
    for detector in ctx.records(ThreatDetector):
        where = (
            f"{detector.region} of {accounts.label(detector.account)}"
            if detector.account
            else detector.region
        )
        evidence = {"detector": detector.detector_id, **accounts.evidence(detector.account)}
        if detector.enabled:
            yield passed(detector, f"enabled in {where}", **evidence)
        else:
            reason = "detector suspended" if detector.detector_id else "no detector"
            yield failed(detector, f"{reason} in {where}", **evidence)
