"""The Segmentation page shows zone conflicts (issue 15: contradictions are shown), from the
findings a real evaluation stored: facts served by a static collector, every built-in check."""

from __future__ import annotations

import pytest

from tests.dashboard.apptest import rendered_markdown, run_page
from tests.factories import make_conflicted_vpc, make_vpc, zone_rule
from tests.fake_collectors import registry_with
from vaultward.config.settings import Settings
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate

SCOPE = "aws:111111111111/us-east-1"


AGREEING = dict(
    key="vpc-prod", scope=SCOPE, classifications=[zone_rule("account", "production", "account 111111111111")]
)


def _evaluated(engine, records) -> tuple[str, ...]:
    registry = registry_with({SCOPE: records})
    collect(Settings(), engine, registry)
    return evaluate(Settings(), engine, registry).zone_conflicts


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def conflicted_url(engine, store: str) -> str:
    conflicts = _evaluated(
        engine, [make_conflicted_vpc(key="vpc-123", name="office-legacy", scope=SCOPE), make_vpc(**AGREEING)]
    )
    assert conflicts == (
        "vpc-123 (office-legacy) in account 111111111111 / us-east-1: account 111111111111 says production, "
        "tag env=corp says corporate; fix the tag or CIDR, or policy.zones",
    )
    return store


def test_the_segmentation_page_lists_each_conflict_with_what_each_rule_says(conflicted_url):
    at = run_page("mitigation", "segmentation")
    text = rendered_markdown(at)
    assert "Zone conflicts" in text
    assert "1 VPC(s) whose zone rules disagree" in text
    conflicts = at.dataframe[0].value
    assert conflicts.to_dict("records") == [
        {
            "vpc": "office-legacy",
            "scope": SCOPE,
            "rules": "account 111111111111 says production, tag env=corp says corporate",
            "status": "fail",
        }
    ]
    # The agreeing VPC is no conflict; the check's findings are on the page like any other.
    findings = at.dataframe[2].value
    assert set(findings[findings["resource_name"] == "office-legacy"]["check_title"]) >= {
        "Each VPC's zone rules agree (account, tags, CIDRs)"
    }


def test_other_pages_show_none(conflicted_url):
    assert "Zone conflicts" not in rendered_markdown(run_page("mitigation", "access"))


def test_no_section_when_every_vpc_agrees(engine, store):
    assert _evaluated(engine, [make_vpc(**AGREEING)]) == ()
    at = run_page("mitigation", "segmentation")
    assert "Zone conflicts" not in rendered_markdown(at)
