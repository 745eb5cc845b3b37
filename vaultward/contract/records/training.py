"""Training records: course completions, phishing tests and their results."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from vaultward.contract.records.base import Record, record_kind

# --- training ------------------------------------------------------------------------------

TrainingStatus = Literal["passed", "completed", "in_progress", "not_started", "past_due", "failed"]


@record_kind("training.record")
class TrainingRecord(Record):
    """One person's enrolment in a training module (LMS, KnowBe4, CSV import)."""

    source: str
    person: str  # e-mail (lower case) or the identity key it belongs to
    module: str
    category: Literal["awareness", "lure", "other"] = "awareness"
    status: TrainingStatus
    completed_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    raw_status: str = ""  # the vendor's own value, kept when it is not one the mapper knows
    anomalies: list[str] = Field(default_factory=list)


# What fails a phishing test, as KnowBe4 counts failures toward a phish-prone percentage
# (support: "Failures and Phish-prone Percentages", "Remove Failures from Phishing Test
# Results"); opening the message is not one, reporting it is the right answer.
PHISHING_FAILURES = (
    "clicked",
    "data_entered",
    "attachment_opened",
    "macro_enabled",
    "replied",
    "qr_code_scanned",
)


@record_kind("training.phishing_result")
class PhishingResult(Record):
    """One person's outcome in one phishing simulation. The flags are None when the message
    never reached them (or the source does not say)."""

    source: str
    person: str  # e-mail (lower case)
    campaign: str = ""
    test: str = ""  # the key of its PhishingTest ("" when the source lists no tests)
    sent_at: AwareDatetime | None = None
    delivered: bool | None = None
    clicked: bool | None = None
    reported: bool | None = None
    data_entered: bool | None = None
    attachment_opened: bool | None = None
    macro_enabled: bool | None = None
    replied: bool | None = None
    qr_code_scanned: bool | None = None

    @property
    def failures(self) -> tuple[str, ...] | None:
        """The ways they failed ((): none), or None when it is not known: the message never
        reached them, or a failure flag is missing."""
        flags = [getattr(self, name) for name in PHISHING_FAILURES]
        if self.delivered is not True or any(flag is None for flag in flags):
            return None
        return tuple(name for name, flag in zip(PHISHING_FAILURES, flags, strict=True) if flag)


@record_kind("training.phishing_test")
class PhishingTest(Record):
    """One phishing simulation sent to a group: one run of a campaign (a KnowBe4 phishing
    security test), with the counts the vendor reports for it."""

    source: str
    campaign: str = ""  # the campaign's name
    campaign_id: str = ""
    status: str = ""  # the vendor's own value ("Closed", "Open")
    final: bool | None = None  # its results are final (KnowBe4: Closed); None: not reported
    started_at: AwareDatetime | None = None
    scheduled: int | None = None  # recipients the vendor scheduled
    delivered: int | None = None  # messages the vendor counts as delivered
    vendor_percentage: float | None = None  # the vendor's phish-prone figure, on its own scale
    anomalies: list[str] = Field(default_factory=list)


@record_kind("training.phish_prone")
class PhishProne(Record):
    """A person's phish-prone percentage as the training platform computes it."""

    source: str
    person: str
    percentage: float | None = None
    as_of: AwareDatetime | None = None
