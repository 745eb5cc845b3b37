"""A synthetic organisation's SaaS side, deterministic for a seed: people with their Okta
user, factors and admin roles, the same people's KnowBe4 user, training enrolments and
phishing-test results, and multisig Safes on several chains signed by the admins, in the
vendors' own shapes, ready to load into the loopback fakes (`demo.fakes`), plus
the fact keys a complete collection must store.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from demo.fakes import knowbe4, safe
from demo.fakes.okta import OktaData
from demo.fakes.okta_demo import (
    ADMINS,
    ENGINEERING,
    EVERYONE,
    _factor,
    _role,
    _user,
    acme_exchange_okta,
)
from vaultward.contract.records import (
    Identity,
    PhishingResult,
    PhishingTest,
    PhishProne,
    TrainingRecord,
    Wallet,
)

# (factor type, provider, profile) people pick from: phishing-resistant keys, push, SMS, TOTP.
FACTORS: list[tuple[str, str, dict[str, str]]] = [
    ("webauthn", "FIDO", {"authenticatorName": "YubiKey 5 NFC"}),
    ("push", "OKTA", {"name": "Phone", "platform": "IOS"}),
    ("sms", "OKTA", {"phoneNumber": "+41 79 *** ** 00"}),
    ("token:software:totp", "GOOGLE", {}),
]
ADMIN_ROLES = [("SUPER_ADMIN", "Super Administrator"), ("ORG_ADMIN", "Organizational Administrator")]
AWARENESS_STATES = ["Passed", "Passed", "Passed", "Past Due", "In Progress", "Not Started"]
OUTCOMES = ["", "", "", "reported", "clicked", "data"]
CHAINS = ["eth", "arb1", "base", "oeth", "pol", "gno", "avax", "bnb"]  # EIP-3770 short names


@dataclass(frozen=True)
class OrgSize:
    """How large the organisation is: `people`, one admin in `admin_every`, phishing tests."""

    people: int = 600
    admin_every: int = 25
    phishing_tests: int = 4
    safes: int = 40  # multisig wallets, spread over `chains` (one collection scope per chain)
    chains: int = 4
    seed: int = 8


@dataclass
class SyntheticSaas:
    """The vendors' data and the fact keys (by kind) collection must end with."""

    okta: OktaData
    knowbe4: dict[str, Any]
    safe: dict[str, dict[str, dict[str, Any]]]  # the Safe fake's data: chain -> address -> Safe
    safe_wallets: list[dict[str, Any]]  # the `[[sources.safe.wallets]]` that watch them
    expected: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # source -> kind -> keys


def handle(index: int) -> str:
    return f"person{index:05d}"


def okta_org(size: OrgSize, rng: random.Random, now: datetime) -> OktaData:
    """Users with 0-2 factors, an admin role for one in `admin_every`, a few suspended and
    deprovisioned; the demo org's groups, policies and rules (the collector reads them too)."""
    demo = acme_exchange_okta(now)
    users: list[dict] = []
    factors: dict[str, list[dict]] = {}
    roles: dict[str, list[dict]] = {}
    factor_number = 0
    for index in range(size.people):
        status = "DEPROVISIONED" if index % 50 == 49 else ("SUSPENDED" if index % 50 == 48 else "ACTIVE")
        user = _user(
            f"{handle(index)}@acme.example",
            f"Person{index:05d}",
            "Synthetic",
            status,
            "2025-01-06T09:00:00.000Z",
            "2026-11-20T12:00:00.000Z",
        )
        user["id"] = f"00u{index:010d}synth00"  # unique for any size (the demo's ids are per name)
        users.append(user)
        chosen = rng.sample(FACTORS, rng.choice([0, 1, 1, 2]))
        if chosen and status != "DEPROVISIONED":
            factors[user["id"]] = []
            for factor_type, provider, profile in chosen:
                factor_number += 1
                factors[user["id"]].append(_factor(factor_number, factor_type, provider, **profile))
        if index % size.admin_every == 0:
            role_type, label = ADMIN_ROLES[(index // size.admin_every) % len(ADMIN_ROLES)]
            roles[user["id"]] = [_role(index + 1, role_type, label)]
    ids = [user["id"] for user in users]
    members = {EVERYONE: ids, ADMINS: [i for i in ids if i in roles], ENGINEERING: ids[::3]}
    return OktaData(
        users=users,
        factors=factors,
        roles=roles,
        groups=demo.groups,
        members=members,
        policies=demo.policies,
        rules=demo.rules,
    )


def knowbe4_org(size: OrgSize, rng: random.Random, now: datetime) -> dict[str, Any]:
    """The same people on KnowBe4 (those deprovisioned in Okta are archived): an awareness
    enrolment each, the lure module for admins, and `phishing_tests` tests of every active person."""
    users, enrollments = [], []
    for index in range(size.people):
        status = "archived" if index % 50 == 49 else "active"
        title = "Administrator" if index % size.admin_every == 0 else "Staff"
        ppp = rng.choice([0.0, 0.0, 33.3, 66.7])
        user = knowbe4._user(index, handle(index), title, status, ppp, now)
        user["id"] = 100_000 + index
        users.append(user)
        state = rng.choice(AWARENESS_STATES)
        completed = now - timedelta(days=rng.randrange(10, 400)) if state == "Passed" else None
        enrollments.append(
            knowbe4._enrollment(200_000 + 2 * index, user, knowbe4.AWARENESS, state, completed, now)
        )
        if title == "Administrator":
            lure_done = now - timedelta(days=rng.randrange(10, 300))
            enrollments.append(
                knowbe4._enrollment(200_001 + 2 * index, user, knowbe4.LURE, "Passed", lure_done, now)
            )
    tests, recipients = [], {}
    active = [user for user in users if user["status"] == "active"]
    for index in range(size.phishing_tests):
        pst_id, name = 5_000 + index, f"Synthetic lure {index + 1}"
        started = now - timedelta(days=20 + 30 * index)
        rows = [
            knowbe4.recipient(
                1_000_000 * (index + 1) + n, pst_id, index, name, user, started, rng.choice(OUTCOMES)
            )
            for n, user in enumerate(active)
        ]
        recipients[pst_id] = rows
        tests.append(knowbe4.security_test(pst_id, 3401, index, name, "Closed", started, rows))
    return {"users": users, "enrollments": enrollments, "security_tests": tests, "recipients": recipients}


def address(rng: random.Random) -> str:
    return f"0x{rng.getrandbits(160):040x}"


def safe_org(size: OrgSize, rng: random.Random) -> tuple[dict[str, dict[str, dict[str, Any]]], list[dict]]:
    """`safes` Safes over `chains` chains, each 2-of-3 or 3-of-5 over admins' keys."""
    if not 1 <= size.chains <= len(CHAINS):
        raise ValueError(f"chains: 1 to {len(CHAINS)}")
    signers = [address(rng) for _ in range(max(5, size.people // size.admin_every))]
    data: dict[str, dict[str, dict[str, Any]]] = {chain: {} for chain in CHAINS[: size.chains]}
    wallets = []
    for index in range(size.safes):
        chain = CHAINS[index % size.chains]
        wallet = address(rng)
        threshold, owners = rng.choice([(2, 3), (3, 5)])
        data[chain][wallet] = safe.safe_payload(wallet, rng.sample(signers, owners), threshold, nonce=index)
        tier = "high" if index % 4 == 0 else "medium"
        wallets.append(
            {"address": wallet, "chain": chain, "label": f"Safe {index}", "tags": {"ValueTier": tier}}
        )
    return data, wallets


def synthetic_saas(size: OrgSize, now: datetime | None = None) -> SyntheticSaas:
    """The organisation for `size` (the same for the same size and seed)."""
    rng = random.Random(size.seed)
    now = now or datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    okta = okta_org(size, rng, now)
    training = knowbe4_org(size, rng, now)
    safes, safe_wallets = safe_org(size, rng)
    archived = {user["id"] for user in training["users"] if user["status"] == "archived"}
    expected = {
        "okta": {Identity.kind: {f"okta:{user['id']}" for user in okta.users}},
        "knowbe4": {
            PhishProne.kind: {
                f"knowbe4:user:{u['id']}" for u in training["users"] if u["id"] not in archived
            },
            TrainingRecord.kind: {
                f"knowbe4:enrollment:{e['enrollment_id']}"
                for e in training["enrollments"]
                if e["user"]["id"] not in archived
            },
            PhishingTest.kind: {f"knowbe4:pst:{test['pst_id']}" for test in training["security_tests"]},
            PhishingResult.kind: {
                f"knowbe4:pst:{row['pst_id']}:{row['recipient_id']}"
                for rows in training["recipients"].values()
                for row in rows
            },
        },
        "safe": {Wallet.kind: {f"safe:{w['chain']}:{w['address'].lower()}" for w in safe_wallets}},
    }
    return SyntheticSaas(okta, training, safes, safe_wallets, expected)
