"""The Fireblocks collector end to end against the loopback fake, which verifies each
request's RS256 JWT (signature, uri, bodyHash, exp window, unique nonce): cursor paging, a
429 with Retry-After, a 5xx, a refused key, a malformed body, on both stores. The RSA key is
generated per test run, never committed."""

from __future__ import annotations

import pytest

from collectors.fireblocks import FireblocksCollector, mapper
from collectors.fireblocks.client import POLICY_TYPES
from demo.fakes.fireblocks import demo_fireblocks_data, generate_key_pair, make_fireblocks_fake
from tests.collectors.fireblocks.payloads import load
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Identity, TransferPolicy, Wallet
from vaultward.pipeline.collection import run_scope

API_KEY = "fb-test-api-key-1b2c3d"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return generate_key_pair()


def dataset() -> dict:
    return {
        "policy": load("active_policy.json")["policy"],
        "vault_accounts": load("vault_accounts.json"),
        "users": load("users.json")["users"],
    }


@pytest.fixture
def fake(keys):
    with make_fireblocks_fake(dataset(), keys[1], api_key=API_KEY) as api:
        yield api


@pytest.fixture
def credentials(monkeypatch, tmp_path, keys):
    key_file = tmp_path / "fireblocks_secret.key"
    key_file.write_text(keys[0])
    monkeypatch.setenv("FIREBLOCKS_API_KEY", API_KEY)
    monkeypatch.setenv("FIREBLOCKS_SECRET_KEY_FILE", str(key_file))
    return key_file


def collector(fake, sleeps: list[float] | None = None, **options) -> FireblocksCollector:
    settings = parse_settings(
        {"sources": {"fireblocks": {"base_url": fake.base_url, "page_size": 2, **options}}}
    )
    instance = FireblocksCollector(settings)
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def expected_items() -> list:
    body = load("active_policy.json")
    # the fake answers the rules of the policy types asked for: the TELEPORT rule is left out
    body["policy"]["rules"] = [rule for rule in body["policy"]["rules"] if rule["type"] in POLICY_TYPES]
    rules, _ = mapper.map_policy(body)
    return [
        *rules,
        *[mapper.map_vault_account(raw) for raw in load("vault_accounts.json")],
        *[mapper.map_user(raw, "127.0.0.1") for raw in load("users.json")["users"]],
    ]


def without_port(items: list) -> list:
    return [
        item.model_copy(update={"account": "127.0.0.1"}) if isinstance(item, Identity) else item
        for item in items
    ]


def test_collects_policy_every_vault_page_and_users(fake, credentials):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == f"fireblocks:{fake.base_url.removeprefix('http://')}"
    items = list(instance.collect(scope))
    assert without_port(items) == expected_items()
    types = "&".join(f"policyType={kind}" for kind in POLICY_TYPES)
    assert [path for _, path, _ in fake.log] == [
        f"/v1/policy/active_policy?{types}",  # Policy Engine v2, the transaction policy types
        "/v1/vault/accounts_paged?limit=2",
        "/v1/vault/accounts_paged?limit=2&after=1",
        "/v1/vault/accounts_paged?limit=2&after=3",
        "/v1/management/users",
    ]
    assert {status for *_, status in fake.log} == {200}


def test_scope_is_the_api_host_and_v1_suffix_is_dropped():
    settings = parse_settings({"sources": {"fireblocks": {"base_url": "https://eu-api.fireblocks.io/v1/"}}})
    [scope] = FireblocksCollector(settings).scopes()
    assert (scope.id, scope.params["base_url"]) == (
        "fireblocks:eu-api.fireblocks.io",
        "https://eu-api.fireblocks.io",
    )
    [default] = FireblocksCollector(parse_settings({"sources": {"fireblocks": {}}})).scopes()
    assert default.id == "fireblocks:api.fireblocks.io"


def test_the_fake_refuses_a_jwt_for_another_uri_or_a_replayed_one(fake, credentials, keys):
    import httpx

    from collectors.fireblocks.client import FireblocksAuth
    from collectors.http_api import Credential

    auth = FireblocksAuth(
        Credential("fireblocks", "api_key", "FIREBLOCKS_API_KEY"),
        Credential("fireblocks", "secret_key_file", "FIREBLOCKS_SECRET_KEY_FILE"),
    )
    token = auth.token("/v1/management/users", b"")
    headers = {"X-API-Key": API_KEY, "Authorization": f"Bearer {token}"}
    wrong_uri = httpx.get(f"{fake.base_url}/v1/policy/active_policy?policyType=TRANSFER", headers=headers)
    assert wrong_uri.status_code == 401
    assert httpx.get(f"{fake.base_url}/v1/management/users", headers=headers).status_code == 200
    replay = httpx.get(f"{fake.base_url}/v1/management/users", headers=headers)  # same nonce again
    assert (replay.status_code, replay.json()) == (
        401,
        {"message": "Unauthorized: JWT validation failed", "code": -7},
    )
    stale = FireblocksAuth(auth.api_key, auth.secret_key_file, clock=lambda: 1_000_000_000.0)
    headers["Authorization"] = f"Bearer {stale.token('/v1/management/users', b'')}"
    assert httpx.get(f"{fake.base_url}/v1/management/users", headers=headers).status_code == 401  # expired


def test_an_unreadable_key_file_fails_the_run_naming_the_variable(
    engine, fake, credentials, monkeypatch, tmp_path
):
    monkeypatch.setenv("FIREBLOCKS_SECRET_KEY_FILE", str(tmp_path / "missing.key"))
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (outcome.status, outcome.error) == (
        "failed",
        "ApiError: fireblocks: the secret key file named by FIREBLOCKS_SECRET_KEY_FILE cannot be read "
        "(FileNotFoundError)",
    )
    (tmp_path / "not-a-key.pem").write_text("hello")
    monkeypatch.setenv("FIREBLOCKS_SECRET_KEY_FILE", str(tmp_path / "not-a-key.pem"))
    outcome = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert outcome.error is not None
    assert outcome.error.startswith(
        "ApiError: fireblocks: the secret key file named by FIREBLOCKS_SECRET_KEY_FILE is not an RSA private key"
    )


def test_demo_data_tells_the_acme_story(keys, monkeypatch, tmp_path):
    key_file = tmp_path / "demo.key"
    key_file.write_text(keys[0])
    monkeypatch.setenv("FIREBLOCKS_API_KEY", "demo-fireblocks-api-key")
    monkeypatch.setenv("FIREBLOCKS_SECRET_KEY_FILE", str(key_file))
    with make_fireblocks_fake(demo_fireblocks_data(), keys[1]) as api:
        items = list(collector(api).collect(collector(api).scopes()[0]))
    rules = {
        r.name: (r.approvals_required, r.initiator_can_approve, r.destinations_allowlisted)
        for r in items
        if isinstance(r, TransferPolicy)
    }
    assert rules == {
        "Cold treasury: 2 of 3 approvers, whitelisted only": (2, False, True),
        "Hot wallet over $250k: one approval, any address": (1, True, False),
        "One-time addresses over $10k a day: one approver": (1, False, False),
        "No contract calls": (None, None, False),
    }
    assert [w.name for w in items if isinstance(w, Wallet)] == [
        "Treasury (cold)",
        "Hot wallet",
        "Market making",
        "Gas station",
        "Customer deposits sweep",
    ]
    admins = sorted(i.email for i in items if isinstance(i, Identity) and i.privileged)
    assert admins == ["alice@acme.example", "bob@acme.example", "mallory@acme.example"]
    # Owner, Admin and Signer hold MPC key shares: they sign for every vault
    signing = {i.email: i.signing_role for i in items if isinstance(i, Identity) and i.signing_role}
    assert signing == {
        "alice@acme.example": "OWNER",
        "bob@acme.example": "ADMIN",
        "carol@acme.example": "SIGNER",
    }
