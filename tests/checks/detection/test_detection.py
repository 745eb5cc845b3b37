from checks.detection.cloudtrail_logging import cloudtrail_logging
from checks.detection.guardduty_enabled import guardduty_enabled
from tests.checks.run import statuses
from tests.factories import make_account
from vaultward.records import ThreatDetector, Trail


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
