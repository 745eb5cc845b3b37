"""The People and Wallets and keys pages under AppTest, over a store filled by the real
collection (a static collector) and evaluation (every built-in check), on both backends."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.dashboard.apptest import run_page
from tests.factories import (
    make_hsm_cluster,
    make_identity,
    make_signing_key,
    make_training_record,
    make_transfer_rule,
    make_wallet,
)
from tests.fake_collectors import registry_with
from vaultward.config.settings import load_settings
from vaultward.contract.records import AssetBalance
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.store.models import Evaluation, Finding

TIMEOUT = 30
GUEST = "vik_audit.example#ext#@acme.onmicrosoft.com"
SCRIPT = "<script>alert(1)</script>"
BOLD = "**bold**"
SPENDER, ADMIN = "62ab90e06dfda30007974f0a52a1f001", "62ab90e06dfda30007974f0a52a1f002"  # BitGo user ids
CONFIG = """
[policy.people.aliases]
"arn:aws:iam::111111111111:user/alice" = "alice@acme.example"

[policy.people.signers]
"0xa1" = "alice@acme.example"
"0xb1" = "bob@acme.example"

[policy.custody.prices]
BTC = 97000
ETH = 3000
"""


def okta(key: str, **fields):
    return make_identity(key=f"okta:{key}", scope="okta:acme", source="okta", account="acme", **fields)


PLAN = {
    "okta:acme": [
        okta("alice", name="alice", email="alice@acme.example", privileged=True, admin_roles=["SUPER_ADMIN"],
             factor_kinds=["webauthn"]),
        okta("bob", name="bob", email="bob@acme.example", factor_kinds=["sms"]),
        okta("evil", name=SCRIPT, mfa_enrolled=False, factor_kinds=[]),
        okta("svc-deploy", name="svc-deploy", email="svc-deploy@acme.example"),
    ],
    "aws:111111111111": [
        make_identity(key="arn:aws:iam::111111111111:user/alice", name="alice", privileged=True,
                      privileged_via=["AdministratorAccess"], factor_kinds=["virtual"]),
        # a key-only user (no console password, no MFA device): a machine
        make_identity(key="arn:aws:iam::111111111111:user/builder", name="builder", console_access=False,
                      mfa_enrolled=False, factor_kinds=[], programmatic_access=True),
    ],
    "entra:acme": [
        # an Entra B2B guest (userType guest, #EXT# UPN): from outside the organisation
        make_identity(key="entra:g1", scope="entra:acme", source="entra", name="Vik (Audit)", email=GUEST,
                      user_type="guest", external=True, mfa_enrolled=False, factor_kinds=[]),
    ],
    "knowbe4:acme": [
        make_training_record("alice@acme.example", "lure", days_ago=20),
        make_training_record("alice@acme.example", "awareness", days_ago=40),
        make_training_record("bob@acme.example", "awareness", days_ago=700),
    ],
    "safe:eth": [
        make_wallet(key="safe:eth:0xcold", name=BOLD, signers=["0xa1", "0xb1", "0xc1"], threshold=2),
        make_wallet(key="safe:eth:0xpetty", name="petty-cash", signers=["0xa1"], threshold=1, tags={},
                    value_usd=500),
    ],
    "bitgo:acme": [
        # Balances as the vendor reports them, priced by [policy.custody.prices]: 84 BTC.
        # BitGo: 2 of its 3 keys (user, backup, BitGo) whoever may spend; one spender, one admin
        make_wallet(key="bitgo:btc:cold", name="btc-cold", provider="bitgo", chain="btc", tags={},
                    multisig_type="onchain", threshold=2, key_count=3, approvals_required=1,
                    signers=[SPENDER, ADMIN], signer_roles={SPENDER: ["spend"], ADMIN: ["admin"]},
                    balances=[AssetBalance(asset="BTC", amount=Decimal("84"))]),
        # 10 ETH ($30,000) and a token with no price: a lower bound below the bound.
        make_wallet(key="bitgo:eth:grants", name="eth-grants", provider="bitgo", chain="eth", tags={},
                    multisig_type="onchain",
                    balances=[AssetBalance(asset="ETH", amount=Decimal("10")),
                              AssetBalance(asset="NWT", amount=Decimal("5000"))]),
    ],
    "fireblocks:acme": [
        make_wallet(key="fireblocks:vault:7", name="hot-vault", provider="fireblocks", signers=[],
                    threshold=None, multisig_type="mpc", tags={"ValueTier": "hot"}),
        make_transfer_rule(key="fireblocks:tap:1", name="TAP 1", approvers=["u-9"], approvals_required=2),
    ],
    "aws:111111111111/us-east-1": [
        make_signing_key(key="arn:aws:kms:us-east-1:111111111111:key/imported", name="imported",
                         origin="EXTERNAL"),
        make_hsm_cluster(key="cluster-1", hsm_count=1, active_hsm_count=1, availability_zones=["us-east-1a"]),
    ],
}  # fmt: skip


@pytest.fixture
def inventory_url(engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with the facts of PLAN and the evaluation of every built-in check over them."""
    config = tmp_path / "vaultward.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("VAULTWARD_CONFIG", str(config))
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    registry = registry_with(PLAN)
    settings = load_settings()
    collect(settings, engine, registry)
    evaluate(settings, engine, registry)
    return database_url


def open_checks(engine, *resources: str) -> set[str]:
    """What the store says fails or is unknown for these resources in the latest evaluation."""
    with Session(engine) as session:
        latest = session.exec(select(Evaluation).order_by(Evaluation.id.desc())).first()  # type: ignore[union-attr]
        rows = session.exec(
            select(Finding.check_id).where(
                Finding.evaluation_id == latest.id,
                Finding.resource.in_(resources),  # type: ignore[attr-defined]
                Finding.status.in_(("fail", "unknown")),  # type: ignore[attr-defined]
            )
        ).all()
    return set(rows)


TABLES = {
    "people_table": "person",
    "custody_table": "threshold",
    "people_issues": "check_id",
    "custody_issues": "check_id",
}


def table(at: AppTest, name: str):
    """The page's main table or its open-findings table, told apart by a column of theirs."""
    return next(frame.value for frame in at.dataframe if TABLES[name] in frame.value.columns)


def checkbox(at: AppTest, label: str):
    return next(box for box in at.checkbox if box.label == label)


def rendered_text(at: AppTest) -> str:
    """Everything the page renders as markdown, captions, alerts or titles."""
    elements = [*at.markdown, *at.caption, *at.title, *at.subheader, *at.info, *at.warning, *at.error]
    return "\n".join(str(element.value) for element in elements)


def test_people_rows_equal_the_seeded_people(inventory_url, engine):
    at = run_page("people")
    people = table(at, "people_table").set_index("person")
    assert sorted(people.index) == sorted(
        ["alice@acme.example", "bob@acme.example", SCRIPT]
    )  # machines hidden
    alice, bob, evil = people.loc["alice@acme.example"], people.loc["bob@acme.example"], people.loc[SCRIPT]
    assert alice["identities"] == "aws_iam: alice; okta: alice"
    assert alice["sources"] == "aws_iam, okta"
    assert (alice["mfa"], alice["factors"], alice["phishing_resistant"]) == (
        "yes",
        "virtual, webauthn",
        "yes",
    )
    assert (alice["privileged"], alice["roles"]) == ("yes", "AdministratorAccess; SUPER_ADMIN")
    assert alice["signer_for"] == f"signer of {BOLD}; signer of petty-cash"
    assert (bob["mfa"], bob["factors"], bob["phishing_resistant"], bob["privileged"]) == (
        "yes",
        "sms",
        "no",
        "no",
    )
    assert bob["signer_for"] == f"signer of {BOLD}"
    assert (evil["mfa"], evil["factors"], evil["signer_for"]) == ("no", "", "")
    assert evil["awareness_training"] == "unknown"  # no e-mail ties it to training records

    # Training: the latest passed module of each category, as the training checks read it.
    assert (alice["awareness_training"], alice["lure_training"]) == ("2026-10-14", "2026-11-03")
    assert (bob["awareness_training"], bob["lure_training"]) == ("2024-12-23", "none passed")

    # What fails: exactly the latest evaluation's open findings on the person or their identities.
    resources = {
        "alice@acme.example": ("alice@acme.example", "okta:alice", "arn:aws:iam::111111111111:user/alice"),
        "bob@acme.example": ("bob@acme.example", "okta:bob"),
        SCRIPT: ("identity:okta:evil", "okta:evil"),
    }
    for person, keys in resources.items():
        expected = open_checks(engine, *keys)
        assert set(filter(None, people.loc[person, "failing"].split("; "))) == expected, person
        assert people.loc[person, "open_findings"] == len(
            table(at, "people_issues").query("subject == @person")
        )
    assert "training.awareness_recent" in people.loc["bob@acme.example", "failing"]  # 700 days old
    assert "access.console_user_mfa" in evil["failing"]  # no MFA at all
    assert "training.awareness_recent" not in alice["failing"]


def test_people_filters_return_the_right_rows(inventory_url):
    at = run_page("people")
    checkbox(at, "Privileged only").check().run()
    assert list(table(at, "people_table")["person"]) == ["alice@acme.example"]
    checkbox(at, "Privileged only").uncheck().run()

    checkbox(at, "Signers only").check().run()
    assert sorted(table(at, "people_table")["person"]) == ["alice@acme.example", "bob@acme.example"]
    checkbox(at, "Signers only").uncheck().run()

    at.text_input(key="people_search").input("SMS").run()  # no person mentions it: nothing
    assert table(at, "people_table").empty
    at.text_input(key="people_search").input("super_admin").run()
    assert list(table(at, "people_table")["person"]) == ["alice@acme.example"]
    at.text_input(key="people_search").input("").run()

    checkbox(at, "Machine accounts").check().run()
    shown = table(at, "people_table")
    assert shown.set_index("person").loc["svc-deploy", "kind"] == "machine"

    everyone = table(at, "people_table")
    checkbox(at, "Failing only").check().run()
    failing = table(at, "people_table")
    assert sorted(failing["person"]) == sorted(everyone[everyone["open_findings"] > 0]["person"])
    issues = table(at, "people_issues")
    assert set(issues["subject"]) == set(failing["person"])


def test_people_are_counted_by_class_and_guests_listed_apart(inventory_url, engine):
    at = run_page("people")
    assert {metric.label: metric.value for metric in at.metric} == {
        "Employees": "3",  # alice, bob and the account nothing ties to an e-mail
        "Guests (external)": "1",
        "Machine identities": "2",  # svc-deploy (machine_patterns) and builder (only access keys)
        "Departed": "0",
    }
    assert GUEST not in set(table(at, "people_table")["person"])  # not staff
    guests = [frame.value for frame in at.dataframe if "person" in frame.value.columns][-1]
    assert list(guests["person"]) == [GUEST]
    assert (guests.loc[0, "kind"], guests.loc[0, "why"]) == (
        "guest",
        "entra says it is a guest (userType guest)",
    )
    # Their account is still judged one by one: the guest has no MFA registered here, and
    # whether the tenant trusts their home tenant's MFA is not said: unknown, never a pass.
    assert guests.loc[0, "failing"] == "access.console_user_mfa"
    assert open_checks(engine, "entra:g1") == {"access.console_user_mfa"}

    checkbox(at, "Machine accounts").check().run()
    machines = table(at, "people_table").set_index("person")
    assert (machines.loc["builder", "kind"], machines.loc["builder", "why"]) == (
        "machine",
        "no interactive sign-in (no console password, no MFA device), only access keys",
    )
    at.text_input(key="people_search").input("nobody-matches").run()
    assert "No guest matches." in rendered_text(at)


def test_wallets_rows_equal_the_seeded_custody_objects(inventory_url, engine):
    at = run_page("wallets")
    custody = table(at, "custody_table").set_index("key")
    assert list(custody["kind"].value_counts().sort_index().items()) == [
        ("HSM cluster", 1), ("signing key", 1), ("wallet", 5)
    ]  # fmt: skip
    cold = custody.loc["safe:eth:0xcold"]
    assert (cold["name"], cold["threshold"], cold["value_tier"]) == (BOLD, "2-of-3 owners", "high")
    assert cold["signers"] == (
        "alice@acme.example (signer); bob@acme.example (signer); "
        "0xc1 (signer; not tied to a person: add it to policy.people.signers)"
    )
    petty = custody.loc["safe:eth:0xpetty"]
    assert (petty["threshold"], petty["value_tier"], petty["signers"]) == (
        "1-of-1 owners",
        "standard",
        "alice@acme.example (signer)",
    )
    # m of BitGo's keys, never of its spenders (issue 16: this wallet showed "2-of-1")
    bitgo = custody.loc["bitgo:btc:cold"]
    assert bitgo["threshold"] == "2-of-3 keys; 1 approval of 1 admin"
    assert bitgo["signers"] == (
        f"{SPENDER} (spender; not tied to a person: add it to policy.people.signers); "
        f"{ADMIN} (admin; not tied to a person: add it to policy.people.signers)"
    )
    assert "custody.multisig_threshold" not in bitgo["failing"]  # 2-of-3 keys passes
    assert (petty["value_usd"], cold["value_usd"]) == ("$500", "")  # the vendor's USD; no value
    btc = custody.loc["bitgo:btc:cold"]
    assert (btc["value_tier"], btc["value_usd"]) == ("high", "$8,148,000")
    grants = custody.loc["bitgo:eth:grants"]
    assert (grants["value_tier"], grants["value_usd"]) == (
        "unknown",
        "at least $30,000 (lower bound: no price for NWT)",
    )
    assert "custody.multisig_threshold" in grants["failing"]  # unknown: never a silent pass
    hot = custody.loc["fireblocks:vault:7"]
    assert (hot["threshold"], hot["value_tier"]) == ("MPC: approvals in the transfer policy", "high")
    assert hot["policy"] == "TAP 1 (TRANSFER, 2 approvals)"
    assert hot["hsm_backing"] == "MPC key shares held by fireblocks"
    key = custody.loc["arn:aws:kms:us-east-1:111111111111:key/imported"]
    assert key["hsm_backing"] == "not HSM-backed (origin EXTERNAL)"
    assert custody.loc["cluster-1", "hsm_backing"] == "ACTIVE: 1 of 1 HSMs active (us-east-1a)"

    for resource, row in custody.iterrows():
        assert set(filter(None, row["failing"].split("; "))) == open_checks(engine, resource), resource
    assert "custody.signers_distinct_mfa_trained" in cold["failing"]  # bob signs with SMS only
    assert "custody.signing_keys_hsm_backed" in key["failing"]
    assert "custody.hsm_cluster_redundant" in custody.loc["cluster-1", "failing"]


def test_wallets_filters_return_the_right_rows(inventory_url):
    at = run_page("wallets")
    at.multiselect(key="custody_kinds").select("signing key").run()
    assert list(table(at, "custody_table")["name"]) == ["imported"]
    at.multiselect(key="custody_kinds").unselect("signing key").run()

    at.text_input(key="custody_search").input("bob@acme").run()
    assert list(table(at, "custody_table")["name"]) == [BOLD]
    at.text_input(key="custody_search").input("").run()

    everything = table(at, "custody_table")
    checkbox(at, "Failing only").check().run()
    failing = table(at, "custody_table")
    assert sorted(failing["key"]) == sorted(everything[everything["open_findings"] > 0]["key"])
    assert "petty-cash" not in set(failing["name"])  # low value, nothing open
    assert set(table(at, "custody_issues")["subject"]) == set(failing["name"])


def test_hostile_names_are_shown_verbatim_as_text(inventory_url):
    people = run_page("people")
    assert SCRIPT in set(table(people, "people_table")["person"])
    assert SCRIPT in set(table(people, "people_issues")["subject"])
    wallets = run_page("wallets")
    assert BOLD in set(table(wallets, "custody_table")["name"])
    for at in (people, wallets):
        text = rendered_text(at)
        assert "<script>" not in text and "**bold**" not in text and "bold" not in text
        assert not [element for element in at.get("html")]


def test_an_empty_store_says_what_to_connect(engine, database_url, monkeypatch):
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    assert "connect an identity source" in run_page("people").info[0].value
    assert "connect a custody source" in run_page("wallets").info[0].value


def test_inventories_are_read_once_per_evaluation_as_it_resolved_them(inventory_url, engine, monkeypatch):
    """The pages show the inventories the latest evaluation stored: read from the store once
    per evaluation, never resolved from the facts (new facts show after the next evaluation)."""
    from dashboard import inventories

    calls = []
    real = inventories.people_columns
    monkeypatch.setattr(inventories, "people_columns", lambda *args: calls.append(1) or real(*args))
    first, _ = inventories.people(inventory_url)
    again, _ = inventories.people(inventory_url)
    assert len(calls) == 1 and again.equals(first)  # same evaluation: from the cache

    grown = {
        **PLAN,
        "okta:acme": [*PLAN["okta:acme"], okta("carol", name="carol", email="carol@acme.example")],
    }
    settings = load_settings()
    collect(settings, engine, registry_with({"okta:acme": grown["okta:acme"]}))
    unevaluated, _ = inventories.people(inventory_url)
    assert len(calls) == 1 and unevaluated.equals(first)  # facts alone change nothing shown
    evaluate(settings, engine, registry_with(grown))
    after, _ = inventories.people(inventory_url)
    assert len(calls) == 2 and "carol@acme.example" in set(after["person"]) - set(first["person"])
