"""Safe payloads to wallet records: owners, threshold, nonce, modules, guard, version, and
what looks wrong kept and flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collectors.safe.mapper import KNOWN_VERSIONS, map_balances, map_safe
from tests.collectors.safe.payloads import load
from vaultward.contract.records import Wallet

ALICE = "0x1111A2B3C4d5E6f7A8b9c0D1e2f3A4b5c6D7E8f9"  # owners are stored EIP-55 checksummed
BOB = "0x2222b3C4D5E6F7A8B9c0D1e2F3a4B5c6d7e8f9a0"  # owners are stored EIP-55 checksummed
ERIN = "0x3333c4d5e6f7A8b9C0D1E2f3a4b5c6d7E8f9A0B1"  # owners are stored EIP-55 checksummed
OPS_BOT = "0x4444D5E6F7A8b9C0D1e2F3A4b5c6D7E8f9a0B1C2"  # owners are stored EIP-55 checksummed


def test_treasury_two_of_three_with_config_tags():
    raw = load("safes.json")["treasury"]
    wallet = map_safe(raw, "eth", raw["address"], "Treasury", {"ValueTier": "high"})
    assert wallet == Wallet(
        key="safe:eth:0x7a3bc0fa1c2d4e5f60718293abcdef0123456789",
        name="Treasury",
        provider="safe",
        chain="eth",
        address="0x7a3bc0FA1c2d4e5f60718293abcDeF0123456789",  # checksummed; the key stays lower-case
        threshold=2,
        key_count=3,  # the threshold counts the owners
        signers=[ALICE, BOB, ERIN],
        signer_roles={ALICE: ["owner"], BOB: ["owner"], ERIN: ["owner"]},
        multisig_type="safe",
        version="1.4.1",
        nonce=182,
        modules=[],
        guard="",
        value_usd=None,
        tags={
            "master_copy": "0x41675c099f32341bf84bfc5382af534df5c7461a",
            "fallback_handler": "0xfd0732dc9e303f09fcef3a7388ad10a83459ec99",
            "ValueTier": "high",
        },
        anomalies=[],
    )


def test_l2_safe_with_module_guard_and_numeric_nonce():
    raw = load("safes.json")["l2_with_module_and_guard"]
    wallet = map_safe(raw, "arb1", raw["address"].lower())
    assert wallet == Wallet(
        key="safe:arb1:0x9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
        provider="safe",
        chain="arb1",
        address="0x9c8D7e6F5A4B3c2d1e0f9a8b7c6d5e4F3a2b1c0d",
        threshold=2,
        key_count=3,
        signers=[ALICE, ERIN, BOB],
        signer_roles={ALICE: ["owner"], ERIN: ["owner"], BOB: ["owner"]},
        multisig_type="safe",
        version="1.3.0+L2",
        nonce=37,
        modules=["0xbadc0de0000000000000000000000000000d0d0e"],
        guard="0x9d1f6e1a7e6f2c5b4a3d2e1f0a9b8c7d6e5f4a3b",
        tags={
            "master_copy": "0x3e5c63644e683549055b9be8653de26e0b4cd36e",
            "fallback_handler": "0xf48f2b2d2a534e402487b3ee7c18c33aec0fe5e4",
        },
    )


def test_one_of_two_hot_wallet_is_recorded_as_seen():
    raw = load("safes.json")["hot_one_of_two"]
    wallet = map_safe(raw, "eth", raw["address"])
    assert (wallet.threshold, wallet.signers, wallet.nonce, wallet.anomalies) == (1, [OPS_BOT, BOB], 4711, [])
    assert wallet.tags == {"master_copy": "0xd9db270c1b5e3bd161e8c8503c55ceabee709552"}  # no handler


def test_what_looks_wrong_is_kept_and_flagged():
    raw = load("safes.json")["odd"]
    wallet = map_safe(raw, "eth", "0x7a3bc0fa1c2d4e5f60718293abcdef0123456789")
    assert wallet.key == "safe:eth:0x7a3bc0fa1c2d4e5f60718293abcdef0123456789"
    assert (wallet.threshold, wallet.signers, wallet.modules, wallet.nonce, wallet.version) == (
        3,
        [ALICE],
        [],
        None,
        "9.9.9",
    )
    assert wallet.anomalies == [
        "the service answered for address '0x6c6C6C6C6C6C6c6c6c6c6c6C6c6c6C6c6c6c6c6c', "
        "not 0x7a3bc0fa1c2d4e5f60718293abcdef0123456789",
        f"owner {ALICE} is listed twice",
        "owner 'alice.eth' is not an address",
        "threshold 3 of 1 owners",
        "nonce 'soon' is not a number",
        "module 'not-a-module' is not an address",
        "unknown Safe version '9.9.9'",
    ]


@pytest.mark.parametrize("version", sorted(KNOWN_VERSIONS | {f"{v}+L2" for v in KNOWN_VERSIONS}))
def test_every_released_version_is_known(version):
    raw = dict(load("safes.json")["treasury"], version=version)
    wallet = map_safe(raw, "eth", raw["address"])
    assert (wallet.version, wallet.anomalies) == (version, [])


@pytest.mark.parametrize(
    ("threshold", "anomaly"),
    [(0, "threshold 0 of 3 owners"), (None, "threshold None is not a number"), ("2", None)],
)
def test_threshold_shapes(threshold, anomaly):
    raw = dict(load("safes.json")["treasury"], threshold=threshold)
    wallet = map_safe(raw, "eth", raw["address"])
    assert wallet.anomalies == ([anomaly] if anomaly else [])
    if anomaly is None:
        assert wallet.threshold == 2


def test_owners_or_modules_that_are_not_lists_are_anomalies():
    # Regression (property tests): iterating a number raised TypeError.
    raw = {**load("safes.json")["treasury"], "owners": 3.5, "modules": "0xabc"}
    wallet = map_safe(raw, "eth", raw["address"])
    assert (wallet.signers, wallet.modules) == ([], [])
    assert wallet.anomalies[:3] == [
        "owners 3.5 is not a list",
        f"threshold {raw['threshold']} of 0 owners",
        "modules '0xabc' is not a list",
    ]


# GET /api/v2/safes/{address}/balances/ results as the service's serializer writes them
# (safe-transaction-service history/serializers.py SafeBalanceResponseSerializer, camelCase):
# the native coin with tokenAddress and token null, ERC-20 tokens with name, symbol, decimals,
# logoUri, and `balance` a string in base units.
BALANCES = [
    {"tokenAddress": None, "token": None, "balance": "1500000000000000000"},
    {
        "tokenAddress": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        "token": {"name": "USD Coin", "symbol": "USDC", "decimals": 6, "logoUri": "https://x/usdc.png"},
        "balance": "250000000001",
    },
    {
        "tokenAddress": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
        "token": {"name": "Dai", "symbol": "DAI", "decimals": None, "logoUri": ""},
        "balance": "7",
    },
]


def test_balances_are_whole_units_by_each_tokens_decimals_without_rounding():
    balances = map_balances(BALANCES, "eth")
    assert [(b.asset, b.amount, b.vendor_id) for b in balances] == [
        ("ETH", Decimal("1.5"), "native"),
        ("USDC", Decimal("250000.000001"), "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
        ("DAI", None, "0x6B175474E89094C44Da98b954EedeAC495271d0F"),  # no decimals: size unknown
    ]
    assert balances[2].note == "decimals None not reported"
    assert str(balances[1].amount) == "250000.000001"  # a decimal string, not a float


def test_the_native_coin_is_named_by_the_chain():
    native = {"tokenAddress": None, "token": None, "balance": "10"}
    assert map_balances([native], "gno")[0].asset == "XDAI"
    assert map_balances([native], "pol")[0].asset == "POL"
    assert map_balances([native], "sep")[0].asset == "NATIVE:sep"  # a test chain: never priced as ETH


def test_a_safe_records_its_balances_or_none_when_not_read():
    raw = load("safes.json")["treasury"]
    assert map_safe(raw, "eth", raw["address"]).balances is None
    assert map_safe(raw, "eth", raw["address"], balances=map_balances(BALANCES, "eth")).balances is not None
