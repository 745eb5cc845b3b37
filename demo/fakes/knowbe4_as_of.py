"""The demo's KnowBe4 account as it read on an earlier day, for the demo's past weeks.

`demo_knowbe4_data(now)` dates everything back from `now`; `knowbe4_as_of(data, moment)`
is that account on `moment`: enrolments made after it do not exist yet, modules completed
after it are still in progress, phishing tests started after it were not sent yet, and a
test started less than its duration before it is still open.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from demo.fakes.knowbe4 import _stamp


def knowbe4_as_of(data: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """A copy of `data` (the API's shapes) as the Reporting API answered on `moment`."""
    now = _stamp(moment) or ""  # the API's timestamps compare as text
    enrollments = []
    for item in data["enrollments"]:
        if item["enrollment_date"] > now:
            continue
        if item["completion_date"] and item["completion_date"] > now:
            item = {**item, "status": "In Progress", "completion_date": None, "time_spent": 300}
        enrollments.append(item)
    tests = []
    for test in data["security_tests"]:
        if test["started_at"] > now:
            continue
        ends = datetime.fromisoformat(test["started_at"]) + timedelta(days=test["duration"])
        tests.append({**test, "status": "Open" if ends > moment else test["status"]})
    status = {test["pst_id"]: test["status"] for test in tests}
    campaigns = []
    for campaign in data["campaigns"]:
        runs = [
            {**run, "status": status[run["pst_id"]]} for run in campaign["psts"] if run["pst_id"] in status
        ]
        campaigns.append(
            {
                **campaign,
                "psts": runs,
                "psts_count": len(runs),
                "last_run": runs[-1]["start_date"] if runs else None,
                "last_phish_prone_percentage": runs[-1]["phish_prone_percentage"] if runs else 0.0,
            }
        )
    return {
        "users": copy.deepcopy(data["users"]),
        "enrollments": enrollments,
        "campaigns": campaigns,
        "security_tests": tests,
        "recipients": {test["pst_id"]: data["recipients"][test["pst_id"]] for test in tests},
    }
