from checks.detection.cloudtrail_logging import cloudtrail_logging
from checks.detection.guardduty_enabled import guardduty_enabled
from tests.checks.run import run, statuses
from tests.factories import make_account, make_org_account
from vaultward.contract.records import ThreatDetector, Trail


def trail(name: str, account: str, **fields) -> Trail:
    values = {"key": f"arn:aws:cloudtrail:us-east-1:{account}:trail/{name}", "name": name, "account": account}
    values.update({"multi_region": True, "logging": True, **fields})
    return Trail(**values)


def test_each_account_needs_a_logging_multi_region_trail():
    records = [
        make_account(account_id="111111111111"),
        make_account(account_id="222222222222"),
        make_account(account_id="333333333333"),
        make_account(account_id="444444444444"),
        trail("main", "111111111111"),
        trail("stopped", "222222222222", logging=False),
        trail("regional", "333333333333", multi_region=False),
    ]
    assert statuses(cloudtrail_logging, records) == {
        "aws:111111111111": "pass",
        "aws:222222222222": "fail",
        "aws:333333333333": "fail",
        "aws:444444444444": "fail",
    }
    records.append(trail("org", "111111111111", organization_trail=True))
    assert set(statuses(cloudtrail_logging, records).values()) == {"pass"}


def test_guardduty_per_region():
    records = [
        ThreatDetector(key="a", account="1", region="us-east-1", detector_id="d1", enabled=True),
        ThreatDetector(key="b", account="1", region="eu-west-1", detector_id="d2", enabled=False),
        ThreatDetector(key="c", account="2", region="us-east-1", enabled=False),
    ]
    assert statuses(guardduty_enabled, records) == {"a": "pass", "b": "fail", "c": "fail"}


def test_accounts_are_named_as_people_know_them_or_by_their_id():
    """Issue 16: the Organizations name, else the IAM alias, else the id alone."""
    records = [
        make_account(account_id="111111111111", alias="acme-prod", name="acme-prod"),
        make_account(account_id="222222222222", alias="acme-corp", name="acme-corp"),
        make_account(account_id="333333333333", alias="", name="333333333333"),
        make_org_account(account_id="111111111111", name="prod-payments"),
        trail("main", "111111111111"),
    ]
    results = {r.resource: r for r in run(cloudtrail_logging, records)}
    assert results["aws:111111111111"].resource_name == "prod-payments"
    assert results["aws:111111111111"].evidence["account_name"] == "prod-payments"
    assert results["aws:222222222222"].reason == (
        'no multi-region trail is logging for account "acme-corp" (222222222222)'
    )
    assert results["aws:222222222222"].resource_name == "acme-corp"
    bare = results["aws:333333333333"]
    assert (bare.reason, bare.resource_name) == (
        "no multi-region trail is logging for account 333333333333",
        "333333333333",
    )
    assert bare.evidence == {"trails": [], "account": "333333333333"}


def test_guardduty_names_the_account_and_region():
    records = [
        ThreatDetector(key="a", account="111111111111", region="us-east-1", detector_id="d1", enabled=False),
        ThreatDetector(key="b", account="222222222222", region="eu-west-1", enabled=False),
        make_org_account(account_id="111111111111", name="prod-payments"),
    ]
    results = {r.resource: r for r in run(guardduty_enabled, records)}
    assert results["a"].reason == 'detector suspended in us-east-1 of account "prod-payments" (111111111111)'
    assert results["a"].evidence == {
        "detector": "d1",
        "account": "111111111111",
        "account_name": "prod-payments",
    }
    assert results["b"].reason == "no detector in eu-west-1 of account 222222222222"
