from datetime import timedelta

from checks.access.access_key_age import access_key_age
from tests.checks.run import run, statuses
from tests.factories import NOW, make_access_key


def test_old_unused_and_never_used_keys_fail():
    records = [
        make_access_key(
            key="fresh", created_at=NOW - timedelta(days=30), last_used_at=NOW - timedelta(days=1)
        ),
        make_access_key(key="old", created_at=NOW - timedelta(days=91), last_used_at=NOW - timedelta(days=1)),
        make_access_key(
            key="idle", created_at=NOW - timedelta(days=60), last_used_at=NOW - timedelta(days=91)
        ),
        make_access_key(key="never", created_at=NOW - timedelta(days=95), last_used_at=None),
        make_access_key(key="new-never", created_at=NOW - timedelta(days=5), last_used_at=None),
        make_access_key(key="inactive", active=False, created_at=NOW - timedelta(days=900)),
        make_access_key(key="undated", created_at=None, last_used_at=None),
    ]
    assert statuses(access_key_age, records) == {
        "fresh": "pass",
        "old": "fail",
        "idle": "fail",
        "never": "fail",
        "new-never": "pass",
        "undated": "unknown",
        "inactive": "skipped",
    }
    reasons = {r.resource: r.reason for r in run(access_key_age, records)}
    assert reasons["old"] == "active key not rotated for 91 days"
    assert reasons["never"] == "active key not rotated for 95 days and never used"
    assert reasons["idle"] == "active key unused for 91 days"
