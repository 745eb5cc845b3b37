"""google_workspace: Google Workspace users, their admin roles and 2-Step Verification, and
the login, user accounts and admin audit logs' sign-ins and factor changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import FAILURES
from collectors.google_workspace import mapper
from collectors.google_workspace.client import (
    DIRECTORY_SCOPE,
    REPORTS_SCOPE,
    DirectoryClient,
    ReportsGrant,
    ServiceAccountGrant,
    google_rate_limited,
)
from collectors.http_api import ApiError, credential
from collectors.log_cursor import plan
from collectors.saas import SaasCollector, http_url
from vaultward.config.bounded import ACTOR_LENGTH, Bounded, scope_part
from vaultward.contract.records import Identity, Record, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem, Scope

DEFAULT_KEY_FILE_VARIABLE = "GOOGLE_SERVICE_ACCOUNT_FILE"
# How late login events may reach the Reports API: Google's "Data retention and lag times"
# (https://support.google.com/a/answer/7061566) gives admin log events as near real time (a
# couple of minutes) and login log events as up to a few hours late. The sign-in log claims
# completeness only up to now minus this; later events are read, not vouched for.
LOGIN_LAG = timedelta(hours=4)
# The same page warns "a small chance" of events later than these lag times: a Run reading
# on from a cursor re-reads the day before the previous log's end (its end is LOGIN_LAG
# before that Run), one request window of a day instead of signin_log_days.
LOG_OVERLAP = timedelta(days=1)
# The Reports API keeps login, admin and user accounts log events six months (same page).
LOG_RETENTION = timedelta(days=180)


class GoogleWorkspaceOptions(BaseModel):
    """`[sources.google_workspace]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # customer id, or my_customer
    customer: Annotated[str, scope_part("google_workspace:")] = "my_customer"
    # list one domain's users instead of the whole customer's
    domain: Annotated[str, scope_part("google_workspace:")] | None = None
    # the administrator the service account acts as
    admin_subject: Annotated[str, Bounded(max_length=ACTOR_LENGTH, min_length=3)]
    directory_url: Annotated[str, http_url()] = "https://admin.googleapis.com"
    token_url: Annotated[str, http_url()] = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
    # days of login, user accounts and admin audit events read each Run (the Reports API keeps six months)
    signin_log_days: Annotated[int, Field(ge=1, le=180)] = 14


class GoogleWorkspaceCollector(SaasCollector):
    """One scope per configured customer: every user with `isAdmin` / `isDelegatedAdmin`,
    `isEnrolledIn2Sv` / `isEnforcedIn2Sv`, suspension and last login.

    Access: a service account with domain-wide delegation for the read-only scope
    `https://www.googleapis.com/auth/admin.directory.user.readonly`, acting as
    `admin_subject` (an administrator allowed to read users). Its JSON key file's path is in
    the variable `credentials_env.service_account_file` names (default
    `GOOGLE_SERVICE_ACCOUNT_FILE`). The Directory API tells neither the 2SV method nor the
    2SV policy: see `mapper` for what that means for checks.

    Beside the users, the Reports API's login, user accounts and admin audit activities of
    the last `signin_log_days` days become `SigninEvent`s (sign-ins, Google's suspicious-login
    and government-backed-attack warnings, 2SV enrolled or turned off by the user, which Google
    now logs under user_accounts and older logs under login, an administrator turning
    off a user's 2SV, revoking a security key or issuing backup codes; see `mapper`) and one
    `SigninLog` per scope. They need a second read-only scope added to the same domain-wide
    delegation, `https://www.googleapis.com/auth/admin.reports.audit.readonly`, and an
    `admin_subject` allowed to read reports. Without it the users are still read; only the
    sign-in events are missing and the SigninLog says `complete=False` and why. The log
    vouches for events up to `LOGIN_LAG` before now, because Google may deliver login events
    hours late, and is read on from a stored cursor (`collectors/log_cursor.py`): after a
    complete earlier log of the same event types, a Run asks each application only from
    that log's end less `LOG_OVERLAP` (a day), within the six-month retention, and carries the
    earlier events of the window; otherwise it reads the whole window.
    """

    name = "google_workspace"
    title = "Google Workspace users, 2-Step Verification and sign-in audit"
    produces = (Identity, SigninEvent, SigninLog)
    carries_forward = (SigninEvent, SigninLog)  # the audit's cursor (collectors/log_cursor.py)
    permissions = (DIRECTORY_SCOPE, REPORTS_SCOPE)  # OAuth scopes granted by domain-wide delegation
    options_model: ClassVar[type[BaseModel]] = GoogleWorkspaceOptions
    enabled_by_default = False  # needs a tenant: runs once configured
    credentials = {"service_account_file": DEFAULT_KEY_FILE_VARIABLE}
    # Directory API: 2,400 queries a minute per user per Google Cloud project by default
    # (over it: 403 userRateLimitExceeded); the Reports API's requests share this pace and
    # the same 403-quota / 429 handling.
    rate_limit_per_minute = 2400

    @property
    def account(self) -> str:
        return self.options.domain or self.options.customer

    def scopes(self) -> list[Scope]:
        return [Scope(collector=self.name, id=f"{self.name}:{self.account}")]

    def client(self) -> DirectoryClient:
        key_file = credential(
            self.name, self.source.credentials_env, "service_account_file", DEFAULT_KEY_FILE_VARIABLE
        )
        token_api = self.http(self.name, self.options.token_url, credential=key_file, paced=False)
        grant = ServiceAccountGrant(token_api, key_file, self.options.admin_subject)
        api = self.http(
            self.name, self.options.directory_url, grant, key_file, rate_limited=google_rate_limited
        )
        audit_grant = ReportsGrant(token_api, key_file, self.options.admin_subject, scope=REPORTS_SCOPE)
        reports = self.http(
            self.name, self.options.directory_url, audit_grant, key_file, rate_limited=google_rate_limited
        )
        return DirectoryClient(api, token_api, reports)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client() as client:
            for page in client.users(self.options.customer, self.options.domain):
                for user in page:
                    if not isinstance(user, dict) or not user.get("id"):
                        yield Problem("a user without an id was skipped", (Identity.kind,))
                        continue
                    yield mapper.map_user(user, self.account).model_copy(update={"scope": scope.id})
            yield from self.signins(client, scope)

    def signins(self, client: DirectoryClient, scope: Scope) -> Iterator[Record | Problem]:
        """The audit window's SigninEvents, then the SigninLog saying what they cover. A
        request that fails (the Reports scope not delegated, a page lost past its retries)
        leaves the events read so far, the log incomplete with the reason, and a Problem on
        `signin_event` only; a refused credential (401) still fails the Run."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        start = now - timedelta(days=self.options.signin_log_days)
        key = f"{self.name}:signin_log:{self.account}"
        cursor = plan(
            scope.prior,
            key,
            EVENT_TYPES,
            start,
            now - LOGIN_LAG,
            retention=LOG_RETENTION,
            overlap=LOG_OVERLAP,
        )
        window = (_rfc3339(cursor.read_from), _rfc3339(now))
        read: set[str] = set()
        seen: set[str] = set()
        reasons: list[str] = []
        domain = f"@{self.options.domain.lower()}" if self.options.domain else ""
        try:
            # Each application read whole, not per eventName: an activity can hold several
            # events, and the key's event index must not depend on the filter.
            for application in mapper.APPLICATIONS:
                for page in client.activities(application, *window, self.options.customer):
                    for activity in page:
                        if not isinstance(activity, dict):
                            reasons.append(
                                f"{application} audit: an activity that is not an object was skipped"
                            )
                            yield Problem(reasons[-1], (SigninEvent.kind,))
                            continue
                        events, problems = mapper.map_activity(activity, application)
                        for problem in problems:
                            reasons.append(problem)
                            yield Problem(problem, (SigninEvent.kind,))
                        for event in events:
                            # The Reports API has no domain filter: a domain's scope keeps its own.
                            if domain and not event.user.endswith(domain):
                                continue
                            if event.key not in seen:
                                seen.add(event.key)
                                read.add(event.key)
                                yield event.model_copy(update={"scope": scope.id})
        except FAILURES as error:
            if isinstance(error, ApiError) and error.status == 401:
                raise
            reasons.append(str(error))
            yield Problem(str(error), (SigninEvent.kind,))
        carried = yield from cursor.carry(seen, scope.id)
        log = SigninLog(
            key=key,
            name=f"Google Workspace login, user accounts and admin audit of {self.account}",
            scope=scope.id,
            source=self.name,
            covers_from=start,
            covers_to=now - LOGIN_LAG,
            events_read=len(read),
            complete=not reasons,
            reason="; ".join(reasons)[:2000],
            event_types=list(EVENT_TYPES),
        )
        yield cursor.stamped(log, carried)


EVENT_TYPES = tuple(dict.fromkeys(name for events in mapper.APPLICATION_EVENTS.values() for name in events))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
