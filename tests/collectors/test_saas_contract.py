"""The contract every SaaS collector keeps, over the shared HTTP stack, against the demo's
loopback fakes: a 429 waits as Retry-After says (or backs off without it) and collection
completes; a 5xx is retried; a refused credential fails the Run naming the variable, never
its value; an unset variable fails the Run naming it; a malformed main listing fails the Run
and earlier facts stand. Vendor specifics (reset headers, Google's 403 quota, token
endpoints, exhausted quotas) stay in each vendor's tests; tests/reliability/test_saas_faults.py
covers every fault on every attempt."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from demo.fakes import internal_hr
from demo.fakes.crowdstrike import make_crowdstrike_fake
from demo.fakes.entra import make_entra_fake
from demo.fakes.google_workspace import make_google_workspace_fake
from demo.fakes.intune import make_intune_fake
from demo.fakes.jamf import TOKEN_PREFIX as JAMF_TOKEN_PREFIX
from tests.reliability.saas_sources import (
    COLLECTION_TIME,
    FIRST_REQUEST,
    FIRST_SENT,
    SOURCES,
    Source,
    collector_for,
    fake_of,
    requests_under,
    saas,  # noqa: F401 - fixture
    vendors,  # noqa: F401 - fixture
)
from vaultward.contract.records import Record
from vaultward.pipeline.collection import run_scope
from vaultward.store.models import Fact, Run

ATTEMPTS = 5  # HttpApi's max_attempts
HTML = b"<html><body>Down for maintenance</body></html>"
# The variable a refusal names (the credential the API is called with), and the one whose
# absence fails the Run, with how the error names it.
REFUSED_VARIABLE = {
    "okta": "OKTA_API_TOKEN",
    "google_workspace": "GOOGLE_SERVICE_ACCOUNT_FILE",
    "entra": "ENTRA_CLIENT_SECRET",
    "knowbe4": "KNOWBE4_API_TOKEN",
    "safe": "SAFE_API_KEY",
    "bitgo": "BITGO_ACCESS_TOKEN",
    "fireblocks": "FIREBLOCKS_API_KEY",
    "internal_http": internal_hr.DEMO_TOKEN_VARIABLE,
    "intune": "ENTRA_CLIENT_SECRET",
    "jamf": "JAMF_CLIENT_SECRET",
    "fleet": "FLEET_API_TOKEN",
    "crowdstrike": "CROWDSTRIKE_CLIENT_SECRET",
}
UNSET = {
    "okta": "OKTA_API_TOKEN (credentials_env.token)",
    "google_workspace": "GOOGLE_SERVICE_ACCOUNT_FILE (credentials_env.service_account_file)",
    "entra": "ENTRA_CLIENT_SECRET (credentials_env.client_secret)",
    "knowbe4": "KNOWBE4_API_TOKEN (credentials_env.token)",
    "safe": "SAFE_API_KEY (credentials_env.api_key)",
    "bitgo": "BITGO_ACCESS_TOKEN (credentials_env.token)",
    "fireblocks": "FIREBLOCKS_API_KEY (credentials_env.api_key)",
    "internal_http": f"{internal_hr.DEMO_TOKEN_VARIABLE} (auth_env)",
    "intune": "ENTRA_CLIENT_SECRET (credentials_env.client_secret)",
    "jamf": "JAMF_CLIENT_SECRET (credentials_env.client_secret)",
    "fleet": "FLEET_API_TOKEN (credentials_env.token)",
    "crowdstrike": "CROWDSTRIKE_CLIENT_SECRET (credentials_env.client_secret)",
}
SOURCE_IDS = [source.name for source in SOURCES]
every_source = pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)


def comparable(items: list) -> list:
    """Items as (type, key, data), without the collection time some records carry (`as_of`,
    a sign-in log's window, which ends at the collection's moment)."""
    rows = []
    for item in items:
        data = item.data() if isinstance(item, Record) else {"reason": item.reason}
        for name in COLLECTION_TIME:
            data.pop(name, None)
        rows.append((type(item).__name__, getattr(item, "key", ""), data))
    return rows


def collected(demo, source: Source, waits: list[float]) -> list:
    instance, scope = collector_for(demo, source, waits)
    return comparable(list(instance.collect(scope)))


def clean(demo, source: Source) -> list:
    items = collected(demo, source, [])
    fake_of(demo, source).log.clear()
    return items


@pytest.fixture
def fakes(vendors):  # noqa: F811 - the fakes with their credentials in the environment
    return vendors


def secrets(demo) -> list[str]:
    """Every credential value in the environment, and a line of every key file one names."""
    found = []
    for value in demo.environment.values():
        found.append(value)
        if Path(value).is_file():
            found += re.findall(r"[A-Za-z0-9+/]{40,}", Path(value).read_text())  # key id and body
    return found


# The access tokens the token-exchange fakes (Google, Entra, CrowdStrike) hand out: never stored either.
ISSUED_TOKENS = [
    inspect.signature(make).parameters["token"].default
    for make in (make_google_workspace_fake, make_entra_fake, make_intune_fake)
    for make in (make_google_workspace_fake, make_entra_fake, make_crowdstrike_fake)
]
ISSUED_TOKENS.append(JAMF_TOKEN_PREFIX)  # Jamf's fake numbers its tokens after this


def runs_and_facts(engine) -> tuple[list[Run], list[Fact]]:
    with Session(engine) as session:
        runs = list(session.exec(select(Run).order_by(Run.id)).all())  # type: ignore[arg-type]
        facts = list(session.exec(select(Fact)).all())
    return runs, facts


@every_source
def test_429_waits_as_retry_after_says_then_succeeds(fakes, source: Source):
    expected = clean(fakes, source)
    fake = fake_of(fakes, source)
    fake.inject(source.listing, 429, {"Retry-After": "2"}, {"error": "slow down"})
    waits: list[float] = []
    assert collected(fakes, source, waits) == expected
    assert waits == [2.0]
    assert requests_under(fake, source.listing)[:2] == [429, 200]


@every_source
def test_429_without_headers_backs_off(fakes, source: Source):
    expected = clean(fakes, source)
    fake_of(fakes, source).inject(source.listing, 429, body={"error": "slow down"})
    waits: list[float] = []
    assert collected(fakes, source, waits) == expected
    assert len(waits) == 1 and 0 < waits[0] <= 0.75  # the first backoff step


@every_source
def test_5xx_is_retried(fakes, source: Source):
    expected = clean(fakes, source)
    fake = fake_of(fakes, source)
    fake.inject(source.listing, 503, body={"error": "unavailable"}, times=2)
    waits: list[float] = []
    assert collected(fakes, source, waits) == expected
    assert requests_under(fake, source.listing)[:3] == [503, 503, 200]
    assert len(waits) == 2


@every_source
def test_a_refused_credential_fails_the_run_naming_the_variable_not_the_value(engine, fakes, source: Source):
    # twice: a client-credentials grant tries once more with a new token
    fake_of(fakes, source).inject(source.listing, 401, body={"error": "invalid credentials"}, times=2)
    instance, scope = collector_for(fakes, source, [])
    outcome = run_scope(engine, instance, scope)
    assert (outcome.status, outcome.items) == ("failed", 0)
    assert outcome.error == (
        f"ApiError: {source.prefix}: {FIRST_REQUEST[source.name]}: HTTP 401, credentials refused "
        f"(check the credential in {REFUSED_VARIABLE[source.name]})"
    )
    runs, facts = runs_and_facts(engine)
    assert [(run.status, run.error) for run in runs] == [("failed", outcome.error)]
    assert facts == []
    dump = json.dumps([run.model_dump(mode="json") for run in runs]) + str(outcome)
    assert not [secret for secret in [*secrets(fakes), *ISSUED_TOKENS] if secret in dump]


@every_source
def test_an_unset_variable_fails_the_run_naming_it(engine, fakes, source: Source, monkeypatch):
    variable = UNSET[source.name].split(" ")[0]
    monkeypatch.delenv(variable)
    instance, scope = collector_for(fakes, source, [])
    outcome = run_scope(engine, instance, scope)
    assert (outcome.status, outcome.error) == (
        "failed",
        f"ApiError: {source.prefix}: environment variable {UNSET[source.name]} is not set",
    )


@every_source
def test_a_malformed_main_listing_fails_the_run_and_keeps_earlier_facts(engine, fakes, source: Source):
    instance, scope = collector_for(fakes, source, [])
    first = run_scope(engine, instance, scope)
    assert first.status in ("ok", "partial") and first.items > 0
    fake_of(fakes, source).inject(source.listing, 200, {"Content-Type": "text/html"}, HTML, times=ATTEMPTS)
    second = run_scope(engine, instance, scope)
    assert second.status == "failed"
    assert second.error == (
        f"ApiError: {source.prefix}: {FIRST_SENT[source.name]}: malformed JSON in the response "
        f"(text/html, {len(HTML)} bytes) after {ATTEMPTS} attempts: Expecting value: line 1 column 1 (char 0)"
    )
    runs, facts = runs_and_facts(engine)
    assert [run.status for run in runs] == [first.status, "failed"]
    assert {fact.run_id for fact in facts} == {first.run_id}
    assert len(facts) == first.items
