from checks.segmentation.zone_classification_consistent import zone_classification_consistent
from tests.checks.run import run, statuses
from tests.factories import make_conflicted_vpc, make_org_account, make_vpc, zone_rule


def test_a_conflict_fails_naming_every_rule_and_the_fix():
    records = [make_conflicted_vpc(key="vpc-123", account="111111111111")]
    [result] = run(zone_classification_consistent, records)
    assert (result.resource, result.status) == ("vpc-123", "fail")
    assert result.reason == (
        "account 111111111111 says production, tag env=corp says corporate: "
        "fix the tag or CIDR, or policy.zones"
    )
    assert result.evidence == {
        "classifications": ["account 111111111111 says production", "tag env=corp says corporate"],
        "candidates": ["production", "corporate"],
        "account": "111111111111",
    }


def test_an_account_rule_names_the_account():
    records = [
        make_conflicted_vpc(key="vpc-123", account="111111111111"),
        make_org_account(account_id="111111111111", name="prod-payments"),
    ]
    [result] = run(zone_classification_consistent, records)
    named = 'account "prod-payments" (111111111111) says production'
    assert result.reason == f"{named}, tag env=corp says corporate: fix the tag or CIDR, or policy.zones"
    assert result.evidence["classifications"] == [named, "tag env=corp says corporate"]
    assert result.evidence["account_name"] == "prod-payments"


def test_agreeing_rules_pass_unmatched_is_not_applicable_old_facts_unknown():
    agreeing = [
        zone_rule("account", "production", "account 111111111111"),
        zone_rule("tag", "production", "tag Environment=prod"),
    ]
    records = [
        make_vpc(key="vpc-agree", classifications=agreeing),
        make_vpc(key="vpc-none", zone="unknown"),
        # Stored before classifications were recorded: its rules cannot be compared.
        make_vpc(key="vpc-old", zone="corporate", zone_reason="tag Zone=corporate"),
    ]
    assert statuses(zone_classification_consistent, records) == {
        "vpc-agree": "pass",
        "vpc-none": "skipped",
        "vpc-old": "unknown",
    }
    results = {r.resource: r for r in run(zone_classification_consistent, records)}
    assert results["vpc-agree"].reason == (
        "production: account 111111111111 says production, tag Environment=prod says production"
    )
    assert results["vpc-old"].reason.startswith("corporate (tag Zone=corporate), collected before")
