"""The KnowBe4 collector end to end against the loopback fake: numbered pages, a 429 with
Retry-After, a 5xx, a refused token, a malformed body, stored through run_scope on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.knowbe4 import KnowBe4Collector, mapper
from collectors.training_category import DEFAULT_LURE_MODULES
from demo.fakes.knowbe4 import demo_knowbe4_data, make_knowbe4_fake
from tests.collectors.knowbe4.payloads import load
from tests.collectors.store_rows import stored
from vaultward.config.settings import parse_settings
from vaultward.contract.records import PhishingResult, PhishingTest, PhishProne, TrainingRecord
from vaultward.contract.sdk import Problem
from vaultward.pipeline.collection import run_scope

TOKEN = "kb4-test-token-7f3a9c"  # noqa: S105 - the fake's dummy credential


def dataset() -> dict:
    enrollments = load("enrollments.json")
    # An archived user's enrolment: the collector asks the API to leave it out.
    archived = dict(enrollments[0], enrollment_id=5099, user={"id": 1003, "email": "trent@acme.example"})
    [test] = load("security_tests.json")
    return {
        "users": load("users.json"),
        "enrollments": [*enrollments, archived],
        "campaigns": load("campaigns.json"),
        "security_tests": [test],
        "recipients": {302: load("recipients.json")},
    }


@pytest.fixture
def fake():
    with make_knowbe4_fake(dataset(), token=TOKEN) as api:
        yield api


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("KNOWBE4_API_TOKEN", TOKEN)
    return TOKEN


def collector(fake, sleeps: list[float] | None = None, **options) -> KnowBe4Collector:
    settings = parse_settings(
        # Pages of two make many requests: no steady pace here (its tests are elsewhere).
        {
            "sources": {
                "knowbe4": {"base_url": fake.base_url, "page_size": 2, "rate_limit_per_minute": 0, **options}
            }
        }
    )
    instance = KnowBe4Collector(settings)
    instance.sleep = (sleeps if sleeps is not None else []).append
    return instance


def expected_items() -> list:
    """What the collector must yield, in order: the mapper's output for each payload (the
    mapper's exactness is asserted in test_mapper.py)."""
    items: list = []
    for mapped in (
        *[mapper.map_user(raw, datetime.now(UTC)) for raw in load("users.json")],
        *[mapper.map_enrollment(raw, DEFAULT_LURE_MODULES) for raw in load("enrollments.json")],
        mapper.map_security_test(
            load("security_tests.json")[0], mapper.campaign_names(load("campaigns.json"))
        ),
        *[mapper.map_recipient(raw, load("security_tests.json")[0]) for raw in load("recipients.json")],
    ):
        record, problems = mapped
        items += [("problem", p) for p in problems]
        if record is not None:
            items.append(record)
    return items


def comparable(items: list) -> list:
    """Records without the collection time (`as_of`), problems as ("problem", reason)."""
    out = []
    for item in items:
        if isinstance(item, Problem):
            out.append(("problem", item.reason))
        elif isinstance(item, PhishProne):
            out.append(item.model_copy(update={"as_of": None}))
        else:
            out.append(item)
    return out


def test_collects_every_page_of_every_endpoint(fake, token):
    instance = collector(fake)
    [scope] = instance.scopes()
    assert scope.id == "knowbe4:us"
    items = list(instance.collect(scope))

    assert comparable(items) == comparable(expected_items())
    assert [item.key for item in items if isinstance(item, TrainingRecord)] == [
        f"knowbe4:enrollment:{n}" for n in (5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5010)
    ]  # 5009 has no e-mail (a problem); 5099 belongs to an archived user, left out by the API
    assert [item.key for item in items if isinstance(item, PhishProne)] == [
        "knowbe4:user:1001",
        "knowbe4:user:1002",
        "knowbe4:user:1004",
    ]
    assert [item.key for item in items if isinstance(item, PhishingTest)] == ["knowbe4:pst:302"]
    assert [item.key for item in items if isinstance(item, PhishingResult)] == [
        f"knowbe4:pst:302:{n}" for n in (9001, 9002, 9003, 9004, 9005, 9006)
    ]
    paths = [path for _, path, _ in fake.log]
    assert paths == [
        "/v1/users?page=1&per_page=2",
        "/v1/users?page=2&per_page=2",
        "/v1/users?page=3&per_page=2",
        *[f"/v1/training/enrollments?exclude_archived_users=true&page={n}&per_page=2" for n in range(1, 7)],
        "/v1/phishing/campaigns?page=1&per_page=2",
        "/v1/phishing/campaigns?page=2&per_page=2",
        "/v1/phishing/security_tests?page=1&per_page=2",
        *[f"/v1/phishing/security_tests/302/recipients?page={n}&per_page=2" for n in range(1, 5)],
    ]


def test_region_picks_the_api_host():
    for region in ("us", "eu", "ca", "uk", "de"):
        settings = parse_settings({"sources": {"knowbe4": {"region": region}}})
        [scope] = KnowBe4Collector(settings).scopes()
        assert (scope.id, scope.params["base_url"]) == (
            f"knowbe4:{region}",
            f"https://{region}.api.knowbe4.com",
        )


def test_a_malformed_main_listing_fails_the_run_and_keeps_earlier_facts(engine, fake, token):
    first = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    # Unknown status 'Excused', a user status 'suspended', an enrolment without e-mail.
    assert (first.status, first.items) == ("partial", 19)
    assert first.error == (
        "knowbe4 user 1004 (carol@acme.example): unknown status 'suspended'; "
        "knowbe4 enrollment 5008 (bob@acme.example): unknown status 'Excused' recorded as not_started; "
        "knowbe4 enrollment 5009 (no e-mail): no enrollment id or user e-mail, skipped; "
        "knowbe4 enrollment 5010 (alice@acme.example): completion_date 'last spring' is not a timestamp"
    )

    fake.inject("/v1/users", 200, body=b"<html>maintenance</html>", times=5)
    second = run_scope(engine, collector(fake), collector(fake).scopes()[0])
    assert second.status == "failed"
    assert second.error == (
        "ApiError: knowbe4: GET /v1/users?page=1&per_page=2: "
        "malformed JSON in the response (application/json, 24 bytes) after 5 attempts: "
        "Expecting value: line 1 column 1 (char 0)"
    )
    runs, facts = stored(engine)
    assert [run.status for run in runs] == ["partial", "failed"]
    assert {fact.run_id for fact in facts} == {runs[0].id}
    assert sorted(fact.key for fact in facts) == sorted(
        item.key for item in expected_items() if not isinstance(item, tuple)
    )


def test_demo_data_tells_the_acme_story(token):
    now = datetime(2026, 11, 24, tzinfo=UTC)
    data = demo_knowbe4_data(now)
    with make_knowbe4_fake(data, token=TOKEN) as api:
        items = list(collector(api).collect(collector(api).scopes()[0]))
    assert not [item for item in items if isinstance(item, Problem)]
    lure = {
        (r.person, r.status, r.completed_at)
        for r in items
        if isinstance(r, TrainingRecord) and r.category == "lure"
    }
    assert lure == {
        ("alice@acme.example", "passed", datetime(2026, 9, 25, tzinfo=UTC)),
        ("bob@acme.example", "past_due", None),
    }
    awareness = {
        r.person: r.status for r in items if isinstance(r, TrainingRecord) and r.category == "awareness"
    }
    assert awareness == {
        **{
            f"{name}@acme.example": "passed"
            for name in ("alice", "bob", "carol", "dave", "erin", "grace", "judy", "mallory", "oscar")
        },
        "frank@acme.example": "past_due",
        "heidi@acme.example": "in_progress",
        "ivan@acme.example": "not_started",
    }
    tests = [r for r in items if isinstance(r, PhishingTest)]
    assert [(t.campaign, t.final) for t in tests] == [
        *[("Monthly phishing baseline", True)] * 4,
        ("Recruiter and collaborator lures", True),
        ("Recruiter and collaborator lures", False),  # still open
    ]
    failed = sorted(
        (r.campaign[:8], r.person, r.failures) for r in items if isinstance(r, PhishingResult) and r.failures
    )
    assert failed == [
        ("'Collabo", "frank@acme.example", ("clicked",)),
        ("'Collabo", "mallory@acme.example", ("clicked",)),
        ("Fake inv", "dave@acme.example", ("clicked",)),
        ("Fake inv", "grace@acme.example", ("clicked",)),
        ("Fake inv", "mallory@acme.example", ("clicked",)),
        ("LinkedIn", "bob@acme.example", ("clicked",)),
        ("LinkedIn", "dave@acme.example", ("clicked", "data_entered")),
        ("Parcel h", "dave@acme.example", ("clicked",)),
        ("Parcel h", "frank@acme.example", ("clicked",)),
        ("Shared p", "dave@acme.example", ("attachment_opened", "macro_enabled")),
    ]
    # KnowBe4's figure per test is the demo's own count: failures over messages delivered
    assert [t.vendor_percentage for t in tests] == [25.0, 16.7, 16.7, 0.0, 25.0, 18.2]
    assert {r.person: r.percentage for r in items if isinstance(r, PhishProne)}["bob@acme.example"] == 33.3
