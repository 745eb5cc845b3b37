"""boto3 sessions for the AWS collectors: base credentials, retries, assume-role, accounts.

A boto3 Session is not thread-safe and a new one re-reads every service model (about 0.3 s
of CPU for STS, IAM and EC2), so each collector keeps one Session and makes every client
from it under a lock; a scope's clients carry its account's assumed-role credentials, which
are cached per role until shortly before they expire. Clients are thread-safe.
Credential values never leave this module: messages name accounts, roles and actions only.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel

from collectors.aws.options import AwsOptions
from collectors.aws.scope_session import RoleCredentials, ScopeSession
from vaultward.contract.sdk import Collector, Problem, Scope

if TYPE_CHECKING:
    import boto3

    from vaultward.config.settings import Settings, SourceConfig

log = logging.getLogger(__name__)
SESSION_NAME = "vaultward"
T = TypeVar("T")


class CollectionError(Exception):
    """A scope cannot be collected (assume-role or a core API call failed)."""


@dataclass(frozen=True)
class AccountTarget:
    """One account to collect from; `role_arn` None means the caller's own credentials."""

    account_id: str
    role_arn: str | None = None
    external_id_env: str | None = None
    name: str = ""

    def params(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "role_arn": self.role_arn,
            "external_id_env": self.external_id_env,
            "account_name": self.name,
        }


def aws_errors() -> tuple[type[Exception], ...]:
    """What a failed AWS call raises. botocore is imported when a call fails, not when the
    collectors are discovered: a process that only lists them (the dashboard) never loads it."""
    from botocore.exceptions import BotoCoreError, ClientError

    return ClientError, BotoCoreError


def describe_error(error: Exception) -> str:
    """A short, credential-free description of an AWS error, with the attempts botocore made."""
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        text = f"{info.get('Code', 'Error')}: {info.get('Message', '')}".rstrip(": ")
        retries = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        return f"{text} (after {retries + 1} attempts)" if retries else text
    return f"{type(error).__name__}: {error}"


def log_retries(parsed: dict, model: Any, **_: Any) -> None:
    """botocore's `after-call` hook: a call that succeeded only after retries says so."""
    retries = (parsed or {}).get("ResponseMetadata", {}).get("RetryAttempts", 0)
    if retries:
        service = model.service_model.service_id.hyphenize()
        log.warning("%s:%s succeeded after %d retries", service, model.name, retries)


@contextmanager
def core_call(scope_id: str, action: str) -> Iterator[None]:
    """A call the scope cannot do without: failures become a `CollectionError`."""
    try:
        yield
    except aws_errors() as error:
        raise CollectionError(f"{scope_id}: {action} failed: {describe_error(error)}") from error


def optional_call(
    scope_id: str,
    action: str,
    what: str,
    kinds: tuple[str, ...],
    call: Callable[[], T],
    fields: tuple[str, ...] = (),
) -> T | Problem:
    """A call whose failure leaves a gap (a `Problem`) but not a failed scope: records of
    `kinds` may be missing, or `fields` ("<kind>.<field>") are unknown (see vaultward/pipeline/gaps.py)."""
    try:
        return call()
    except aws_errors() as error:
        return Problem(f"{scope_id}: {action} for {what} failed: {describe_error(error)}", kinds, fields)


def listing(
    scope_id: str,
    action: str,
    kinds: tuple[str, ...],
    client: Any,
    operation: str,
    result_key: str,
    **params: Any,
) -> Generator[Problem, None, list[dict]]:
    """Every item of a paginated operation the scope cannot do without: the first page
    failing is a `CollectionError`; a later page failing (after botocore's retries) keeps the
    items read and yields a Problem, so the Run is partial and population checks unknown."""
    items: list[dict] = []
    pages = 0
    try:
        for page in client.get_paginator(operation).paginate(**params):
            pages += 1
            items.extend(page.get(result_key, []))
    except aws_errors() as error:
        if pages == 0:
            raise CollectionError(f"{scope_id}: {action} failed: {describe_error(error)}") from error
        yield Problem(
            f"{scope_id}: {action} failed on page {pages + 1}: {describe_error(error)}; the listing is incomplete",
            kinds,
        )
    return items


def all_pages(client: Any, operation: str, result_key: str, **params: Any) -> list[dict]:
    """Every item of a paginated operation (e.g. `list_roots`, `Roots`)."""
    pages = client.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page.get(result_key, [])]


class AwsSessions:
    """Builds sessions and clients for one collector, from its settings; safe to share
    between the threads collecting its scopes."""

    def __init__(self, settings: Settings, source_name: str) -> None:
        self.settings = settings
        self.source: SourceConfig = settings.source(source_name)
        self.aws = aws = AwsOptions.of(settings)
        self.endpoint_url = aws.endpoint_url
        self._lock = threading.RLock()
        self._shared: boto3.Session | None = None
        self._sts: dict[str, Any] = {}  # region -> the base credentials' STS client
        self._assumed: dict[tuple[str, str | None], RoleCredentials] = {}
        self._role_locks: dict[tuple[str, str | None], threading.Lock] = {}

    @cached_property
    def config(self) -> Any:
        """botocore's client config, made with the first client (not when the collector is
        made: listing what collectors produce must not load botocore)."""
        from botocore.config import Config

        aws = self.aws
        return Config(
            # total_max_attempts counts the first try, as AWS_MAX_ATTEMPTS does.
            retries={"mode": aws.retry_mode, "total_max_attempts": aws.max_attempts},
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra="vaultward",
            # The STS clients are shared by every collecting thread.
            max_pool_connections=max(10, aws.max_workers),
        )

    @property
    def regions(self) -> list[str]:
        return list(self.source.regions or self.aws.regions)

    def base_session(self) -> boto3.Session:
        """The collector's one Session, on the env vars named in `credentials_env`, else the
        profile or provider chain (resolved once). Pass the region to `client`."""
        with self._lock:
            if self._shared is None:
                self._shared = self._new_base_session()
            return self._shared

    def _new_base_session(self) -> boto3.Session:
        import boto3

        region = self.regions[0]
        env = self.source.credentials_env
        if env.get("access_key_id") and env.get("secret_access_key"):
            return boto3.Session(
                aws_access_key_id=os.environ.get(env["access_key_id"]),
                aws_secret_access_key=os.environ.get(env["secret_access_key"]),
                aws_session_token=os.environ.get(env.get("session_token", "")) or None,
                region_name=region,
            )
        return boto3.Session(profile_name=self.aws.profile, region_name=region)

    def client(self, session: boto3.Session | ScopeSession, service: str, region: str | None = None) -> Any:
        with self._lock:
            made = session.client(
                service,  # type: ignore[call-overload]
                region_name=region or session.region_name,
                endpoint_url=self.endpoint_url,
                config=self.config,
            )
        made.meta.events.register("after-call", log_retries)
        return made

    def _sts_client(self, region: str) -> Any:
        with self._lock:
            if region not in self._sts:
                self._sts[region] = self.client(self.base_session(), "sts", region)
            return self._sts[region]

    def account_session(self, scope_id: str, target: AccountTarget, region: str) -> ScopeSession:
        """A session in `target`'s account: assume its role, or the base credentials."""
        base = self.base_session()
        if target.role_arn is None:
            # No role to assume: the base credentials must be the account's own, or facts of
            # another account would be stored under this one's id.
            with core_call(scope_id, "sts:GetCallerIdentity"):
                caller = self._sts_client(region).get_caller_identity()["Account"]
            if caller != target.account_id:
                raise CollectionError(
                    f"{scope_id}: the credentials belong to account {caller}, not {target.account_id}; "
                    "give role_arn to assume a role in it"
                )
            return ScopeSession(base, self._lock, None, region)
        return ScopeSession(base, self._lock, self._role_credentials(scope_id, target, region), region)

    def _role_credentials(self, scope_id: str, target: AccountTarget, region: str) -> RoleCredentials:
        """The role's cached credentials, or new ones: one AssumeRole per role (not per
        scope), and scopes of the same account wait for the first one's answer."""
        assert target.role_arn is not None
        request: dict[str, Any] = {"RoleArn": target.role_arn, "RoleSessionName": SESSION_NAME}
        if target.external_id_env:
            external_id = os.environ.get(target.external_id_env)
            if not external_id:
                raise CollectionError(
                    f"{scope_id}: environment variable {target.external_id_env} "
                    f"(the ExternalId for {target.role_arn}) is not set"
                )
            request["ExternalId"] = external_id
        key = (target.role_arn, request.get("ExternalId"))
        with self._lock:
            role_lock = self._role_locks.setdefault(key, threading.Lock())
        with role_lock:
            cached = self._assumed.get(key)
            if cached is not None and cached.fresh():
                return cached
            try:
                answer = self._sts_client(region).assume_role(**request)["Credentials"]
            except aws_errors() as error:
                raise CollectionError(
                    f"{scope_id}: sts:AssumeRole into {target.role_arn} failed: {describe_error(error)}"
                ) from error
            expiration = answer["Expiration"]
            if expiration.tzinfo is None:
                expiration = expiration.replace(tzinfo=UTC)
            credentials = RoleCredentials(
                answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"], expiration
            )
            self._assumed[key] = credentials
            return credentials

    def scope_session(self, scope: Scope) -> ScopeSession:
        params = scope.params
        target = AccountTarget(
            account_id=params["account_id"],
            role_arn=params.get("role_arn"),
            external_id_env=params.get("external_id_env"),
        )
        return self.account_session(scope.id, target, params.get("region") or self.regions[0])

    def accounts(self) -> list[AccountTarget]:
        """Configured accounts, then Organizations members; else the caller's own account."""
        aws = self.aws
        targets: dict[str, AccountTarget] = {}
        for account in aws.accounts:
            targets.setdefault(
                account.id,
                AccountTarget(account.id, account.role_arn, account.external_id_env, account.name),
            )
        needs_caller = aws.organizations.enabled or not targets
        caller = ""
        if needs_caller:
            with core_call("aws", "sts:GetCallerIdentity"):
                caller = self._sts_client(self.regions[0]).get_caller_identity()["Account"]
        if aws.organizations.enabled:
            base = self.base_session()
            excluded = set(aws.organizations.exclude_accounts)
            pages = self.client(base, "organizations").get_paginator("list_accounts").paginate()
            with core_call(f"aws:{caller}", "organizations:ListAccounts"):
                members = [account for page in pages for account in page["Accounts"]]
            for member in members:
                if member["Status"] != "ACTIVE" or member["Id"] in excluded:
                    continue
                role_arn = None
                if member["Id"] != caller:
                    role_arn = f"arn:aws:iam::{member['Id']}:role/{aws.organizations.role_name}"
                targets.setdefault(
                    member["Id"], AccountTarget(member["Id"], role_arn, name=member.get("Name", ""))
                )
        if not targets and caller:
            targets[caller] = AccountTarget(caller)
        return list(targets.values())

    def account_scopes(self, collector: str) -> list[Scope]:
        return [
            Scope(collector=collector, id=f"aws:{target.account_id}", params=target.params())
            for target in self.accounts()
        ]

    def regional_scopes(self, collector: str) -> list[Scope]:
        return [
            Scope(
                collector=collector,
                id=f"aws:{target.account_id}/{region}",
                params={**target.params(), "region": region},
            )
            for target in self.accounts()
            for region in self.regions
        ]


# Every AWS collector lists and enters its accounts with these.
SCOPE_PERMISSIONS = ("sts:AssumeRole", "sts:GetCallerIdentity", "organizations:ListAccounts")


class AwsCollector(Collector):
    """Shared by the AWS collectors: sessions per scope; scopes are accounts (`regional`
    False, for global services like IAM) or account x region."""

    regional: ClassVar[bool] = True
    section_models: ClassVar[Mapping[str, type[BaseModel]]] = {"aws": AwsOptions}

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.sessions = AwsSessions(settings, self.name)

    @classmethod
    def assume_role_resources(cls, settings: Settings) -> list[str]:
        """The roles these collectors assume (for `vaultward iam-policy`)."""
        return AwsOptions.of(settings).assume_role_resources()

    def scopes(self) -> list[Scope]:
        if self.regional:
            return self.sessions.regional_scopes(self.name)
        return self.sessions.account_scopes(self.name)
