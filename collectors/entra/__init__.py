"""entra: Microsoft Entra ID users, admin flag and registered authentication methods,
whether Conditional Access or security defaults enforce MFA for each, and the sign-in and
authentication-method audit logs of the last days."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import FAILURES
from collectors.entra import mapper, policy_mapper, signin_mapper, trust_mapper
from collectors.entra.client import GraphClient
from collectors.http_api import ApiError
from collectors.log_cursor import plan
from collectors.microsoft_graph import CREDENTIALS, GRAPH_URL, LOGIN_URL, graph_apis
from collectors.request_pacing import RequestPacer
from collectors.saas import SaasCollector, http_url
from vaultward.config.bounded import scope_part
from vaultward.contract.records import Identity, MfaPolicy, Record, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem, Scope

# Graph's "Identity and access reports service limits" (auditLogs signIns, directoryAudits):
# five requests per 10 seconds per app per tenant
# (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits).
# A pace of 24 a minute lets at most 4 through in any 10 s (RequestPacer allows a sixth of it
# per 10 s): one under the limit, since at 5 a request the network delays into Graph's next
# window makes a sixth there (benchmarks/signin_logs.py: one 429 in 101 requests at 30).
LOG_RATE_LIMIT_PER_MINUTE = 24


class EntraOptions(BaseModel):
    """`[sources.entra]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: Annotated[str, scope_part("entra:")]  # directory (tenant) id or a verified domain
    graph_url: Annotated[str, http_url()] = GRAPH_URL
    login_url: Annotated[str, http_url()] = LOGIN_URL
    # Days of sign-in and audit log read at each Run. Entra keeps both 30 days with an Entra
    # ID P1 or P2 licence and 7 days without ("Microsoft Entra data retention"); without P1
    # Graph refuses the sign-in log altogether.
    signin_log_days: int = Field(default=14, ge=1, le=30)


class EntraCollector(SaasCollector):
    """One scope per tenant (`entra:<tenant_id>`). Reads, never writes:

    - `GET /reports/authenticationMethods/userRegistrationDetails`: every user's admin flag,
      MFA registration and methods registered (`AuditLog.Read.All`);
    - `GET /identity/conditionalAccess/policies` and
      `GET /policies/identitySecurityDefaultsEnforcementPolicy` (`Policy.Read.All`);
    - `GET /groups/{id}/transitiveMembers` for the groups enabled policies include or exclude
      (`GroupMember.Read.All`);
    - `GET /policies/crossTenantAccessPolicy/default` and `.../partners` (`Policy.Read.All`):
      whether B2B guests' home-tenant MFA is trusted (`trust_mapper`);
    - `GET /auditLogs/signIns` (sign-ins since `signin_log_days` ago) and
      `GET /auditLogs/directoryAudits` (entries the Authentication Methods service logged in
      that span: security info registered, changed, deleted), both `AuditLog.Read.All`, the
      least-privileged permission Microsoft lists for them: `SigninEvent`s (`signin_mapper`)
      and one `SigninLog` saying what span was read completely (up to `LOG_LAG` before the
      Run, as entries reach the logs minutes late). The sign-in log needs an
      Entra ID P1 or P2 licence (Graph answers 403
      `Authentication_RequestFromNonPremiumTenantOrB2CTenant` without one): a refused or broken
      log leaves only `signin_event` / `signin_log` incomplete (the `SigninLog` says why),
      never the users. Both logs are read on from a stored cursor (`collectors/log_cursor.py`):
      after a complete earlier log of the same event types, a Run asks only from its end
      less `LOG_OVERLAP` (two hours), within the 30-day retention, and carries the earlier
      events of the window; otherwise it reads the whole window. v1.0 `auditLogs/signIns` lists
      interactive and federated sign-ins only: the `SigninLog` names non-interactive
      sign-ins in `not_read` (`NOT_READ`), so "no takeover signal" never rests on it.

    `policy_mapper` says how these decide each identity's `mfa_enforced`. Without
    `Policy.Read.All` (HTTP 403) identities are still stored with `mfa_enforced` unknown and
    the Run is partial, naming the permission (guests' `home_mfa_trusted` stays unknown too);
    without `GroupMember.Read.All` the groups stay unresolved and are judged conservatively
    (also a partial Run).

    Access: an app registration with those read-only application permissions, signing in with
    the client-credentials grant. Client id and secret come from the variables
    `credentials_env.client_id` / `credentials_env.client_secret` name (defaults
    `ENTRA_CLIENT_ID` / `ENTRA_CLIENT_SECRET`).
    """

    name = "entra"
    title = "Microsoft Entra ID users, authentication methods and Conditional Access"
    produces = (Identity, MfaPolicy, SigninEvent, SigninLog)
    carries_forward = (SigninEvent, SigninLog)  # the logs' cursor (collectors/log_cursor.py)
    # Microsoft Graph application permissions (AuditLog.Read.All reads the logs too)
    permissions = ("AuditLog.Read.All", "Policy.Read.All", "GroupMember.Read.All")
    options_model: ClassVar[type[BaseModel]] = EntraOptions
    enabled_by_default = False  # needs a tenant: runs once configured
    credentials = CREDENTIALS
    # Microsoft Graph counts identity requests per app per tenant in resource units per 10 s
    # (thousands even for small tenants); 1,200 a minute keeps well inside them.
    rate_limit_per_minute = 1200

    def scopes(self) -> list[Scope]:
        return [Scope(collector=self.name, id=f"{self.name}:{self.options.tenant_id}")]

    def client(self) -> GraphClient:
        options = self.options
        api, token_api = graph_apis(self, options.tenant_id, options.graph_url, options.login_url)
        # the logs through an HttpApi of their own: Graph limits them apart, far below the rest
        logs = self.http(
            self.name, options.graph_url, api.client.auth, api.credential, pacer=self.log_pacer()
        )
        return GraphClient(api, token_api, logs)

    def log_pacer(self) -> RequestPacer:
        """The audit logs' pace (Graph's identity and access reports limit: five requests per
        10 seconds per app per tenant, `LOG_RATE_LIMIT_PER_MINUTE`), shared by this
        collector's threads; off when the source's steady pace is."""
        return self.endpoint_pacer("/auditLogs", LOG_RATE_LIMIT_PER_MINUTE)

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.client() as client:
            tenant: policy_mapper.TenantPolicies | None = None
            records: list[MfaPolicy] = []
            try:
                defaults = client.security_defaults()
                policies = client.conditional_access_policies()
            except FAILURES as error:
                # A side request: the registrations are still read, only enforcement is unknown.
                yield Problem(
                    "entra: Conditional Access policies and security defaults "
                    + _refusal(error, "Policy.Read.All")
                    + "; mfa_enforced stays unknown",
                    (MfaPolicy.kind,),
                    ENFORCED,
                )
            else:
                policies = yield from _with_ids(policies)
                members = yield from _group_members(client, policy_mapper.referenced_groups(policies))
                enabled = policy_mapper.security_defaults_enabled(defaults)
                tenant = policy_mapper.TenantPolicies(enabled, policies, members)
                records = [policy_mapper.map_security_defaults(defaults)]
                records += [policy_mapper.map_policy(policy) for policy in policies]
            trusted = yield from _home_mfa_trusted(client)
            for page in client.registration_details():
                for row in page:
                    if not isinstance(row, dict) or not row.get("id"):
                        yield Problem("a registration row without an id was skipped", (Identity.kind,))
                        continue
                    enforced = None if tenant is None else tenant.mfa_enforced(mapper.policy_user(row))
                    record = mapper.map_registration(row, self.options.tenant_id, enforced, trusted)
                    yield record.model_copy(update={"scope": scope.id})
            for policy in records:
                yield policy.model_copy(update={"scope": scope.id})
            yield from self._logs(client, scope)

    def _logs(self, client: GraphClient, scope: Scope) -> Iterator[Record | Problem]:
        """The sign-in log and the authentication-method audit entries of the window, then
        the `SigninLog` saying what was read; a side listing (see the class docstring)."""
        now = datetime.fromtimestamp(self.clock(), UTC).replace(microsecond=0)
        covers_from = now - timedelta(days=self.options.signin_log_days)
        # Entries of the last minutes may not be in the logs yet: the log vouches up to LOG_LAG ago
        covers_to = now - LOG_LAG
        key = f"{self.name}:signin_log:{self.options.tenant_id}"
        cursor = plan(
            scope.prior,
            key,
            signin_mapper.EVENT_TYPES,
            covers_from,
            covers_to,
            retention=LOG_RETENTION,
            overlap=LOG_OVERLAP,
        )
        since = cursor.read_from
        gaps: list[str] = []
        read = 0
        seen: set[str] = set()  # an entry a page boundary repeats is kept once (keys are unique in a Run)
        for what, pages, mapping in (
            ("the sign-in log", lambda: client.sign_ins(since), signin_mapper.map_sign_in),
            (
                "the Authentication Methods audit log",
                lambda: client.authentication_method_audits(since),
                signin_mapper.map_audit,
            ),
        ):
            try:
                for page in pages():
                    for row in page:
                        try:
                            event = mapping(row)
                        except signin_mapper.Skipped as skipped:
                            gaps.append(str(skipped))
                            yield Problem(str(skipped), (SigninEvent.kind, SigninLog.kind))
                            continue
                        read += 1
                        if event is not None and event.key not in seen:
                            seen.add(event.key)
                            yield event.model_copy(update={"scope": scope.id})
            except FAILURES as error:
                if _status(error) == 401:
                    raise
                reason = _log_refusal(error, what)
                gaps.append(reason)
                yield Problem(reason, (SigninEvent.kind, SigninLog.kind))
        carried = yield from cursor.carry(seen, scope.id)
        log = SigninLog(
            key=key,
            name=f"Entra sign-in and audit logs of {self.options.tenant_id}",
            scope=scope.id,
            source=self.name,
            covers_from=covers_from,
            covers_to=covers_to,
            events_read=read,
            complete=not gaps,
            reason="; ".join(gaps)[:2000],
            event_types=list(signin_mapper.EVENT_TYPES),
            not_read=list(NOT_READ),
        )
        yield cursor.stamped(log, carried)


ENFORCED = (f"{Identity.kind}.mfa_enforced",)
TRUSTED = (f"{Identity.kind}.home_mfa_trusted",)
# Microsoft reports 99% of sign-in and audit log entries within 5 minutes ("Microsoft Entra
# reporting latencies")
LOG_LAG = timedelta(minutes=5)
# A Run reading on from a cursor re-reads the two hours before the previous log's end: the
# 1% of entries later than LOG_LAG, up to the two hours after which Microsoft asks for a
# support ticket ("I can't find recent user sign-ins", Azure portal self-help).
LOG_OVERLAP = timedelta(hours=2)
# Graph v1.0 List signIns returns "sign-ins where a username and password are passed as part
# of authorization token, and successful federated sign-ins" (signin-list): not the
# non-interactive ones (a refresh or session token replayed), where a stolen session shows.
# The SigninLog says so, and the takeover check does not pass on it.
NOT_READ = ("non-interactive user sign-ins (Graph v1.0 auditLogs/signIns lists interactive ones only)",)
# Entra keeps sign-in and audit logs 30 days with P1/P2 ("Microsoft Entra data retention");
# a complete sign-in log implies P1 (Graph refuses it without).
LOG_RETENTION = timedelta(days=30)


def _home_mfa_trusted(client: GraphClient) -> Generator[Problem, None, bool | None]:
    """Whether cross-tenant access settings accept B2B users' home-tenant MFA; None, with a
    Problem, when they could not be read (a side request: the registrations still count)."""
    try:
        default = client.cross_tenant_default()
        partners = client.cross_tenant_partners()
    except FAILURES as error:
        yield Problem(
            "entra: cross-tenant access settings "
            + _refusal(error, "Policy.Read.All")
            + "; whether B2B guests' home-tenant MFA is trusted stays unknown",
            (),
            TRUSTED,
        )
        return None
    return trust_mapper.home_mfa_trusted(default, partners)


def _with_ids(policies: list[dict]) -> Generator[Problem, None, list[dict]]:
    """The policies that have an id; a Problem for each that has none."""
    kept = []
    for policy in policies:
        if policy.get("id"):
            kept.append(policy)
        else:
            yield Problem("a Conditional Access policy without an id was skipped", (MfaPolicy.kind,))
    return kept


def _group_members(
    client: GraphClient, groups: list[str]
) -> Generator[Problem, None, dict[str, frozenset[str]]]:
    """Transitive members of each group. A group not found (404: deleted, or a wrong id)
    stays unresolved with a Problem; without GroupMember.Read.All (403) all of them do."""
    members: dict[str, frozenset[str]] = {}
    for group in groups:
        try:
            members[group] = client.group_members(group)
        except FAILURES as error:
            if _status(error) == 404:
                # A deleted group (Graph answers 404), or a wrong id: either way its members
                # are not known, so a user it may exclude is not counted as enforced.
                yield Problem(
                    f"entra: group {group}, named by a Conditional Access policy, was not found "
                    "(deleted? remove it from the policy); a user it may exclude is not counted "
                    "as enforced",
                    (),
                    ENFORCED,
                )
                continue
            yield Problem(
                f"entra: members of group {group} {_refusal(error, 'GroupMember.Read.All')}; groups "
                "Conditional Access policies name stay unresolved (a user they may exclude is not "
                "counted as enforced)",
                (),
                ENFORCED,
            )
            break
    return members


def _status(error: Exception) -> int | None:
    return error.status if isinstance(error, ApiError) else None


# Graph's refusal of the sign-in log to a tenant without Entra ID P1 or P2
NON_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def graph_error_code(error: Exception) -> str:
    """The `error.code` of a Graph refusal's body (`ApiError.detail`), "" when none."""
    try:
        body = json.loads(getattr(error, "detail", "") or "null")
    except ValueError:
        return ""
    inner = body.get("error") if isinstance(body, dict) else None
    code = inner.get("code") if isinstance(inner, dict) else None
    return code if isinstance(code, str) else ""


def _log_refusal(error: Exception, what: str) -> str:
    """Why a log could not be read: a licence or a permission refused (403), or a failure."""
    if _status(error) == 403:
        code = graph_error_code(error)
        if code == NON_PREMIUM:
            return f"entra: {what}: Graph 403 {code}: sign-in logs need Entra ID P1 or P2"
        return (
            f"entra: {what}: Graph 403 {code or 'refused'}: grant the application permission "
            "AuditLog.Read.All"
        )
    return f"entra: {what} could not be read completely ({error})"


def _refusal(error: Exception, permission: str) -> str:
    """How a side request failed: a 403 is the documented least-privilege case."""
    if _status(error) == 403:
        return f"refused (HTTP 403): grant the application permission {permission}"
    return f"could not be read ({error})"
