"""okta: users with their factors and admin roles, the authentication and enrolment policies
that decide whether MFA is enforced, and the System Log's factor changes and sign-ins, from one
Okta org."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import chain
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import side_listing, side_request
from collectors.log_cursor import LogCursor, plan
from collectors.okta import log_mapper, mapper, policy_mapper
from collectors.okta.client import LOGS_PAGE_MAX, TOKEN_VARIABLE, OktaClient, okta_credential, ssws
from collectors.request_pacing import RequestPacer
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Identity, MfaPolicy, Record, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem, Scope

# Okta keeps System Log events 90 days (its data retention policy): older ones are not returned.
LOG_RETENTION_DAYS = 90
# Okta documents the System Log API as "near real-time" and names no delay, and its log
# streams as best effort, "events may arrive out of order" (help.okta.com, "Log streaming"):
# a Run reading on from a cursor re-reads the hour before the previous Run's end.
LOG_OVERLAP = timedelta(hours=1)
# Okta's documented per-minute limit for /api/v1/logs: 20 (free developer), 25 (paid developer,
# One App), 50 (Enterprise), 120 (Workforce Identity). The pace defaults to Enterprise's.
LOG_RATE_LIMIT_PER_MINUTE = 50


class OktaOptions(BaseModel):
    """The collector's own keys in `[sources.okta]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the org URL, e.g. "https://acme.okta.com"
    base_url: Annotated[str | None, http_url("the org URL", "https://acme.okta.com")] = None
    page_size: int = Field(default=200, ge=1, le=200)  # users per page (Okta allows up to 200)
    # The System Log window read each Run: the last N days (Okta keeps 90).
    signin_log_days: int = Field(default=14, ge=1, le=LOG_RETENTION_DAYS)
    signin_log_page_size: int = Field(default=LOGS_PAGE_MAX, ge=1, le=LOGS_PAGE_MAX)  # events per page
    # Requests a minute to /api/v1/logs, which Okta limits apart from the other endpoints.
    signin_log_rate_limit_per_minute: int = Field(default=LOG_RATE_LIMIT_PER_MINUTE, ge=1, le=10_000)


class OktaCollector(SaasCollector):
    """One scope per org (`okta:<org host>`). Reads, never writes:

    - `GET /api/v1/users` (and `?filter=status eq "DEPROVISIONED"`, which a plain listing
      leaves out), `GET /api/v1/users/{id}/factors`;
    - `GET /api/v1/iam/assignees/users`, then `GET /api/v1/users/{id}/roles` for those users;
    - `GET /api/v1/policies?type=ACCESS_POLICY` and `?type=MFA_ENROLL`,
      `GET /api/v1/policies/{id}/rules`;
    - `GET /api/v1/groups/{id}` and `/api/v1/groups/{id}/users` for the groups policies name;
    - `GET /api/v1/logs?since=&until=&filter=&limit=&sortOrder=ASCENDING`: the System Log's
      factor changes and sign-ins (`log_mapper.EVENT_TYPES`) of the last `signin_log_days`
      days (default 14, at most Okta's 90-day retention), as `SigninEvent`s
      (`okta:event:<uuid>`), and one `SigninLog` (`okta:signin_log:<org host>`) saying which
      span was read, how many events, and whether completely.

    The System Log is read beside the user listing: a refused (403) or broken log read leaves
    only `signin_event` and `signin_log` incomplete (the `SigninLog` says complete=False and
    why), never the users. The log is read on from a stored cursor (`collectors/log_cursor.py`):
    after a complete log of the same event types, a Run asks only from that log's end less
    `LOG_OVERLAP` (an hour), within the 90-day retention, and carries the earlier events of
    the window; otherwise (no earlier log, an incomplete one, a longer window, one past
    retention) it reads the whole window as one bounded request. The log
    is paced apart, to `signin_log_rate_limit_per_minute` (default 50: Okta's Enterprise limit
    for /api/v1/logs; 120 on Workforce Identity, 25 on One App), and Okta's X-Rate-Limit-*
    headers and 429s on it are obeyed like the other endpoints'. `rate_limit_per_minute = 0`
    turns every steady pace of the source off, the log's too.

    Credential: an API token (`credentials_env.token`, default variable `OKTA_API_TOKEN`),
    sent as `Authorization: SSWS <token>`. A token acts with its creator's admin rights: create
    it as a Read-Only Administrator, which Okta documents as able to view users, groups,
    sign-on policies and the System Log, and to change nothing
    (help.okta.com, "Read-only administrators"). With OAuth for Okta the scopes are
    `permissions`.
    """

    name = "okta"
    title = "Okta users, factors, admin roles, MFA policies and sign-in log"
    produces = (Identity, MfaPolicy, SigninEvent, SigninLog)
    carries_forward = (SigninEvent, SigninLog)  # the System Log's cursor (collectors/log_cursor.py)
    permissions = (
        "okta.users.read",
        "okta.roles.read",
        "okta.policies.read",
        "okta.groups.read",
        "okta.logs.read",
    )
    options_model = OktaOptions
    enabled_by_default = False  # needs the org URL and a token: runs once configured
    credentials = {"token": TOKEN_VARIABLE}
    # Okta's Management API: 600 requests a minute per org for /api/v1/users (the most used
    # endpoint here); the X-Rate-Limit-* headers on every answer refine it as collection runs.
    rate_limit_per_minute = 600

    def scopes(self) -> list[Scope]:
        base_url = self.options.base_url
        if base_url is None:
            if self.name in self.settings.sources:
                raise ValueError(
                    'sources.okta.base_url is not set (the org URL, like "https://acme.okta.com")'
                )
            return []  # not configured: nothing to collect
        return [Scope(self.name, f"okta:{mapper.host_of(base_url)}", {"base_url": base_url})]

    def client(self, scope: Scope) -> OktaClient:
        token = okta_credential(self.source.credentials_env)
        base_url = scope.params["base_url"]
        api = self.http(self.name, base_url, ssws(token), token)
        logs = self.http(self.name, base_url, ssws(token), token, pacer=self.log_pacer())
        options: OktaOptions = self.options
        return OktaClient(api, options.page_size, logs, options.signin_log_page_size)

    def log_pacer(self) -> RequestPacer:
        """The System Log's pace, shared by this collector's threads (Okta counts
        /api/v1/logs in a bucket of its own); off when the source's steady pace is."""
        return self.endpoint_pacer("/api/v1/logs", self.options.signin_log_rate_limit_per_minute)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        account = scope.id.removeprefix("okta:")
        with self.client(scope) as api:
            # Side requests: each that fails leaves unknown only what it feeds (see
            # collectors/degrade.py); the user listing is the main one.
            access = yield from side_request(
                lambda: _with_rules(api, "ACCESS_POLICY"),
                kinds=POLICIES,
                fields=ENFORCED,
            )
            enroll = yield from side_request(lambda: _with_rules(api, "MFA_ENROLL"), kinds=POLICIES)
            named = policy_mapper.named_groups(access or [], enroll or [])
            names = yield from side_request(
                lambda: {group: api.group_name(group) for group in named}, kinds=POLICIES
            )
            referenced = policy_mapper.referenced_groups(access or [])
            members = yield from side_request(
                lambda: {group: api.group_members(group) for group in referenced},
                fields=ENFORCED,
            )
            admins = yield from side_request(lambda: set(api.admin_ids()), fields=PRIVILEGE)
            for user in chain(api.users(), api.deprovisioned_users()):
                user_id = str(user["id"])
                factors = None
                if user.get("status") != "DEPROVISIONED":
                    factors = yield from side_request(partial(api.factors, user_id), fields=FACTORS)
                roles: list | None = None
                if admins is not None:
                    roles = []
                    if user_id in admins:
                        roles = yield from side_request(partial(api.roles, user_id), fields=PRIVILEGE)
                enforced = None
                if access is not None and members is not None:
                    groups = {group for group, ids in members.items() if user_id in ids}
                    enforced = policy_mapper.mfa_enforced(user_id, groups, access)
                yield mapper.map_user(user, factors, roles, account, enforced)
            for policy, rules in access or []:
                yield from policy_mapper.map_access_policy(policy, rules, names or {})
            for policy, rules in enroll or []:
                yield policy_mapper.map_enroll_policy(policy, rules, names or {})
            until = datetime.fromtimestamp(self.clock(), UTC)
            since = until - timedelta(days=self.options.signin_log_days)
            cursor = plan(
                scope.prior,
                log_mapper.signin_log_key(account),
                log_mapper.EVENT_TYPES,
                since,
                until,
                retention=timedelta(days=LOG_RETENTION_DAYS),
                overlap=LOG_OVERLAP,
            )
            yield from _signin_log(api, account, cursor, until)


POLICIES = (MfaPolicy.kind,)
ENFORCED = (f"{Identity.kind}.mfa_enforced",)
PRIVILEGE = (f"{Identity.kind}.privileged", f"{Identity.kind}.admin_roles", f"{Identity.kind}.full_admin")
FACTORS = (f"{Identity.kind}.mfa_enrolled", f"{Identity.kind}.factor_kinds")


def _with_rules(api: OktaClient, policy_type: str) -> list[tuple[dict, list]]:
    return [(policy, api.rules(policy["id"])) for policy in api.policies(policy_type)]


SIGNIN_KINDS = (SigninEvent.kind, SigninLog.kind)


def _signin_log(api: OktaClient, org: str, cursor: LogCursor, until: datetime) -> Iterator[Record | Problem]:
    """The window's events (read from the cursor on, the earlier ones carried), then the
    `SigninLog` saying what was read: complete only when every page was read and every event
    recorded."""
    read = 0
    skipped: list[str] = []
    failed: Problem | None = None
    seen: set[str] = set()

    def events() -> Iterator[Record | Problem]:
        nonlocal read
        for raw in api.log_events(cursor.read_from, until, log_mapper.event_filter()):
            read += 1
            record, problems = log_mapper.map_event(raw)
            if record is None:
                skipped.extend(problems)
                yield from (Problem(reason, (SigninEvent.kind,)) for reason in problems)
                continue
            yield from (Problem(reason, (), (f"{SigninEvent.kind}.anomalies",)) for reason in problems)
            if record.key not in seen:
                seen.add(record.key)
                yield record

    for item in side_listing(events, SIGNIN_KINDS):
        if isinstance(item, Problem) and item.kinds == SIGNIN_KINDS:
            failed = item  # the listing broke off: said with the SigninLog, below
        else:
            yield item
    carried = yield from cursor.carry(seen)
    reason = failed.reason if failed else ""
    if skipped and not reason:
        reason = f"{len(skipped)} of {read} events could not be recorded: {skipped[0]}"
    log = SigninLog(
        key=log_mapper.signin_log_key(org),
        name=f"Okta System Log of {org}",
        source=log_mapper.SOURCE,
        covers_from=cursor.start,
        covers_to=until,
        events_read=read,
        complete=not reason,
        reason=reason,
        event_types=list(log_mapper.EVENT_TYPES),
    )
    yield cursor.stamped(log, carried)
    if failed:
        yield failed
