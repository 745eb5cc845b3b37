"""The Google Workspace collector end to end against the loopback fake: a service-account
key generated per test session, the JWT-bearer token exchange, three pages of users, a 429
with Retry-After, Google's 403 userRateLimitExceeded, a 5xx, a 401, a rejected key, a
malformed body, stored through run_scope on both stores. The Reports API's login and admin
audit (sign-in events and the sign-in log) in tests/collectors/google_workspace/test_signins.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collectors.google_workspace import GoogleWorkspaceCollector
from demo.fakes.google_workspace import (
    demo_google_workspace_data,
    make_google_workspace_fake,
    make_service_account_key,
    rate_limited,
)
from tests.collectors.store_rows import stored
from vaultward.config.settings import ConfigError, parse_settings
from vaultward.contract.records import Identity
from vaultward.pipeline.collection import run_scope

USERS = "/admin/directory/v1/users"
ACCESS_TOKEN = "ya29.test-access-token-4b1d9e"  # noqa: S105 - the fake's dummy token


@pytest.fixture(scope="session")
def service_account():
    return make_service_account_key()


@pytest.fixture
def key_file(service_account, tmp_path, monkeypatch):
    key, _ = service_account
    path = tmp_path / "acme-security-reader.json"
    path.write_text(json.dumps(key))
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_FILE", str(path))
    return path


@pytest.fixture
def fake(service_account):
    _, public_key = service_account
    with make_google_workspace_fake(
        demo_google_workspace_data(), public_key, token=ACCESS_TOKEN, page_size=3
    ) as api:
        yield api


def collector(fake, sleeps: list[float] | None = None, **options) -> GoogleWorkspaceCollector:
    section = {
        "admin_subject": "alice@acme.example",
        "directory_url": fake.base_url,
        "token_url": f"{fake.base_url}/token",
        **options,
    }
    instance = GoogleWorkspaceCollector(parse_settings({"sources": {"google_workspace": section}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def expected(scope: str = "google_workspace:my_customer", account: str = "my_customer") -> list[Identity]:
    rows = [
        # n, local, name, roles, enrolled, enforced, suspended, last login
        (1, "alice", "Alice Moreau", ["super_admin"], True, True, False, "2026-11-20T08:12:44"),
        (2, "bob", "Bob Okafor", ["super_admin"], False, False, False, "2026-11-18T16:03:10"),
        (3, "carol", "Carol Lindqvist", ["delegated_admin"], True, False, False, "2026-11-21T10:30:00"),
        (4, "dave", "Dave Kim", [], False, False, False, None),
        (5, "erin", "Erin Walsh", [], True, True, False, "2026-11-22T07:45:19"),
        (6, "frank", "Frank Osei", [], False, False, True, "2025-06-30T12:00:00"),
        (7, "grace", "Grace Ito", [], True, False, True, "2025-01-15T09:20:00"),
    ]
    via = {"super_admin": "isAdmin", "delegated_admin": "isDelegatedAdmin"}
    return [
        Identity(
            key=f"google:1170000000000000000{n:02d}",
            name=name,
            scope=scope,
            source="google_workspace",
            account=account,
            email=f"{local}@acme.example",
            person=True,
            privileged=bool(roles),
            privileged_via=[via[r] for r in roles],
            full_admin="super_admin" in roles,
            console_access=True,
            mfa_enrolled=enrolled,
            mfa_enforced=enforced,
            factor_kinds=[],
            admin_roles=roles,
            created_at=at("2023-02-01T09:00:00"),
            last_used_at=at(login) if login else None,
            suspended=suspended,
        )
        for n, local, name, roles, enrolled, enforced, suspended, login in rows
    ]


def identities(records) -> list[Identity]:
    return [record for record in records if isinstance(record, Identity)]


def test_collects_every_page_exactly(fake, key_file):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == "google_workspace:my_customer"
    assert identities(instance.collect(scope)) == expected()
    assert [(m, path.split("&pageToken")[0], status) for m, path, status in fake.log[:4]] == [
        ("POST", "/token", 200),
        *[("GET", f"{USERS}?maxResults=500&projection=full&customer=my_customer", 200)] * 3,
    ]
    assert sum("pageToken=" in path for _, path, _ in fake.log if path.startswith(USERS)) == 2


def test_a_domain_narrows_the_list_and_names_the_scope(fake, key_file):
    instance = collector(fake, domain="acme.example")
    [scope] = instance.scopes()
    assert scope.id == "google_workspace:acme.example"
    assert identities(instance.collect(scope)) == expected(scope.id, "acme.example")
    assert "domain=acme.example" in fake.log[1][1] and "customer=" not in fake.log[1][1]


def test_google_403_rate_limit_is_retried_not_taken_for_a_refusal(fake, key_file):
    sleeps: list[float] = []
    reply = rate_limited()
    fake.inject(USERS, reply.status, reply.headers, reply.body)
    assert identities(collector(fake, sleeps).collect(collector(fake).scopes()[0])) == expected()
    assert len(sleeps) == 1
    assert [status for _, path, status in fake.log if path.startswith(USERS)] == [403, 200, 200, 200]


def test_a_key_google_does_not_know_fails_the_run_at_the_token_exchange(
    engine, fake, tmp_path, monkeypatch, service_account
):
    other_key, _ = make_service_account_key()  # signed by a key the fake cannot verify
    path = tmp_path / "stale-key.json"
    path.write_text(json.dumps(other_key))
    monkeypatch.setenv("GOOGLE_SA_KEY", str(path))
    instance = collector(fake)
    instance.source = instance.source.model_copy(
        update={"credentials_env": {"service_account_file": "GOOGLE_SA_KEY"}}
    )
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error == (
        "ApiError: google_workspace: POST /token: HTTP 400: "
        '{"error": "invalid_grant", "error_description": "Invalid JWT Signature."} '
        "(check the service-account key in GOOGLE_SA_KEY, its domain-wide delegation for "
        "https://www.googleapis.com/auth/admin.directory.user.readonly and admin_subject)"
    )
    assert other_key["private_key"].splitlines()[1] not in json.dumps(
        [r.model_dump(mode="json") for r in stored(engine)[0]]
    )


def test_a_subject_without_admin_rights_is_refused(engine, fake, key_file):
    instance = collector(fake, admin_subject="dave@acme.example")
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert outcome.status == "failed"
    assert outcome.error.endswith(
        "HTTP 403, credentials refused (check the credential in GOOGLE_SERVICE_ACCOUNT_FILE)"
    )


def test_a_missing_or_unreadable_key_file_fails_the_run(engine, fake, monkeypatch, tmp_path):
    monkeypatch.delenv("GOOGLE_SERVICE_ACCOUNT_FILE", raising=False)
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.error == (
        "ApiError: google_workspace: environment variable GOOGLE_SERVICE_ACCOUNT_FILE "
        "(credentials_env.service_account_file) is not set"
    )
    not_a_key = tmp_path / "notes.json"
    not_a_key.write_text('{"private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA-not-shown"}')
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_FILE", str(not_a_key))
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.error == (
        "ApiError: google_workspace: the service-account key file in GOOGLE_SERVICE_ACCOUNT_FILE "
        "is not a service-account key (client_email and private_key expected)"
    )


def test_options_are_validated_with_the_source_name():
    with pytest.raises(ConfigError, match=r"sources\.google_workspace\.admin_subject"):
        GoogleWorkspaceCollector(parse_settings({"sources": {"google_workspace": {}}}))
    with pytest.raises(ConfigError, match=r"sources\.google_workspace\.admin_email"):
        GoogleWorkspaceCollector(
            parse_settings({"sources": {"google_workspace": {"admin_subject": "a@b.c", "admin_email": "x"}}})
        )
