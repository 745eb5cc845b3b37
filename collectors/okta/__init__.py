"""okta: users with their factors and admin roles, and the authentication and enrolment
policies that decide whether MFA is enforced, from one Okta org."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from itertools import chain
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import side_request
from collectors.okta import mapper, policy_mapper
from collectors.okta.client import TOKEN_VARIABLE, OktaClient, okta_credential, ssws
from collectors.saas import SaasCollector, http_url
from vaultward.contract.records import Identity, MfaPolicy, Record
from vaultward.contract.sdk import Problem, Scope


class OktaOptions(BaseModel):
    """The collector's own keys in `[sources.okta]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the org URL, e.g. "https://acme.okta.com"
    base_url: Annotated[str | None, http_url("the org URL", "https://acme.okta.com")] = None
    page_size: int = Field(default=200, ge=1, le=200)  # users per page (Okta allows up to 200)


class OktaCollector(SaasCollector):
    """One scope per org (`okta:<org host>`). Reads, never writes:

    - `GET /api/v1/users` (and `?filter=status eq "DEPROVISIONED"`, which a plain listing
      leaves out), `GET /api/v1/users/{id}/factors`;
    - `GET /api/v1/iam/assignees/users`, then `GET /api/v1/users/{id}/roles` for those users;
    - `GET /api/v1/policies?type=ACCESS_POLICY` and `?type=MFA_ENROLL`,
      `GET /api/v1/policies/{id}/rules`;
    - `GET /api/v1/groups/{id}` and `/api/v1/groups/{id}/users` for the groups policies name.

    Credential: an API token (`credentials_env.token`, default variable `OKTA_API_TOKEN`),
    sent as `Authorization: SSWS <token>`. A token acts with its creator's admin rights: create
    it as a Read-Only Administrator. With OAuth for Okta the scopes are `permissions`.
    """

    name = "okta"
    title = "Okta users, factors, admin roles and MFA policies"
    produces = (Identity, MfaPolicy)
    permissions = ("okta.users.read", "okta.roles.read", "okta.policies.read", "okta.groups.read")
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
        api = self.http(self.name, scope.params["base_url"], ssws(token), token)
        return OktaClient(api, page_size=self.options.page_size)

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


POLICIES = (MfaPolicy.kind,)
ENFORCED = (f"{Identity.kind}.mfa_enforced",)
PRIVILEGE = (f"{Identity.kind}.privileged", f"{Identity.kind}.admin_roles", f"{Identity.kind}.full_admin")
FACTORS = (f"{Identity.kind}.mfa_enrolled", f"{Identity.kind}.factor_kinds")


def _with_rules(api: OktaClient, policy_type: str) -> list[tuple[dict, list]]:
    return [(policy, api.rules(policy["id"])) for policy in api.policies(policy_type)]
