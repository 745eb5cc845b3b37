"""One account's view of a collector's shared boto3 Session, and the assumed-role
credentials it carries (cached by `collectors.aws.session.AwsSessions`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

# Assumed-role credentials are reused until this close to their expiry (they last an hour).
CREDENTIALS_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class RoleCredentials:
    """Temporary credentials from sts:AssumeRole; never logged (repr hides them)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def __repr__(self) -> str:
        return f"RoleCredentials(expiration={self.expiration.isoformat()})"

    def fresh(self) -> bool:
        return self.expiration - datetime.now(UTC) > CREDENTIALS_MARGIN


class ScopeSession:
    """One account's view of the collector's shared Session: clients made from it carry the
    account's credentials (None: the base credentials) and default to its region."""

    def __init__(
        self, shared: boto3.Session, lock: threading.RLock, credentials: RoleCredentials | None, region: str
    ) -> None:
        self._shared = shared
        self._lock = lock
        self._credentials = credentials
        self.region_name = region

    def client(self, service: str, region_name: str | None = None, **options: Any) -> Any:
        if self._credentials is not None:
            options |= {
                "aws_access_key_id": self._credentials.access_key_id,
                "aws_secret_access_key": self._credentials.secret_access_key,
                "aws_session_token": self._credentials.session_token,
            }
        with self._lock:  # Session.client mutates the Session: one thread at a time
            return self._shared.client(service, region_name=region_name or self.region_name, **options)  # type: ignore[call-overload]
