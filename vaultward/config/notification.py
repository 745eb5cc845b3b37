"""Where reports and alerts go: the `[report]`, `[smtp]` and `[alerts]` sections of the
configuration. Secrets (SMTP password, webhook URLs) are named by environment variable,
never written in the file."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from vaultward.config.bounded import (
    HOST_LENGTH,
    Bounded,
    BoundedPath,
    Email,
    EnvName,
    Name,
    Region,
    WebUrl,
)
from vaultward.config.types import Schedule, Strict, _schedule
from vaultward.contract.vocabulary import Severity

# S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens.
BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
HEADER = r"^[A-Za-z0-9-]{1,100}$"
ReportFormat = Literal["html", "pdf", "csv", "json", "ocsf"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf", "csv", "json", "ocsf")
DEFAULT_FORMATS: tuple[ReportFormat, ...] = ("html", "pdf", "csv", "json")  # ocsf: for a SIEM, opt in


def _default_severities() -> list[Severity]:
    return ["critical", "high"]


def _default_formats() -> list[ReportFormat]:
    return list(DEFAULT_FORMATS)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpConfig(Strict):
    """The mail server for reports and alerts. `security = "none"` is only accepted for a
    loopback host (a local relay); anything else must be encrypted."""

    host: Annotated[str, Bounded(max_length=HOST_LENGTH, min_length=1, strip_whitespace=True)]
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: Name | None = None
    password_env: EnvName | None = "VAULTWARD_SMTP_PASSWORD"  # noqa: S105 - a variable's name
    sender: Email
    ca_file: BoundedPath | None = None  # a private CA to trust besides the system's
    timeout_seconds: float = Field(default=30, gt=0, le=600)

    @model_validator(mode="after")
    def _encrypted(self) -> SmtpConfig:
        if self.security == "none" and not is_loopback(self.host):
            raise ValueError(
                f"security='none' sends mail unencrypted; only allowed for a loopback host, not {self.host!r}"
            )
        return self

    def password(self) -> str | None:
        """The SMTP password from its environment variable (None when unset or no login)."""
        if self.username is None or self.password_env is None:
            return None
        return os.environ.get(self.password_env) or None


class S3Delivery(Strict):
    """Copy each report file to `s3://bucket/prefix<week>/<file>`, encrypted at rest."""

    bucket: Annotated[str, StringConstraints(pattern=BUCKET)]
    prefix: Annotated[str, Bounded(max_length=900)] = "vaultward/reports/"  # S3 keys: 1,024 bytes at most
    region: Region | None = None
    server_side_encryption: Literal["AES256", "aws:kms"] = "aws:kms"
    # aws:kms without it uses the bucket's / account's default key
    kms_key_id: Annotated[str, Bounded(max_length=2048, min_length=1)] | None = None
    endpoint_url: WebUrl | None = None  # for testing against a moto server; default: [aws].endpoint_url

    @model_validator(mode="after")
    def _kms_key(self) -> S3Delivery:
        if self.kms_key_id is not None and self.server_side_encryption != "aws:kms":
            raise ValueError("kms_key_id needs server_side_encryption = 'aws:kms'")
        return self


class EmailDelivery(Strict):
    """E-mail the report (PDF attached when produced, summary in the body) through [smtp]."""

    to: list[Email] = Field(min_length=1, max_length=100)


class ReportConfig(Strict):
    """The weekly report: what is produced, when, and where it goes."""

    formats: list[ReportFormat] = Field(default_factory=_default_formats)
    out_dir: BoundedPath = Path("reports")  # relative paths are under [store].data_dir
    paper: Literal["A4", "Letter"] = "A4"
    # When the worker writes and delivers last week's report; default Monday 07:00 UTC.
    schedule: Schedule = Field(default_factory=lambda: Schedule(cron="0 7 * * mon"))
    s3: S3Delivery | None = None
    email: EmailDelivery | None = None
    max_attempts: int = Field(default=3, ge=1, le=10)  # per delivery target, with backoff

    _normalise_schedule = field_validator("schedule", mode="before")(_schedule)

    @field_validator("formats")
    @classmethod
    def _some_format(cls, value: list[ReportFormat]) -> list[ReportFormat]:
        if not value:
            raise ValueError(f"give at least one of {', '.join(FORMATS)}")
        return list(dict.fromkeys(value))


class SlackChannel(Strict):
    webhook_url_env: EnvName = "VAULTWARD_SLACK_WEBHOOK_URL"  # the URL is a secret


class WebhookChannel(Strict):
    """A generic JSON webhook: POSTs one JSON object per alert."""

    url_env: EnvName = "VAULTWARD_ALERT_WEBHOOK_URL"
    # Optional header carrying a shared secret, e.g. {"Authorization" = "VAULTWARD_WEBHOOK_TOKEN"}.
    headers_env: dict[Annotated[str, StringConstraints(pattern=HEADER)], EnvName] = Field(
        default_factory=dict, max_length=20
    )


class AlertsConfig(Strict):
    """Alerts between reports, after each evaluation: a newly failing check of these
    severities, a mitigation score that dropped by `score_drop_points` or more, a source gone
    stale. One alert per change, repeated only after it recovers."""

    severities: list[Severity] = Field(default_factory=_default_severities)
    score_drop_points: float = Field(default=10.0, gt=0, le=100)
    stale_sources: bool = True
    slack: SlackChannel | None = None
    webhook: WebhookChannel | None = None
    email: EmailDelivery | None = None
    max_attempts: int = Field(default=3, ge=1, le=10)

    @property
    def channels(self) -> list[str]:
        return [name for name in ("slack", "webhook", "email") if getattr(self, name) is not None]
