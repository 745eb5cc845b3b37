"""The internal_http collector end to end against loopback endpoints: link, cursor and page
paging over three pages or more, retries, a refused secret, a malformed body, bad items
(partial Run), and the demo HR roster, stored through run_scope on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.internal_http import InternalHttpCollector
from demo.fakes.internal_hr import (
    DEMO_TOKEN,
    DEMO_TOKEN_VARIABLE,
    demo_internal_hr_data,
    demo_internal_hr_endpoint,
    make_internal_hr_fake,
)
from demo.fakes.server import FakeApi, Reply
from tests.collectors.store_rows import stored
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Identity, TrainingRecord, Wallet
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

SECRET = "Bearer internal-7c1e-secret"  # noqa: S105 - the fake's dummy credential
PEOPLE = [
    {
        "id": n,
        "mail": f"{name}@acme.example",
        "groups": ["staff", "admins"] if n == 1 else ["staff"],
        "mfa": {"factors": factors},
    }
    for n, (name, factors) in enumerate(
        [
            ("alice", ["webauthn"]),
            ("bob", ["totp", "carrier_pigeon"]),
            ("carol", []),
            ("dave", ["sms"]),
            ("erin", ["push"]),
            ("frank", ["fido2"]),
            ("grace", ["totp"]),
        ]
    )
]


@pytest.fixture
def fake():
    api = FakeApi(lambda request: request.headers.get("x-internal-auth") == SECRET)

    def linked(request):
        start = int(request.query.get("from") or 0)
        headers = {}
        if start + 3 < len(PEOPLE):
            headers["Link"] = f'</people/linked?from={start + 3}>; rel="next", </people/linked>; rel="first"'
        return Reply(200, PEOPLE[start : start + 3], headers)

    def cursor(request):
        start = int(request.query.get("after") or 0)
        body = {"result": {"people": PEOPLE[start : start + 2]}, "meta": {"next": None}}
        if start + 2 < len(PEOPLE):
            body["meta"]["next"] = str(start + 2)
        return Reply(200, body)

    def numbered(request):
        page, size = int(request.query["p"]), int(request.query["n"])
        return Reply(200, {"rows": PEOPLE[page * size : (page + 1) * size]})

    wallets = [
        {"id": "w1", "chain": "ethereum", "owners": ["0xA", "0xB", "0xC"], "m": 2},
        {"id": "w2", "chain": "ethereum", "owners": ["0xA"], "m": "two"},
        {"id": "w3", "chain": "bitcoin", "owners": ["0xD", "0xE"], "m": 2},
        "not an object",
        {"chain": "bitcoin", "owners": [], "m": 1},
    ]
    api.route("GET", "/people/linked", linked)
    api.route("GET", "/people/cursor", cursor)
    api.route("GET", "/people/numbered", numbered)
    api.route("GET", "/wallets", lambda r: Reply(200, {"wallets": wallets}))
    with api:
        yield api


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("INTERNAL_AUTH", SECRET)
    return SECRET


def endpoint(fake, name: str, path: str, **extra) -> dict:
    return {
        "name": name,
        "url": f"{fake.base_url}{path}",
        "kind": "identity",
        "auth_header": "X-Internal-Auth",
        "auth_env": "INTERNAL_AUTH",
        "constants": {"source": "directory", "account": "acme"},
        "fields": {
            "key": "id",
            "email": "mail",
            "privileged": "contains(groups, 'admins')",
            "factor_kinds": "mfa.factors",
        },
        **extra,
    }


def collector(*endpoints: dict, sleeps: list[float] | None = None) -> InternalHttpCollector:
    instance = InternalHttpCollector(
        parse_settings({"sources": {"internal_http": {"endpoints": list(endpoints)}}})
    )
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def person(
    name: str, n: int, endpoint_name: str, factors: list[str], anomalies: list[str] | None = None
) -> Identity:
    return Identity(
        key=f"internal_http:{endpoint_name}:{n}",
        source="directory",
        account="acme",
        email=f"{name}@acme.example",
        privileged=n == 1,
        factor_kinds=factors,
        anomalies=anomalies or [],
    )


def expected(endpoint_name: str) -> list[Identity]:
    return [
        person("alice", 0, endpoint_name, ["webauthn"]),
        person(
            "bob", 1, endpoint_name, ["totp", "other:carrier_pigeon"], ["unknown factor 'carrier_pigeon'"]
        ),
        person("carol", 2, endpoint_name, []),
        person("dave", 3, endpoint_name, ["sms"]),
        person("erin", 4, endpoint_name, ["push"]),
        person("frank", 5, endpoint_name, ["fido2"]),
        person("grace", 6, endpoint_name, ["totp"]),
    ]


def collect(instance: InternalHttpCollector, index: int = 0) -> list:
    return list(instance.collect(instance.scopes()[index]))


def test_link_paging_follows_rel_next_over_three_pages(fake, secret):
    assert collect(collector(endpoint(fake, "linked", "/people/linked", paging="link"))) == expected("linked")
    assert [path for _, path, _ in fake.log] == [
        "/people/linked",
        "/people/linked?from=3",
        "/people/linked?from=6",
    ]


def test_cursor_paging_reads_the_cursor_from_the_body_over_four_pages(fake, secret):
    spec = endpoint(
        fake,
        "cursored",
        "/people/cursor",
        paging="cursor",
        items="result.people",
        cursor_field="meta.next",
        cursor_param="after",
    )
    assert collect(collector(spec)) == expected("cursored")
    assert [path for _, path, _ in fake.log] == [
        "/people/cursor",
        "/people/cursor?after=2",
        "/people/cursor?after=4",
        "/people/cursor?after=6",
    ]


def test_page_paging_counts_pages_until_a_short_one(fake, secret):
    spec = endpoint(
        fake,
        "numbered",
        "/people/numbered",
        paging="page",
        items="rows",
        page_param="p",
        size_param="n",
        page_size=3,
        first_page=0,
    )
    assert collect(collector(spec)) == expected("numbered")
    assert [path for _, path, _ in fake.log] == [
        "/people/numbered?p=0&n=3",
        "/people/numbered?p=1&n=3",
        "/people/numbered?p=2&n=3",
    ]


def test_a_malformed_body_fails_the_run_and_keeps_earlier_facts(engine, fake, secret):
    instance = collector(endpoint(fake, "linked", "/people/linked", paging="link"))
    first = run_scope(engine, instance, instance.scopes()[0])
    assert (first.status, first.items) == ("ok", 7)
    fake.inject("/people/linked", 200, body=b"{not json", times=5)
    second = run_scope(engine, instance, instance.scopes()[0])
    assert second.status == "failed"
    assert second.error is not None
    assert second.error.startswith(
        "ApiError: internal_http:linked: GET /people/linked: malformed JSON in the response "
        "(application/json, 9 bytes) after 5 attempts: "
    )
    fake.inject("/people/linked", 200, body={"people": []})
    third = run_scope(engine, instance, instance.scopes()[0])
    assert third.error == "ApiError: internal_http:linked: GET /people/linked: expected a list, got dict"
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "failed", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert sorted(fact.key for fact in facts) == sorted(record.key for record in expected("linked"))


def test_bad_items_are_reported_by_endpoint_index_and_field_and_the_rest_land(engine, fake, secret):
    spec = {
        "name": "wallets",
        "url": f"{fake.base_url}/wallets",
        "kind": "custody.wallet",
        "auth_header": "X-Internal-Auth",
        "auth_env": "INTERNAL_AUTH",
        "items": "wallets",
        "constants": {"provider": "safe", "multisig_type": "onchain"},
        "fields": {"key": "id", "chain": "chain", "signers": "owners", "threshold": "m"},
    }
    instance = collector(spec)
    assert [kind.kind for kind in instance.produces] == ["custody.wallet"]
    items = collect(instance)
    assert [item for item in items if isinstance(item, Wallet)] == [
        Wallet(
            key="internal_http:wallets:w1",
            provider="safe",
            multisig_type="onchain",
            chain="ethereum",
            signers=["0xA", "0xB", "0xC"],
            threshold=2,
        ),
        Wallet(
            key="internal_http:wallets:w3",
            provider="safe",
            multisig_type="onchain",
            chain="bitcoin",
            signers=["0xD", "0xE"],
            threshold=2,
        ),
    ]
    assert [item.reason for item in items if isinstance(item, Problem)] == [
        "internal_http:wallets item 1: threshold (from 'm'): Input should be a valid integer, "
        "unable to parse string as an integer",
        "internal_http:wallets item 3: expected an object, got str",
        "internal_http:wallets item 4: key (from 'id'): Field required",
    ]
    outcome = run_scope(engine, instance, instance.scopes()[0])
    assert (outcome.status, outcome.items) == ("partial", 2)
    assert outcome.error is not None and "item 1: threshold" in outcome.error


def test_other_kinds_map_too(fake, secret):
    fake.route(
        "GET",
        "/lms",
        lambda r: Reply(
            200,
            [
                {
                    "user": {"email": "Alice@acme.example"},
                    "course": "Fake recruiters",
                    "state": "passed",
                    "done": "2026-10-01T10:00:00+00:00",
                    "id": 9,
                }
            ],
        ),
    )
    spec = {
        "name": "lms",
        "url": f"{fake.base_url}/lms",
        "kind": "training.record",
        "auth_header": "X-Internal-Auth",
        "auth_env": "INTERNAL_AUTH",
        "constants": {"source": "lms", "category": "lure"},
        "fields": {
            "key": "id",
            "person": "user.email",
            "module": "course",
            "status": "state",
            "completed_at": "done",
        },
    }
    assert collect(collector(spec)) == [
        TrainingRecord(
            key="internal_http:lms:9",
            source="lms",
            person="Alice@acme.example",
            module="Fake recruiters",
            category="lure",
            status="passed",
            completed_at=datetime(2026, 10, 1, 10, tzinfo=UTC),
        )
    ]


def test_demo_hr_roster(monkeypatch):
    monkeypatch.setenv(DEMO_TOKEN_VARIABLE, f"Bearer {DEMO_TOKEN}")
    data = demo_internal_hr_data()
    with make_internal_hr_fake(data) as api:
        spec = demo_internal_hr_endpoint(api.base_url)
        instance = collector(spec)
        items = collect(instance)
        assert [path.split("?")[0] for _, path, _ in api.log] == ["/api/v2/employees"]
    assert not [item for item in items if isinstance(item, Problem)]
    assert len(items) == 11
    mallory = next(item for item in items if item.email == "mallory@acme.example")
    assert (mallory.key, mallory.source, mallory.suspended, mallory.created_at) == (
        "internal_http:hr_roster:E110",
        "hr",
        True,
        datetime(2020, 10, 1, 9, tzinfo=UTC),
    )
    assert [item.email for item in items if item.suspended] == ["mallory@acme.example"]
