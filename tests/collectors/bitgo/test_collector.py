"""The BitGo collector end to end against the loopback fake: wallet pages by
`prevId`/`nextBatchPrevId`, pending approvals, a 429, a 5xx, a refused token, a malformed
body, stored through run_scope on both stores."""

from __future__ import annotations

import pytest

from collectors.bitgo import BitGoCollector, mapper
from demo.fakes import bitgo
from demo.fakes.bitgo import demo_bitgo_data, make_bitgo_fake
from demo.fakes.server import Reply
from tests.collectors.bitgo.payloads import load
from tests.collectors.store_rows import stored
from vaultward.config.settings import parse_settings
from vaultward.contract.records import TransferPolicy, Wallet
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

TOKEN = "v2x-bitgo-test-token-3e4f5a"  # noqa: S105 - the fake's dummy credential
ENTERPRISE = "62a1b2c3d4e5f60718293a4b5c6d7e8f"
IDS = [raw["id"] for raw in load("wallets.json")]
APPROVALS = [raw["id"] for raw in load("pending_approvals.json")]


def dataset() -> dict:
    other = dict(load("wallets.json")[0], id="7" * 32, label="Someone else's", enterprise="f" * 32)
    wallets = load("wallets.json")
    return {
        "wallets": {"eth": [*wallets[:3], other, *wallets[3:]], "btc": []},
        "pending_approvals": {"eth": load("pending_approvals.json"), "btc": []},
    }


@pytest.fixture
def fake():
    with make_bitgo_fake(dataset(), token=TOKEN) as api:
        yield api


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("BITGO_ACCESS_TOKEN", TOKEN)
    return TOKEN


def collector(fake, sleeps: list[float] | None = None, **options) -> BitGoCollector:
    source = {
        "base_url": fake.base_url,
        "coins": ["eth", "BTC"],
        "enterprise": ENTERPRISE,
        "page_size": 2,
        **options,
    }
    instance = BitGoCollector(parse_settings({"sources": {"bitgo": source}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def expected_items() -> list:
    pending = {IDS[0]: 2, IDS[2]: 1}
    items: list = []
    for raw in load("wallets.json"):
        items.append(mapper.map_wallet(raw, "eth", pending.get(raw["id"], 0)))
        items += mapper.map_rules(raw, "eth")
    return items


def test_collects_every_page_of_every_coin(fake, token):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == f"bitgo:{ENTERPRISE}"
    items = list(instance.collect(scope))
    assert items == expected_items()
    assert [item.key for item in items if isinstance(item, Wallet)] == [f"bitgo:eth:{i}" for i in IDS]
    assert [item.tags["pending_approvals"] for item in items if isinstance(item, Wallet)] == [
        "2", "0", "1", "0", "0", "0", "0", "0",
    ]  # fmt: skip
    assert len([item for item in items if isinstance(item, TransferPolicy)]) == 9
    # List pending approvals (v2.approval.list): every configured coin and its tokens, paged
    pending = f"/api/v2/pendingapprovals?coin=eth&coin=btc&allTokens=true&limit=2&enterpriseId={ENTERPRISE}"
    assert [path for _, path, _ in fake.log] == [
        pending,
        f"{pending}&prevId={APPROVALS[1]}",
        f"/api/v2/eth/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}",
        f"/api/v2/eth/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}&prevId={IDS[1]}",
        f"/api/v2/eth/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}&prevId={IDS[3]}",
        f"/api/v2/eth/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}&prevId={IDS[5]}",
        f"/api/v2/btc/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}",
    ]


def test_without_an_enterprise_the_scope_is_the_api_host():
    settings = parse_settings({"sources": {"bitgo": {}}})
    [scope] = BitGoCollector(settings).scopes()
    assert (scope.id, scope.params["base_url"]) == ("bitgo:app.bitgo.com", "https://app.bitgo.com")
    assert BitGoCollector(settings).options.coins == ["btc", "eth"]


def test_a_malformed_later_page_makes_the_run_partial_and_keeps_earlier_facts(engine, fake, token):
    first = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (first.status, first.items, first.error) == ("ok", 17, None)

    # The third page of wallets breaks off mid-body on every attempt (a prefix fault would
    # hit the first page).
    original = fake.handle

    def third_page_broken(request):
        if request.path == "/api/v2/eth/wallet" and request.query.get("prevId") == IDS[3]:
            return Reply(200, b'{"coin": "eth", "wallets": [')
        return original(request)

    fake.handle = third_page_broken
    second = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert (second.status, second.error) == (
        "partial",
        f"bitgo: GET /api/v2/eth/wallet?limit=2&allTokens=true&enterprise={ENTERPRISE}&prevId={IDS[3]}: "
        "malformed JSON in the response (application/json, 28 bytes) after 5 attempts: "
        "Expecting value: line 1 column 29 (char 28) "
        "(page 3; the listing is incomplete)",
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["ok", "partial"]
    # The first Run's facts are untouched; the partial one holds the two pages it read.
    first_facts = [(fact.key, fact.data) for fact in facts if fact.run_id == runs[0].id]
    assert first_facts == [(item.key, item.data()) for item in expected_items()]
    read = tuple(f"bitgo:eth:{wallet}" for wallet in IDS[:4])
    assert [(fact.key, fact.data) for fact in facts if fact.run_id == runs[1].id] == [
        (item.key, item.data()) for item in expected_items() if item.key.startswith(read)
    ]


def test_demo_data_tells_the_acme_story(token):
    with make_bitgo_fake(demo_bitgo_data(), token=TOKEN) as api:
        instance = BitGoCollector(
            parse_settings({"sources": {"bitgo": {"base_url": api.base_url, "coins": ["eth", "btc"]}}})
        )
        items = list(instance.collect(instance.scopes()[0]))
    assert not [item for item in items if isinstance(item, Problem)]
    wallets = [
        (
            w.name,
            w.chain,
            w.threshold,
            w.tags["n"],
            w.tags["approvals_required"],
            w.tags["policy_rules"],
            w.tags["pending_approvals"],
        )
        for w in items
        if isinstance(w, Wallet)
    ]
    assert wallets == [
        ("Exchange hot wallet", "eth", 2, "3", "2", "2", "0"),
        ("BTC reserve (cold)", "btc", 2, "3", "1", "0", "1"),
    ]
    # who signs: spenders and the admins who approve (alice approves the cold wallet's
    # withdrawals without spending from it)
    roles = [w.signer_roles for w in items if isinstance(w, Wallet)]
    assert roles == [
        {bitgo.ALICE: ["spend", "admin"], bitgo.GRACE: ["spend", "admin"]},  # erin only views
        {bitgo.BOB: ["spend", "admin"], bitgo.ALICE: ["admin"]},
    ]
    policies = [
        (p.rule_kind, p.destinations_allowlisted, p.approvals_required, p.details.get("amount_base_units"))
        for p in items
        if isinstance(p, TransferPolicy)
    ]
    assert policies == [
        ("advancedWhitelist", True, None, None),
        ("velocityLimit", None, 2, "50000000000000000000"),
    ]
