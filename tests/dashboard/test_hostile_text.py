"""Names and messages from sources are data, not markup: a user called `<script>…` or a
message with markdown links is shown verbatim as text, never rendered, on every page that
shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.dashboard.apptest import rendered_markdown, run_page
from tests.factories import add_evaluation, add_run
from vaultward.store.models import Waiver

SCRIPT = "<script>alert('pwned')</script>"
IMG = "<img src=x onerror=alert(1)>"
MARKDOWN = "**pwned** [click me](javascript:alert(1)) :red[alarm]"
HOSTILE = (SCRIPT, IMG, MARKDOWN)


@pytest.fixture
def hostile_url(engine, database_url, monkeypatch) -> str:
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.add(
            Waiver(check_id="access.root_mfa", resource_pattern=SCRIPT, reason=MARKDOWN, owner="a@b.c",
                   created_at=now, expires_at=now + timedelta(days=3))
        )  # fmt: skip
        add_evaluation(
            session,
            now - timedelta(minutes=5),
            overall=40.0,
            band="weak",
            mitigation_scores={"access": {"score": 40.0, "check_count": 1, "passed": 0, "failed": 1}},
            check_scores=[{"check_id": "access.root_mfa", "weight": 3.0, "score": 0.0, "failed": 1}],
            findings=[
                {"check_id": "access.root_mfa", "status": "fail", "resource": SCRIPT, "resource_name": SCRIPT,
                 "scope": IMG, "message": MARKDOWN, "evidence": {"name": SCRIPT}},
            ],
        )  # fmt: skip
        add_run(
            session,
            "okta",
            IMG,
            "failed",
            now - timedelta(minutes=9),
            now - timedelta(minutes=8),
            error=SCRIPT,
        )
        session.commit()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url


def test_hostile_strings_are_text_everywhere(hostile_url):
    mitigation = run_page("mitigation", "access")
    assert list(mitigation.dataframe[1].value["resource_name"]) == [SCRIPT]
    assert list(mitigation.dataframe[1].value["message"]) == [MARKDOWN]
    texts = [t.value for t in mitigation.text]
    assert f"Resource {SCRIPT} in scope {IMG}" in texts and MARKDOWN in texts
    assert SCRIPT in mitigation.json[0].value

    overview = run_page("overview")  # a row per source, its first error as text
    assert SCRIPT in list(overview.dataframe[-1].value["First error"])
    sources = run_page("sources")  # a row per scope
    scopes = next(t.value for t in sources.dataframe if "Run status" in t.value.columns)
    assert SCRIPT in list(scopes["Error"]) and IMG in list(scopes["Scope"])

    waivers = run_page("waivers")
    table = waivers.dataframe[0].value
    assert list(table["resource_pattern"]) == [SCRIPT] and list(table["reason"]) == [MARKDOWN]

    for at in (mitigation, overview, waivers):
        shown = rendered_markdown(at)
        for hostile in HOSTILE:
            assert hostile not in shown, f"{hostile!r} reached a markdown element"
