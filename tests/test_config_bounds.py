"""Every configured value is bounded and validated at load: what the loader accepts fits the
store's columns (on PostgreSQL, which enforces them), and what it refuses is named by file and
key without echoing an over-long value, a control character or a secret."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import botocore
import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from tests.conftest import BACKENDS
from vaultward.config import bounded
from vaultward.config.errors import LINE_LENGTH
from vaultward.config.settings import ConfigError, Settings, load_settings, parse_settings
from vaultward.contract.records import CollectionScope
from vaultward.pipeline.freshness import discovery_scope
from vaultward.pipeline.registry import builtin_collectors
from vaultward.store.models import (
    AlertState,
    AuditEvent,
    CollectionRound,
    Evaluation,
    Fact,
    Finding,
    JobLease,
    RoundTask,
    Run,
    Waiver,
    utcnow,
)

ROOT = Path(__file__).resolve().parent.parent
BIDI = "\u202e"
COLLECTORS = builtin_collectors()
ENDPOINT = {
    "name": "hr",
    "url": "https://hr.example/api",
    "kind": "identity",
    "constants": {"source": "hr"},
    "fields": {"key": "id"},
}


def column_length(model: Any, name: str) -> int:
    return model.__table__.c[name].type.length


def refusal(data: dict[str, Any], where: str = "vaultward.toml") -> str:
    """The error a configuration gets at load (its own keys and every source's)."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(data, where).enabled_sources(COLLECTORS)
    return str(caught.value)


def test_the_limits_are_the_store_columns():
    for model in (Run, Fact, RoundTask, Finding):
        assert column_length(model, "scope") == bounded.SCOPE_LENGTH
    for model in (Run, CollectionRound):
        assert column_length(model, "collector") == bounded.COLLECTOR_LENGTH
    assert column_length(AuditEvent, "actor") == bounded.ACTOR_LENGTH
    assert column_length(Waiver, "owner") == bounded.ACTOR_LENGTH


def test_region_patterns_are_botocores():
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    assert set(bounded.AWS_REGION_PATTERNS) == {p["regionRegex"] for p in data["partitions"]}
    regions = [r for p in data["partitions"] for r in p["regions"] if not r.endswith("-global")]
    assert len(regions) > 30
    for region in regions:
        assert parse_settings({"sources": {"aws_iam": {"regions": [region]}}})
    for wrong in (
        "us-east-1\n",
        "us-east-1 ",
        "US_EAST_1",
        "mars-north-1",
        "us-east-\u0661",
        "us-e\u00e4st-1",
        "us-east-1" + BIDI,
    ):
        assert "not an AWS region" in refusal({"aws": {"regions": [wrong]}})


@pytest.mark.parametrize("section", ["aws", "sources.aws_network"])
def test_a_long_region_with_a_bidi_character_is_refused_naming_file_and_key(tmp_path, section):
    # The hand-run attack: a 5,000-character region reached the store's scope column.
    region = "us-east-1" + BIDI + "x" * 5000
    path = tmp_path / "vaultward.toml"
    path.write_text(f'[{section}]\nregions = ["{region}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path).enabled_sources(COLLECTORS)
    message = str(caught.value)
    assert message.startswith(f"{path}: {section}.regions[0]: String should have at most 50 characters")
    assert BIDI not in message and "\\u202e" in message  # shown escaped
    assert "(5,010 characters)" in message
    assert len(message) < len(str(path)) + 200


def test_a_short_region_with_a_bidi_character_is_shown_escaped():
    message = refusal({"aws": {"regions": ["us-east-1", "eu" + BIDI + "-west-1"]}})
    assert (
        message
        == "vaultward.toml: aws.regions[1]: not an AWS region like us-east-1 or eu-central-1 (got 'eu\\u202e-west-1')"
    )


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"policy": {"owners": {"default": "IT" + BIDI}}}, "policy.owners.default"),
        ({"policy": {"owners": {"accounts": {"Team=it": "x" * 201}}}}, "policy.owners.accounts.Team=it"),
        ({"dashboard": {"admins": ["a" * 200 + "@acme.example"]}}, "dashboard.admins[0]"),
        (
            {"policy": {"zones": {"production_tags": {"Env\x00": ["prod"]}}}},
            "policy.zones.production_tags.Env\\x00 (the key)",
        ),
        ({"sources": {"x" * 101: {}}}, "sources." + "x" * 60 + "... (101 characters) (the key)"),
        ({"sources": {"entra": {"tenant_id": "t" * 295}}}, "sources.entra.tenant_id"),
        ({"sources": {"intune": {"tenant_id": "t" * 295}}}, "sources.intune.tenant_id"),
        (
            {"sources": {"training_csv": {"path": "a.csv", "source_label": "l" * 288}}},
            "sources.training_csv.source_label",
        ),
        (
            {"sources": {"safe": {"wallets": [{"address": "0x" + "0" * 40, "chain": "c" * 296}]}}},
            "sources.safe.wallets[0].chain",
        ),
        ({"aws": {"accounts": [{"account_id": "12345678901\u0663"}]}}, "aws.accounts[0].account_id"),
        ({"aws": {"organizations": {"enabled": True, "role_name": "r" * 65}}}, "aws.organizations.role_name"),
        ({"report": {"s3": {"bucket": "Reports_Bucket"}}}, "report.s3.bucket"),
        ({"retention": {"facts_days": 10**12}}, "retention.facts_days"),
        ({"policy": {"custody": {"high_value_usd": float("inf")}}}, "policy.custody.high_value_usd"),
        (
            {"scoring": {"mitigation_weights": {"custody": float("nan")}}},
            "scoring.mitigation_weights.custody",
        ),
        ({"aws": {"regions": []}}, "aws.regions"),
    ],
)
def test_unbounded_values_are_refused_naming_the_key(data, key):
    message = refusal(data)
    assert message.startswith(f"vaultward.toml: {key}: "), message
    assert message.isprintable()


@pytest.mark.parametrize(
    ("data", "secret"),
    [
        ({"queue": {"broker_url": "http://vaultward:hunter2hunter2@rabbit:5672/"}}, "hunter2hunter2"),
        ({"store": {"database_url": "postgresql://u:hunter2hunter2@db/" + "x" * 5000}}, "hunter2hunter2"),
        ({"sources": {"okta": {"base_url": "https://admin:hunter2hunter2@acme.okta.com"}}}, "hunter2hunter2"),
        ({"sources": {"okta": {"credentials_env": {"token": "00aBcD-hunter2hunter2"}}}}, "hunter2hunter2"),
        (
            {
                "smtp": {
                    "host": "smtp.acme.example",
                    "sender": "v@acme.example",
                    "password_env": "pw hunter2hunter2",
                }
            },
            "hunter2hunter2",
        ),
    ],
)
def test_a_refused_value_that_may_be_a_secret_is_not_echoed(data, secret):
    message = refusal(data)
    assert message.startswith("vaultward.toml: ")
    assert secret not in message


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"aws": {"accounts": [{"account_id": "123456789012\n"}]}}, "aws.accounts[0].account_id"),
        ({"aws": {"accounts": [{"role_arn": "arn:aws:iam::123456789012:role/r\n"}]}}, "aws.accounts[0]"),
        ({"dashboard": {"password_env": "PASSWORD\n"}}, "dashboard.password_env"),
        ({"queue": {"queue_name": "vaultward\n"}}, "queue.queue_name"),
        (
            {"policy": {"zones": {"corporate_accounts": ["123456789012\n"]}}},
            "policy.zones.corporate_accounts[0]",
        ),
        (
            {"sources": {"internal_http": {"endpoints": [{**ENDPOINT, "auth_header": "Authorization\n"}]}}},
            "sources.internal_http.endpoints[0].auth_header",
        ),
    ],
)
def test_a_trailing_newline_does_not_pass_a_pattern(data, key):
    # `$` in Python's re matches before a final newline: the patterns must match whole values.
    assert f"vaultward.toml: {key}: " in refusal(data)


def test_a_url_with_a_user_or_password_is_refused():
    message = refusal({"sources": {"okta": {"base_url": "https://admin:pw@acme.okta.com"}}})
    assert "sources.okta.base_url: a user or password in a URL is not allowed" in message


def test_the_repositorys_configurations_still_load():
    example = load_settings(ROOT / "vaultward.example.toml")
    assert example.enabled_sources(COLLECTORS)
    assert example.dashboard.admins == ["ciso@acme.example"]


@pytest.mark.parametrize("discovery", ["organizations", "accounts"])
def test_the_demos_configuration_still_loads(tmp_path, discovery):
    from demo.organisation import DemoOrganisation
    from demo.run import demo_settings
    from demo.saas import saas_fakes

    accounts = {"production": "222222222222", "corporate": "333333333333", "custody": "444444444444"}
    organisation = DemoOrganisation("http://127.0.0.1:5999", "111111111111", accounts)
    with saas_fakes(tmp_path, accounts["production"], now=utcnow()) as saas:
        loaded = demo_settings(organisation.settings_dict(discovery), saas, tmp_path, 8599)
        assert set(loaded.sources) <= set(loaded.enabled_sources(COLLECTORS))
    assert loaded.policy.owners.default == "Security office"


# -- any configuration the loader accepts can be stored ------------------------------------

# Names as people write them, long ones (near and past the limits) and hostile ones (control
# and bidi characters).
PLAIN = st.text(st.characters(categories=["L", "N"], max_codepoint=0x2FFF), min_size=1, max_size=30)
# Long values of every length up to past the limits, in characters names and ids may have.
LENGTHS = st.one_of(
    st.integers(1, 400), st.sampled_from([12, 49, 50, 51, 199, 200, 201, *range(280, 302), 400])
)
LONG = st.builds(lambda char, times: char * times, st.sampled_from("ab7_-.xyz"), LENGTHS)
HOSTILE = st.builds(
    lambda text, char: text + char,
    st.text(max_size=10),
    st.characters(categories=["Cc", "Cf", "Zl", "Zp"]),
)
ANY_TEXT = st.one_of(st.text(max_size=20), LONG, HOSTILE)


def mostly(good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Good values five times in six (so that many configurations load and are stored)."""
    return st.sampled_from([good] * 5 + [bad]).flatmap(lambda strategy: strategy)


SAMPLE_NAMES = st.sampled_from(["acme", "hr", "eth", "corp.example", "Team=it", "Security office"])
NAMES = mostly(st.one_of(SAMPLE_NAMES, PLAIN, LONG), HOSTILE)
SAMPLE_REGIONS = st.sampled_from(
    ["us-east-1", "eu-central-1", "us-gov-west-1", "cn-north-1", "us-isob-east-1"]
)
REGIONS = mostly(st.one_of(SAMPLE_REGIONS, st.from_regex(bounded.AWS_REGION, fullmatch=True)), ANY_TEXT)
ACCOUNTS = mostly(st.from_regex(r"\A[0-9]{12}\Z"), st.one_of(st.from_regex(r"\A\d{12}\Z"), ANY_TEXT))
URLS = mostly(
    st.one_of(
        st.sampled_from(["https://acme.okta.com", "http://127.0.0.1:8080/api"]),
        st.builds(lambda host: f"https://{host}.example", st.text("abc-.", min_size=1, max_size=300)),
    ),
    ANY_TEXT,
)
EMAILS = st.one_of(st.builds(lambda name: f"{name}@acme.example", NAMES), ANY_TEXT)


def _parts() -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """Parts of a configuration, each drawing the values it holds (mostly acceptable ones)."""
    endpoint = st.fixed_dictionaries(
        {
            "name": NAMES,
            "url": URLS,
            "kind": st.just("identity"),
            "constants": st.just({"source": "hr"}),
            "fields": st.just({"key": "id"}),
        }
    )
    safe = st.builds(
        lambda chain, label, tags: {
            "wallets": [{"address": "0x" + "1" * 40, "chain": chain, "label": label, "tags": tags}],
            "service_urls": {chain: "https://safe.example"},
        },
        NAMES,
        NAMES,
        st.dictionaries(NAMES, NAMES, max_size=2),
    )
    one = {
        "aws_network": st.fixed_dictionaries({"regions": st.lists(REGIONS, min_size=1, max_size=3)}),
        "internal_http": st.fixed_dictionaries({"endpoints": st.lists(endpoint, max_size=2, unique_by=str)}),
        "training_csv": st.fixed_dictionaries({"path": NAMES, "source_label": NAMES}),
        "entra": st.fixed_dictionaries({"tenant_id": NAMES}),
        "intune": st.fixed_dictionaries({"tenant_id": NAMES}),
        "google_workspace": st.fixed_dictionaries(
            {"customer": NAMES, "admin_subject": EMAILS}, optional={"domain": NAMES}
        ),
        "bitgo": st.fixed_dictionaries({"enterprise": NAMES, "base_url": URLS}),
        "fireblocks": st.fixed_dictionaries({"base_url": URLS}),
        "okta": st.fixed_dictionaries({"base_url": URLS}),
        "safe": safe,
        "prowler_import": st.one_of(
            st.fixed_dictionaries({"path": NAMES}),
            st.fixed_dictionaries({"s3_uri": st.builds(lambda name: "s3://" + name, NAMES)}),
        ),
    }
    parts = {
        f"sources.{name}": table.map(lambda t, name=name: {"sources": {name: t}})
        for name, table in one.items()
    }
    parts["aws.regions"] = st.lists(REGIONS, min_size=1, max_size=3).map(lambda r: {"aws": {"regions": r}})
    parts["aws.accounts"] = st.lists(
        st.fixed_dictionaries({"account_id": ACCOUNTS}, optional={"name": NAMES}), min_size=1, max_size=2
    ).map(lambda accounts: {"aws": {"accounts": accounts}})
    parts["dashboard.admins"] = st.lists(EMAILS, max_size=2).map(lambda a: {"dashboard": {"admins": a}})
    parts["policy.owners"] = st.fixed_dictionaries(
        {"default": NAMES, "accounts": st.dictionaries(NAMES, NAMES, max_size=2)}
    ).map(lambda owners: {"policy": {"owners": owners}})
    return parts


# A configuration that loads, to which an example adds one part (so most examples load too).
BASE: dict[str, Any] = {
    # configured accounts: listing the scopes asks AWS nothing
    "aws": {"regions": ["us-east-1"], "accounts": [{"account_id": "123456789012"}]},
    "sources": {"aws_organization": {"enabled": False}},
}
PARTS = _parts()


def merged(base: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in part.items():
        out[key] = (
            merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


CONFIGS = (
    st.sampled_from(sorted(PARTS)).flatmap(lambda name: PARTS[name]).map(lambda part: merged(BASE, part))
)


def _store_what_collection_would(engine: Engine, settings: Settings, names: list[str]) -> int:
    """Inserts the rows collecting `settings` writes with configured values (Runs and facts of
    every scope, rounds, leases, staleness alerts) and those the dashboard writes with
    configured names (an admin's audit events, owners' waivers), then rolls them back. Returns
    the longest scope id stored."""
    now = utcnow()
    longest = 0
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            session = Session(bind=connection)
            evaluation = Evaluation(started_at=now)
            session.add(evaluation)
            session.flush()
            for name in names:
                scopes = COLLECTORS[name](settings).scopes()
                discovery = Run(collector=name, scope=discovery_scope(name), started_at=now)
                round_ = CollectionRound(collector=name, scheduled_at=now)
                session.add_all(
                    [
                        discovery,
                        round_,
                        JobLease(
                            job_id=f"collect:{name}",
                            owner="test",
                            acquired_at=now,
                            expires_at=now + timedelta(hours=1),
                        ),
                    ]
                )
                session.flush()
                for scope in scopes:
                    run = Run(collector=name, scope=scope.id, started_at=now)
                    session.add(run)
                    session.flush()
                    session.add_all(
                        [
                            Fact(
                                run_id=discovery.id,
                                kind=CollectionScope.kind,
                                key=scope.id,
                                scope=discovery.scope,
                                data={},
                            ),
                            Fact(run_id=run.id, kind="identity", key="k", scope=scope.id, data={}),
                            RoundTask(round_id=round_.id, scope=scope.id),
                            AlertState(
                                key=f"stale:{name}:{scope.id}",
                                kind="stale",
                                subject=f"{name} {scope.id}",
                                opened_at=now,
                                opened_evaluation_id=evaluation.id,
                            ),
                        ]
                    )
                    longest = max(longest, len(scope.id))
            for admin in settings.dashboard.admins:
                session.add(AuditEvent(at=now, actor=admin, action="waiver.create"))
            owners = settings.policy.owners
            for owner in {owners.default, *owners.accounts.values(), *owners.checks.values()} - {""}:
                session.add(
                    Waiver(
                        check_id="access.root_mfa",
                        resource_pattern="*",
                        reason="r",
                        owner=owner,
                        created_at=now,
                        expires_at=now,
                    )
                )
            session.flush()
        finally:
            transaction.rollback()
    return longest


# PostgreSQL only: SQLite does not enforce a varchar's length.
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL (VAULTWARD_TEST_BACKENDS)")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@settings(
    max_examples=int(os.environ.get("VAULTWARD_BOUNDS_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=CONFIGS)
def test_any_accepted_configuration_fits_the_store(engine, data):
    try:
        loaded = parse_settings(data, "vaultward.toml")
        names = loaded.enabled_sources(COLLECTORS)
    except ConfigError as error:
        for line in str(error).splitlines():
            assert line.startswith("vaultward.toml: "), line
            assert line.isprintable(), line
            assert len(line) <= LINE_LENGTH + 30, line
        event("refused")
        return
    event("accepted")
    # Steered towards the longest scope ids: those are what the bounds must keep in the columns.
    target(_store_what_collection_would(engine, loaded, names), label="longest scope id")
