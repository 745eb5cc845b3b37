"""Fix first from a seeded store: severity before size, unknown-only checks apart with the
reason most of their findings give, and the line of what is fine."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from tests.factories import add_evaluation
from vaultward.read.actions import fix_first

MISSING = "no successful collection from knowbe4 for knowbe4:us: 401 Unauthorized"


def test_fix_first_orders_by_severity_and_sets_unknown_only_checks_apart(engine):
    with Session(engine) as session:
        evaluation = add_evaluation(
            session, datetime(2026, 12, 1, tzinfo=UTC), 50.0,
            check_scores=[
                {"check_id": "training.awareness_recent", "title": "Awareness", "severity": "medium",
                 "weight": 3.0, "failed": 30, "passed": 1},
                {"check_id": "access.root_mfa", "title": "Root MFA", "severity": "critical",
                 "weight": 3.0, "failed": 3, "owners": ["Cloud platform"]},
                {"check_id": "access.console_user_mfa", "title": "Console MFA", "severity": "high",
                 "weight": 2.0, "failed": 1, "unknown": 5},
                {"check_id": "training.lure_training", "title": "Lures", "severity": "high",
                 "weight": 2.0, "unknown": 3},
                {"check_id": "segmentation.no_admin_ports", "title": "Ports", "severity": "high",
                 "weight": 1.0, "passed": 4},
                {"check_id": "custody.hsm", "title": "HSM", "severity": "high", "weight": 1.0},  # judged nothing
                {"check_id": "detection.cloudtrail", "title": "Trail", "severity": "high", "weight": 1.0,
                 "passed": 3, "waived": 2},  # accepted, not fixed: not fine
            ],
            findings=[
                {"check_id": "training.lure_training", "status": "unknown", "message": MISSING},
                {"check_id": "training.lure_training", "status": "unknown", "message": MISSING},
                {"check_id": "training.lure_training", "status": "unknown", "message": "no e-mail"},
            ],
        )  # fmt: skip
        session.commit()
        work = fix_first(session, evaluation.id, {"access.root_mfa": "Enable MFA on root"})
    # Critical root MFA (3x3=9) above the bigger medium awareness gap (3x30=90).
    assert [(a.check_id, a.affected, a.owner) for a in work.actions] == [
        ("access.root_mfa", 3, "Cloud platform"),
        ("access.console_user_mfa", 6, ""),
        ("training.awareness_recent", 30, ""),
    ]
    assert work.actions[0].remediation == "Enable MFA on root"
    [needs] = work.needs_data
    assert (needs.check_id, needs.unknown) == ("training.lure_training", 3)
    assert needs.reason == f"{MISSING} (and 1 other reason)"
    assert work.fine_line() == (
        "1 of 6 checks pass on every resource they judge, none waived; nothing open in segmentation."
    )
