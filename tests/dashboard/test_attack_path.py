"""The Attack path page under AppTest: the stage scores shown are those of the seeded store's
check scores (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.factories import add_evaluation
from vaultward.read.attack_path import STAGES, score_stages
from vaultward.store.models import CheckScore, Evaluation

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 30
STAGE_LABELS = [f"{n}. {stage.title}" for n, stage in enumerate(STAGES, start=1)]


def run_page() -> AppTest:
    at = AppTest.from_string(
        "from dashboard.app_pages.attack_path import render\nrender()\n", default_timeout=TIMEOUT
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_stage_scores(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in STAGE_LABELS}


def expected_stage_scores(engine) -> dict[str, str]:
    """The stage scores computed from the latest evaluation's CheckScores in the store."""
    with Session(engine) as session:
        latest = session.exec(select(Evaluation).order_by(Evaluation.started_at.desc())).first()  # type: ignore[attr-defined]
        scores = session.exec(select(CheckScore).where(CheckScore.evaluation_id == latest.id)).all()
        stages = score_stages(scores)
    return {
        label: f"{stage.score:.1f}" if stage.measured else "No data"
        for label, stage in zip(STAGE_LABELS, stages, strict=True)
    }


def page_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_stage_scores_are_those_of_the_stored_check_scores(seeded_url, engine):
    at = run_page()
    shown = shown_stage_scores(at)
    assert shown == expected_stage_scores(engine)
    # The seeded checks cite no ATT&CK technique, so each stops its mitigation's stage:
    # workstation = access: root_mfa 60 (weight 3) and privileged_phishing_resistant 20 (2).
    assert shown == {
        "1. Lure": "No data",  # training.lure_training: 10 unknown, nothing judged
        "2. Malicious document or link": "No data",  # no check stops it here
        "3. Compromised workstation and credentials": "44.0",  # (60x3 + 20x2) / 5
        "4. Lateral movement to production": "100.0",  # segmentation.no_admin_ports
        "5. Signing path and hot wallets": "80.0",  # custody.multisig_threshold
    }
    text = page_text(at)
    assert "No check on this store stops this stage." in text
    assert "Its checks judged no resource" in text
    for technique in ("T1566.003", "T1204.002", "T1078", "T1021", "T1657"):
        assert f"`{technique}`" in text
    assert ":red-badge[Weak]" in text  # 44.0
    assert ":green-badge[Strong]" in text  # 100.0


@pytest.fixture
def cited_url(engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store whose checks cite ATT&CK techniques, one title a would-be markup."""
    with Session(engine) as session:
        add_evaluation(
            session,
            datetime.now(UTC) - timedelta(hours=1),
            overall=50.0,
            band="weak",
            mitigation_scores={"access": 30.0, "training": 50.0},
            check_scores=[
                {"check_id": "access.privileged_phishing_resistant", "weight": 2.0, "score": 20.0,
                 "passed": 1, "failed": 4, "references": ["attack:T1566.002", "attack:T1621"]},
                {"check_id": "training.awareness_recent", "title": "<b>Trained</b> :red[now]",
                 "weight": 1.0, "score": 50.0, "passed": 5, "failed": 5, "references": ["attack:T1566"]},
            ],
        )  # fmt: skip
        session.commit()
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", database_url)
    return database_url


def test_checks_stop_the_stages_of_the_techniques_they_cite(cited_url, engine):
    at = run_page()
    shown = shown_stage_scores(at)
    assert shown == expected_stage_scores(engine)
    assert shown["1. Lure"] == "50.0"  # awareness_recent, via T1566
    assert shown["2. Malicious document or link"] == "30.0"  # (20x2 + 50x1) / 3
    assert shown["3. Compromised workstation and credentials"] == "20.0"  # via T1621
    text = page_text(at)
    assert "cites T1566\\.002" in text
    # The title is escaped: shown as its characters, never as HTML or a coloured directive.
    assert "\\<b\\>Trained\\<" in text
    assert ":red[now]" not in text


def test_the_app_registers_the_page_with_each_control_linked_to_its_findings(seeded_url, engine):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # AppTest.switch_page only knows file pages: reach the callable page by its registry.
    paths = [info.get("url_pathname") for info in at._registered_pages.values()]
    assert paths[:2] == ["", "attack-path"]  # under Readiness, after the overview
    at._page_hash = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == "attack-path")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Attack path"
    assert shown_stage_scores(at) == expected_stage_scores(engine)
    links = [link.proto for link in at.get("page_link")]
    # One link per control: root_mfa and privileged_phishing_resistant (access),
    # lure_training, no_admin_ports, multisig_threshold.
    assert [link.label for link in links] == ["Findings"] * 5
    assert sorted((link.page, link.query_string) for link in links) == [
        ("access", "check=access.privileged_phishing_resistant"),
        ("access", "check=access.root_mfa"),
        ("custody", "check=custody.multisig_threshold"),
        ("segmentation", "check=segmentation.no_admin_ports"),
        ("training", "check=training.lure_training"),
    ]
