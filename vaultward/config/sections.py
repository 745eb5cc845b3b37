"""The runtime sections of the configuration besides sources and notification: `[store]`,
`[scoring]`, `[dashboard]` (who may do what: vaultward/config/access.py) and `[retention]`."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from vaultward.config.bounded import (
    DAYS,
    HOST_LENGTH,
    URL_LENGTH,
    Bounded,
    BoundedPath,
    Email,
    EnvName,
    Name,
    WebUrl,
)
from vaultward.config.types import Schedule, Strict, _schedule


class StoreConfig(Strict):
    # $VAULTWARD_DATABASE_URL wins; default: SQLite in data_dir
    database_url: Annotated[str, Bounded(max_length=URL_LENGTH, min_length=1)] | None = None
    data_dir: BoundedPath = Path(".vaultward")


class ScoringConfig(Strict):
    mitigation_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "custody": 1.0,
            "training": 1.0,
            "access": 1.0,
            "segmentation": 1.0,
            "detection": 1.0,
        }
    )

    @field_validator("mitigation_weights")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        from vaultward.contract.vocabulary import MITIGATIONS

        for name, weight in value.items():
            if name not in MITIGATIONS:
                raise ValueError(f"{name!r} is not a mitigation (expected one of {', '.join(MITIGATIONS)})")
            if not 0 <= weight <= 1000:
                raise ValueError(f"{name}: weight must be between 0 and 1000")
        return value


class DashboardConfig(Strict):
    """Where the dashboard binds and who may do what on it (see vaultward/config/access.py)."""

    address: Annotated[str, Bounded(max_length=HOST_LENGTH, min_length=1)] = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    # How people reach it (behind a proxy, say); links in alerts and reports start here.
    # Default: http://<address>:<port>.
    public_url: WebUrl | None = None
    # OIDC (an [auth] section in .streamlit/secrets.toml): who is an admin.
    admins: list[Email] = Field(default_factory=list, max_length=1000)  # e-mail addresses
    admin_group_claim: Name = "groups"  # the ID-token claim listing the user's groups
    admin_groups: list[Name] = Field(default_factory=list, max_length=1000)
    # Without OIDC: passwords from these environment variables gate the dashboard.
    password_env: EnvName = "VAULTWARD_DASHBOARD_PASSWORD"  # noqa: S105 - a variable's name, viewers
    admin_password_env: EnvName = "VAULTWARD_DASHBOARD_ADMIN_PASSWORD"  # noqa: S105 - admins
    max_login_attempts: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    # A signed-in session ends this long after its login, and after this long without use.
    session_minutes: int = Field(default=480, ge=1, le=10080)
    idle_minutes: int = Field(default=60, ge=1, le=1440)
    # Password mode: the variable holding the session cookie's signing secret (unset: a random
    # one per server process, so sessions end with it).
    session_secret_env: EnvName = "VAULTWARD_DASHBOARD_SESSION_SECRET"  # noqa: S105 - a variable's name
    # Proxies (addresses or CIDRs) whose X-Forwarded-For names the client; nobody else's is read.
    trusted_proxies: list[Annotated[str, Bounded(max_length=50, strip_whitespace=True)]] = Field(
        default_factory=list, max_length=100
    )

    @field_validator("admins")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        bad = []
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                bad.append(entry)
        if bad:
            raise ValueError(f"not IP addresses or CIDR networks: {', '.join(map(repr, bad))}")
        return value


class RetentionConfig(Strict):
    """`[retention]`: how long what no view shows any more stays in the store (0 keeps it)."""

    findings_days: int = Field(default=30, ge=0, le=DAYS)  # findings of evaluations other than a week's last
    facts_days: int = Field(default=30, ge=0, le=DAYS)  # facts of Runs a later usable Run superseded
    schedule: Schedule = Field(default_factory=lambda: Schedule(cron="30 3 * * *"))

    _normalise_schedule = field_validator("schedule", mode="before")(_schedule)
