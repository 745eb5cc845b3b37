"""entra: Microsoft Entra ID users, admin flag and registered authentication methods,
whether Conditional Access or security defaults enforce MFA for each, and the sign-in and
authentication-method audit logs of the last days."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import FAILURES
from collectors.entra import mapper, policy_mapper, signin_log, trust_mapper
from collectors.entra.client import GraphClient, error_status

# the logs' constants, as the collector's (tests and docs name them here)
from collectors.entra.signin_log import LOG_LAG as LOG_LAG
from collectors.entra.signin_log import LOG_OVERLAP as LOG_OVERLAP
from collectors.entra.signin_log import LOG_RETENTION as LOG_RETENTION
from collectors.entra.signin_log import NOT_READ as NOT_READ
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
    # Also read non-interactive user sign-ins (a refresh or session token replayed, where a
    # stolen session shows), which only Graph's beta sign-in endpoint lists: Microsoft does not
    # support beta APIs in production, so it is asked for. Off, the SigninLog names them as
    # not read and no signer or admin passes the takeover check on Entra's log alone.
    signin_log_non_interactive: bool = False


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
      sign-ins in `not_read` (`NOT_READ`), so "no takeover signal" never rests on it, unless
      `signin_log_non_interactive` is set: then `GET /beta/auditLogs/signIns` filtered on
      `signInEventTypes` reads them too (same permission, pace and paging), and the log's
      event types name `nonInteractiveUser` (a cursor from a log without them reads in full).

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
            now = datetime.fromtimestamp(self.clock(), UTC).replace(microsecond=0)
            yield from signin_log.read(client, scope, self.options, now)


ENFORCED = (f"{Identity.kind}.mfa_enforced",)
TRUSTED = (f"{Identity.kind}.home_mfa_trusted",)


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
            if error_status(error) == 404:
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


def _refusal(error: Exception, permission: str) -> str:
    """How a side request failed: a 403 is the documented least-privilege case."""
    if error_status(error) == 403:
        return f"refused (HTTP 403): grant the application permission {permission}"
    return f"could not be read ({error})"
