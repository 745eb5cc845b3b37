"""KnowBe4 mapper from payloads shaped like the Reporting API's: every enrolment status the
API and console use, an unknown one (kept as not_started and reported), user statuses,
recipients delivered, bounced, clicked without a delivery receipt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.knowbe4 import mapper
from collectors.training_category import DEFAULT_LURE_MODULES
from tests.collectors.knowbe4.payloads import load
from vaultward.contract.records import (
    PHISHING_FAILURES,
    PhishingResult,
    PhishingTest,
    PhishProne,
    TrainingRecord,
)

AS_OF = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_users_map_to_phish_prone_percentages():
    mapped = [mapper.map_user(raw, AS_OF) for raw in load("users.json")]
    assert mapped == [
        (
            PhishProne(
                key="knowbe4:user:1001",
                name="Alice Acme",
                source="knowbe4",
                person="alice@acme.example",
                percentage=0.0,
                as_of=AS_OF,
            ),
            [],
        ),
        (
            PhishProne(
                key="knowbe4:user:1002",
                name="Bob Acme",
                source="knowbe4",
                person="bob@acme.example",
                percentage=33.333,
                as_of=AS_OF,
            ),
            [],
        ),
        (None, []),  # archived: the person left
        (
            PhishProne(
                key="knowbe4:user:1004",
                name="Carol Acme",
                source="knowbe4",
                person="carol@acme.example",
                percentage=None,
                as_of=AS_OF,
            ),
            ["knowbe4 user 1004 (carol@acme.example): unknown status 'suspended'"],
        ),
    ]


def training(enrollment_id: int, person: str, module: str, **fields) -> TrainingRecord:
    return TrainingRecord(
        key=f"knowbe4:enrollment:{enrollment_id}",
        name=f"{person}: {module}",
        source="knowbe4",
        person=person,
        module=module,
        **fields,
    )


def test_enrollments_cover_every_status_and_category():
    mapped = [mapper.map_enrollment(raw, DEFAULT_LURE_MODULES) for raw in load("enrollments.json")]
    awareness = "Security Awareness Training 2026"
    assert mapped == [
        (
            training(
                5001, "alice@acme.example", awareness, status="passed", completed_at=utc(2026, 3, 3, 10, 30)
            ),
            [],
        ),
        (
            training(
                5002,
                "alice@acme.example",
                "Fake Recruiters and Poisoned Coding Tests",
                category="lure",
                status="completed",
                completed_at=utc(2026, 9, 25, 8, 0),
            ),
            [],
        ),
        (training(5003, "bob@acme.example", awareness, status="in_progress"), []),
        # the campaign name makes it lure training even though the module's name does not
        (training(5004, "bob@acme.example", "Phishing Basics", category="lure", status="not_started"), []),
        (training(5005, "carol@acme.example", awareness, status="past_due"), []),
        (
            training(
                5006,
                "carol@acme.example",
                "Deepfake Voice Calls",
                category="lure",
                status="failed",
                completed_at=utc(2026, 3, 2, 9, 40),  # naive timestamp: UTC
            ),
            [],
        ),
        (
            training(
                5007,
                "carol@acme.example",
                "Acceptable Use Policy",
                category="other",
                status="completed",
                completed_at=utc(2026, 3, 1, 9, 5),
            ),
            [],
        ),
        (
            training(
                5008,
                "bob@acme.example",
                awareness,
                status="not_started",
                raw_status="Excused",  # kept and flagged
                anomalies=["unknown status 'Excused' recorded as not_started"],
            ),
            ["knowbe4 enrollment 5008 (bob@acme.example): unknown status 'Excused' recorded as not_started"],
        ),
        (None, ["knowbe4 enrollment 5009 (no e-mail): no enrollment id or user e-mail, skipped"]),
        (
            training(5010, "alice@acme.example", awareness, status="passed"),
            [
                "knowbe4 enrollment 5010 (alice@acme.example): completion_date 'last spring' is not a timestamp"
            ],
        ),
    ]


def test_lure_modules_are_configurable():
    raw = load("enrollments.json")[0]
    record, _ = mapper.map_enrollment(raw, ["awareness training"])
    assert record is not None and record.category == "lure"


NONE_FAILED = dict.fromkeys(PHISHING_FAILURES, False)


def phishing(recipient_id: int, person: str, **fields) -> PhishingResult:
    return PhishingResult(
        key=f"knowbe4:pst:302:{recipient_id}",
        name=f"{person}: LinkedIn recruiter InMail",
        source="knowbe4",
        person=person,
        campaign="LinkedIn recruiter InMail",
        test="knowbe4:pst:302",
        **fields,
    )


def test_recipients_map_to_phishing_results_with_every_failure_knowbe4_counts():
    [test] = load("security_tests.json")
    mapped = [mapper.map_recipient(raw, test) for raw in load("recipients.json")]
    delivered = utc(2026, 10, 10, 9, 5)
    reached = dict(sent_at=delivered, delivered=True)
    assert mapped == [
        (phishing(9001, "alice@acme.example", **reached, **NONE_FAILED, reported=True), []),
        (
            phishing(
                9002,
                "bob@acme.example",
                **reached,
                **(NONE_FAILED | {"clicked": True, "data_entered": True}),
                reported=False,
            ),
            [],
        ),
        (phishing(9003, "carol@acme.example", **reached, **NONE_FAILED, reported=False), []),
        # bounced: never delivered, so nothing is known about the person
        (phishing(9004, "oscar@acme.example", sent_at=None, delivered=False), []),
        # a click proves delivery even without a delivery receipt
        (
            phishing(
                9005,
                "dave@acme.example",
                sent_at=None,
                delivered=True,
                **(NONE_FAILED | {"clicked": True}),
                reported=False,
            ),
            [],
        ),
        # opened the attachment, enabled its macro, replied and scanned the QR code: four
        # failures in one message ("qr_code_scanned" is a timestamp in the API's example)
        (
            phishing(
                9006,
                "erin@acme.example",
                **reached,
                **(
                    NONE_FAILED
                    | {
                        "attachment_opened": True,
                        "macro_enabled": True,
                        "replied": True,
                        "qr_code_scanned": True,
                    }
                ),
                reported=False,
            ),
            [],
        ),
    ]
    assert [record.failures for record, _ in mapped if record is not None] == [
        (),
        ("clicked", "data_entered"),
        (),
        None,
        ("clicked",),
        ("attachment_opened", "macro_enabled", "replied", "qr_code_scanned"),
    ]


def test_security_tests_map_with_knowbe4s_counts_and_the_campaign_name():
    [raw] = load("security_tests.json")
    names = mapper.campaign_names(load("campaigns.json"))
    assert names == {3401: "Recruiter lures, monthly", 3402: "One Time Phishing Security Test"}
    assert mapper.map_security_test(raw, names) == (
        PhishingTest(
            key="knowbe4:pst:302",
            name="LinkedIn recruiter InMail",
            source="knowbe4",
            campaign="Recruiter lures, monthly",
            campaign_id="3401",
            status="Closed",
            final=True,
            started_at=utc(2026, 10, 10, 9),
            scheduled=6,
            delivered=5,
            vendor_percentage=25.0,
        ),
        [],
    )
    # Without the campaign listing the name is unknown, nothing else.
    record, _ = mapper.map_security_test(raw, {})
    assert record is not None and record.campaign == "" and record.scheduled == 6


@pytest.mark.parametrize(
    ("changes", "final", "problems"),
    [
        ({"status": "Open"}, False, []),  # still sent or tracked (the campaign example's second PST)
        ({"status": "closed"}, True, []),
        (
            {"status": "Paused"},
            False,
            [
                "knowbe4 phishing test 302 ('LinkedIn recruiter InMail'): unknown status 'Paused', results not taken as final"
            ],
        ),
        (
            {"scheduled_count": "six", "started_at": "soon"},
            True,
            [
                "knowbe4 phishing test 302 ('LinkedIn recruiter InMail'): started_at 'soon' is not a timestamp",
                "knowbe4 phishing test 302 ('LinkedIn recruiter InMail'): scheduled_count 'six' is not a count",
            ],
        ),
    ],
)
def test_a_test_is_final_only_once_closed_and_odd_values_are_reported(changes, final, problems):
    record, found = mapper.map_security_test(load("security_tests.json")[0] | changes, {})
    assert record is not None and (record.final, found) == (final, problems)


def test_a_test_without_pst_id_is_skipped():
    assert mapper.map_security_test({"name": "x"}, {}) == (
        None,
        ["knowbe4 phishing test None ('x'): no pst_id, skipped with its recipients"],
    )


def test_a_malformed_recipient_timestamp_is_reported_not_raised():
    [test] = load("security_tests.json")
    raw = dict(load("recipients.json")[0], clicked_at=12345)
    assert mapper.map_recipient(raw, test) == (
        None,
        ["knowbe4 phishing test 302 recipient 9001 (alice@acme.example): 12345 is not a timestamp, skipped"],
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-04-02T15:02:38.000Z", utc(2019, 4, 2, 15, 2, 38)),
        ("2019-04-02T17:02:38+02:00", utc(2019, 4, 2, 15, 2, 38)),
        ("2019-04-02", utc(2019, 4, 2)),
        (None, None),
        ("", None),
    ],
)
def test_timestamps_are_aware(value, expected):
    assert mapper.parse_time(value) == expected


def test_a_name_part_that_is_not_text_is_kept_as_text():
    # Regression (property tests): " ".join raised TypeError on a list.
    raw = {
        "id": 7,
        "email": "x@acme.example",
        "status": "active",
        "first_name": ["Al"],
        "last_name": "Acme",
        "phish_prone_percentage": 1,
    }
    record, problems = mapper.map_user(raw, AS_OF)
    assert (record.name if record else None, problems) == ("['Al'] Acme", [])
