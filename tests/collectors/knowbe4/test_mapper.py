"""KnowBe4 mapper from payloads shaped like the Reporting API's: every enrolment status the
API and console use, an unknown one (kept as not_started and reported), user statuses,
recipients delivered, bounced, clicked without a delivery receipt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.knowbe4 import mapper
from collectors.training_category import DEFAULT_LURE_MODULES
from tests.collectors.knowbe4.payloads import load
from vaultward.records import PhishingResult, PhishProne, TrainingRecord

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


def phishing(recipient_id: int, person: str, **fields) -> PhishingResult:
    return PhishingResult(
        key=f"knowbe4:pst:302:{recipient_id}",
        name=f"{person}: LinkedIn recruiter InMail",
        source="knowbe4",
        person=person,
        campaign="LinkedIn recruiter InMail",
        **fields,
    )


def test_recipients_map_to_phishing_results():
    [test] = load("security_tests.json")
    mapped = [mapper.map_recipient(raw, test) for raw in load("recipients.json")]
    delivered = utc(2026, 10, 10, 9, 5)
    assert mapped == [
        (
            phishing(
                9001,
                "alice@acme.example",
                sent_at=delivered,
                clicked=False,
                reported=True,
                data_entered=False,
            ),
            [],
        ),
        (
            phishing(
                9002, "bob@acme.example", sent_at=delivered, clicked=True, reported=False, data_entered=True
            ),
            [],
        ),
        (
            phishing(
                9003,
                "carol@acme.example",
                sent_at=delivered,
                clicked=False,
                reported=False,
                data_entered=False,
            ),
            [],
        ),
        # bounced: never delivered, so nothing is known about the person
        (
            phishing(
                9004, "oscar@acme.example", sent_at=None, clicked=None, reported=None, data_entered=None
            ),
            [],
        ),
        # a click proves delivery even without a delivery receipt
        (
            phishing(
                9005, "dave@acme.example", sent_at=None, clicked=True, reported=False, data_entered=False
            ),
            [],
        ),
    ]


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
