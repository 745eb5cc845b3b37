"""The Safe collector end to end against the loopback gateway fake: one request per Safe,
scopes per chain, a 404 for one Safe (partial), 429 with Retry-After, an exhausted monthly
quota, 5xx, a refused key, a malformed body, stored through run_scope on both stores."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from collectors.safe import SafeCollector, SafeOptions, mapper
from demo.fakes.safe import demo_safe_data, demo_safe_wallets, make_safe_fake
from tests.collectors.safe.payloads import load
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Wallet
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope
from vaultward.pipeline.gaps import Unreadable

API_KEY = "safe-test-key-5c1d7e"  # the fake's dummy credential
SAFES = load("safes.json")
MISSING = "0x0123456789abcDEF0123456789abCDef01234567"  # EIP-55 checksummed, unknown to the service
NATIVE_ZERO = [{"tokenAddress": None, "token": None, "balance": "0"}]  # what a Safe holding nothing lists
WALLETS = [
    {
        "address": SAFES["treasury"]["address"],
        "chain": "mainnet",
        "label": "Treasury",
        "tags": {"ValueTier": "high"},
    },
    {"address": SAFES["hot_one_of_two"]["address"], "chain": "eth", "label": "Hot"},
    {"address": MISSING, "chain": "eth"},
    {"address": SAFES["l2_with_module_and_guard"]["address"], "chain": "arbitrum"},
]


def dataset() -> dict:
    return {
        "eth": {
            SAFES["treasury"]["address"]: SAFES["treasury"],
            SAFES["hot_one_of_two"]["address"]: SAFES["hot_one_of_two"],
        },
        "arb1": {SAFES["l2_with_module_and_guard"]["address"]: SAFES["l2_with_module_and_guard"]},
    }


@pytest.fixture
def fake():
    with make_safe_fake(dataset(), api_key=API_KEY) as api:
        yield api


@pytest.fixture
def api_key(monkeypatch):
    monkeypatch.setenv("SAFE_API_KEY", API_KEY)
    return API_KEY


def collector(fake, sleeps: list[float] | None = None, **options) -> SafeCollector:
    source = {"base_url": fake.base_url, "wallets": WALLETS, **options}
    instance = SafeCollector(parse_settings({"sources": {"safe": source}}))
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def eth_scope(instance: SafeCollector):
    return next(scope for scope in instance.scopes() if scope.id == "safe:eth")


def expected_eth() -> list:
    held = mapper.map_balances(NATIVE_ZERO, "eth")
    return [
        mapper.map_safe(
            SAFES["treasury"], "eth", SAFES["treasury"]["address"], "Treasury", {"ValueTier": "high"}, held
        ),
        mapper.map_safe(
            SAFES["hot_one_of_two"], "eth", SAFES["hot_one_of_two"]["address"], "Hot", None, held
        ),
        # Configured but unknown to the service: recorded as unreadable, never just absent.
        Unreadable(
            key=mapper.wallet_key("eth", MISSING),
            name=MISSING,
            of_kind=Wallet.kind,
            reason=f"safe wallet {MISSING} on eth: not found (safe: GET /tx-service/eth/api/v1/safes/"
            f'{MISSING}/: HTTP 404: {{"detail": "Not found."}})',
        ),
    ]


def comparable(items: list) -> list:
    return [("problem", item.reason) if isinstance(item, Problem) else item for item in items]


def test_one_scope_per_chain_one_request_per_safe(fake, api_key):
    instance = collector(fake)
    assert [(scope.id, scope.params["base_url"]) for scope in instance.scopes()] == [
        ("safe:eth", f"{fake.base_url}/tx-service/eth"),
        ("safe:arb1", f"{fake.base_url}/tx-service/arb1"),
    ]
    eth, arb1 = instance.scopes()
    assert comparable(list(instance.collect(eth))) == expected_eth()
    [l2] = instance.collect(arb1)
    assert l2 == mapper.map_safe(
        SAFES["l2_with_module_and_guard"],
        "arb1",
        SAFES["l2_with_module_and_guard"]["address"],
        balances=mapper.map_balances(NATIVE_ZERO, "arb1"),
    )
    balances = "balances/?limit=200&offset=0&exclude_spam=true"
    assert fake.log == [
        ("GET", f"/tx-service/eth/api/v1/safes/{SAFES['treasury']['address']}/", 200),
        ("GET", f"/tx-service/eth/api/v2/safes/{SAFES['treasury']['address']}/{balances}", 200),
        ("GET", f"/tx-service/eth/api/v1/safes/{SAFES['hot_one_of_two']['address']}/", 200),
        ("GET", f"/tx-service/eth/api/v2/safes/{SAFES['hot_one_of_two']['address']}/{balances}", 200),
        ("GET", f"/tx-service/eth/api/v1/safes/{MISSING}/", 404),
        ("GET", f"/tx-service/arb1/api/v1/safes/{SAFES['l2_with_module_and_guard']['address']}/", 200),
        (
            "GET",
            f"/tx-service/arb1/api/v2/safes/{SAFES['l2_with_module_and_guard']['address']}/{balances}",
            200,
        ),
    ]


def test_default_urls_are_safes_gateway_and_service_urls_override():
    wallets = [{"address": MISSING, "chain": "polygon"}, {"address": MISSING, "chain": "sep"}]
    settings = parse_settings(
        {"sources": {"safe": {"wallets": wallets, "service_urls": {"sepolia": "https://tx.acme.example/"}}}}
    )
    assert [(s.id, s.params["base_url"]) for s in SafeCollector(settings).scopes()] == [
        ("safe:pol", "https://api.safe.global/tx-service/pol"),
        ("safe:sep", "https://tx.acme.example"),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"wallets": [{"address": "0x123", "chain": "eth"}]}, "'0x123' is not an address"),
        ({"wallets": [{"address": MISSING, "chain": "dogechain"}]}, "chain 'dogechain' is not served"),
        (
            {
                "wallets": [
                    {"address": MISSING, "chain": "eth"},
                    {"address": MISSING.lower(), "chain": "mainnet"},
                ]
            },
            "listed twice",
        ),
        ({"wallets": [{"address": MISSING, "chain": "eth", "owner": "x"}]}, "Extra inputs are not permitted"),
        ({"base_url": "api.safe.global"}, "expected a URL"),
    ],
)
def test_options_are_validated(options, message):
    with pytest.raises(ValidationError, match=message):
        SafeOptions(**options)


def test_anonymous_sends_no_key(monkeypatch):
    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    with make_safe_fake(dataset(), api_key=None) as api:
        seen: list = []
        original = api.authorised
        api.authorised = lambda request: (
            seen.append(request.headers.get("authorization")) or original(request)
        )
        instance = collector(api, anonymous=True)
        assert comparable(list(instance.collect(eth_scope(instance)))) == expected_eth()
    assert seen == [None] * 5  # two Safes and their balances, and the unknown one


def test_429_waits_as_retry_after_says_then_succeeds(fake, api_key):
    sleeps: list[float] = []
    quota = {"X-RateLimit-Limit": "50000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2591751"}
    fake.inject(
        "/tx-service/eth/api/v1/safes/",
        429,
        {"Retry-After": "2", **quota},
        {"detail": "Request was throttled."},
    )
    instance = collector(fake, sleeps)
    assert comparable(list(instance.collect(eth_scope(instance)))) == expected_eth()
    assert sleeps == [2.0]
    assert [status for _, _, status in fake.log] == [429, 200, 200, 200, 200, 404]


def test_an_exhausted_monthly_quota_fails_the_run_without_waiting_a_month(engine, fake, api_key):
    sleeps: list[float] = []
    quota = {"X-RateLimit-Limit": "50000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2591751"}
    fake.inject("/tx-service/eth/", 429, quota, {"detail": "Monthly quota exceeded."})
    instance = collector(fake, sleeps)
    outcome = run_scope(engine, instance, eth_scope(instance))
    assert (outcome.status, outcome.error, sleeps) == (
        "failed",
        f"ApiError: safe: GET /tx-service/eth/api/v1/safes/{SAFES['treasury']['address']}/: "
        "rate limited (429); the server asks to wait 2591751s, longer than 120s",
        [],
    )


def test_demo_data_tells_the_acme_story(api_key):
    with make_safe_fake(demo_safe_data(), api_key=API_KEY) as api:
        instance = SafeCollector(
            parse_settings({"sources": {"safe": {"base_url": api.base_url, "wallets": demo_safe_wallets()}}})
        )
        [scope] = instance.scopes()
        items = list(instance.collect(scope))
    assert not [item for item in items if isinstance(item, Problem)]
    summary = [
        (w.name, w.threshold, len(w.signers), w.modules, w.tags["ValueTier"], w.anomalies)
        for w in items
        if isinstance(w, Wallet)
    ]
    assert summary == [
        ("Treasury", 2, 3, [], "high", []),
        ("Hot wallet", 1, 2, [], "medium", []),
        ("Payroll", 2, 3, ["0xbadc0de0000000000000000000000000000d0d0e"], "medium", []),
    ]


def test_requests_send_the_checksummed_address_even_when_configured_lower_case(fake, api_key):
    # The service answers 422 to any address that is not EIP-55 checksummed
    # (safe-transaction-service history/views.py: "Checksum address validation failed").
    treasury = SAFES["treasury"]["address"]
    instance = collector(fake, wallets=[{"address": treasury.lower(), "chain": "eth"}])
    [wallet] = instance.collect(eth_scope(instance))
    assert isinstance(wallet, Wallet)
    assert (wallet.key, wallet.address) == (f"safe:eth:{treasury.lower()}", treasury)
    assert [path for _, path, _ in fake.log][0] == f"/tx-service/eth/api/v1/safes/{treasury}/"
    assert {status for _, _, status in fake.log} == {200}


def test_a_mistyped_mixed_case_address_is_a_configuration_error():
    treasury = SAFES["treasury"]["address"]
    typo = treasury[:-1] + (treasury[-1].swapcase() if treasury[-1].isalpha() else "A")
    with pytest.raises(ValidationError, match="fails its EIP-55 checksum"):
        SafeOptions(wallets=[{"address": typo, "chain": "eth"}])


def test_a_422_is_reported_as_the_services_refusal_not_as_not_found(fake, api_key):
    refusal = {"code": 1, "message": "Checksum address validation failed", "arguments": ["0x..."]}
    fake.inject(f"/tx-service/eth/api/v1/safes/{SAFES['treasury']['address']}/", 422, body=refusal)
    instance = collector(fake)
    first = next(iter(instance.collect(eth_scope(instance))))
    assert isinstance(first, Unreadable)
    assert first.reason == (
        f"safe wallet {SAFES['treasury']['address']} on eth: the service refused the address "
        "(HTTP 422: Checksum address validation failed)"
    )
    assert "not found" not in first.reason


def test_balances_are_read_page_by_page_with_the_configured_service(api_key):
    treasury = SAFES["treasury"]["address"]
    tokens = [{"tokenAddress": None, "token": None, "balance": "2000000000000000000"}] + [
        {
            "tokenAddress": f"0x{n:040x}",
            "token": {"name": f"T{n}", "symbol": f"T{n}", "decimals": 0, "logoUri": ""},
            "balance": "1",
        }
        for n in range(1, 250)
    ]
    with make_safe_fake(dataset(), api_key=API_KEY, balances={"eth": {treasury: tokens}}) as api:
        instance = collector(api, wallets=[{"address": treasury, "chain": "eth"}])
        [wallet] = instance.collect(eth_scope(instance))
        pages = [path for _, path, _ in api.log if "/balances/" in path]
    assert isinstance(wallet, Wallet) and wallet.balances is not None
    assert len(wallet.balances) == 250
    assert (wallet.balances[0].asset, str(wallet.balances[0].amount)) == ("ETH", "2.000000000000000000")
    assert [page.split("?")[1] for page in pages] == [
        "limit=200&offset=0&exclude_spam=true",
        "limit=200&offset=200&exclude_spam=true",
    ]


def test_a_refused_balance_request_leaves_the_safe_and_a_field_gap(fake, api_key):
    treasury = SAFES["treasury"]["address"]
    fake.inject(f"/tx-service/eth/api/v2/safes/{treasury}/balances/", 403, body={"detail": "Forbidden"})
    instance = collector(fake, wallets=[{"address": treasury, "chain": "eth"}])
    items = list(instance.collect(eth_scope(instance)))
    [problem] = [item for item in items if isinstance(item, Problem)]
    [wallet] = [item for item in items if isinstance(item, Wallet)]
    assert problem.fields == ("custody.wallet.balances",) and problem.kinds == ()
    assert "403" in problem.reason
    assert (wallet.threshold, wallet.balances) == (2, None)  # the Safe stands; its value is unknown
