"""Retention: old evaluations lose their findings (a week's last evaluation keeps them, so
its report is rebuilt byte for byte), superseded runs lose their facts (each scope's latest
usable run keeps them, so the next evaluation is unchanged), and scores and runs stay."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from tests.factories import add_evaluation, make_account, make_identity
from tests.fake_collectors import registry_with
from tests.test_cli import vaultward
from vaultward.config.settings import RetentionConfig, Settings, parse_settings
from vaultward.ops.retention import prune
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.reporting.files import build_report, iso_week_of
from vaultward.store.models import Fact, Finding, MitigationScore, Run, utcnow

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _history(engine) -> list[tuple[int, datetime]]:
    """60 days of two evaluations a day, each with one failing finding and a score."""
    made = []
    with Session(engine) as session:
        for day in range(60, 0, -1):
            for hour in (6, 18):
                started = (NOW - timedelta(days=day)).replace(hour=hour)
                evaluation = add_evaluation(
                    session, started, overall=50.0, mitigation_scores={"access": 50.0},
                    check_scores=[{"check_id": "access.root_mfa", "failed": 1}],
                    findings=[{"check_id": "access.root_mfa", "status": "fail", "resource": f"aws:{day}",
                               "message": "no MFA", "severity": "critical"}],
                )  # fmt: skip
                made.append((evaluation.id, started))
        session.commit()
    return made


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_old_findings_go_but_each_weeks_last_evaluation_keeps_them(engine):
    made = _history(engine)
    old_week = iso_week_of(NOW - timedelta(days=45))
    report_before = build_report(engine, old_week).to_json()
    last_of_week: dict[str, tuple[datetime, int]] = {}
    for evaluation_id, started in made:
        week = iso_week_of(started)
        last_of_week[week] = max(last_of_week.get(week, (started, evaluation_id)), (started, evaluation_id))
    kept_weekly = {evaluation_id for _, evaluation_id in last_of_week.values()}
    cutoff = NOW - timedelta(days=30)
    expired = {e for e, started in made if started < cutoff} - kept_weekly

    dry = prune(engine, RetentionConfig(findings_days=30, facts_days=0), NOW, dry_run=True)
    assert (dry.evaluations, dry.findings) == (len(expired), len(expired))
    assert _count(engine, Finding) == len(made)  # a dry run deletes nothing

    pruned = prune(engine, RetentionConfig(findings_days=30, facts_days=0), NOW)
    assert (pruned.evaluations, pruned.findings) == (len(expired), len(expired))
    with Session(engine) as session:
        remaining = set(session.exec(select(Finding.evaluation_id)).all())
    assert remaining == {e for e, _ in made} - expired
    assert {e for e, started in made if started >= cutoff} <= remaining  # the last 30 days: all
    assert _count(engine, MitigationScore) == len(made)  # scores (trends) stay
    assert build_report(engine, old_week).to_json() == report_before
    assert prune(engine, RetentionConfig(findings_days=30, facts_days=0), NOW).findings == 0  # idempotent


def test_superseded_runs_lose_their_facts_and_the_next_evaluation_is_unchanged(engine):
    denied = RuntimeError("sts:AssumeRole denied")
    first = {
        "aws:1": [make_identity(key="alice"), make_account(account_id="1")],
        "aws:2": [make_identity(key="bob")],
    }
    later = {
        "aws:1": [make_identity(key="alice", mfa_enrolled=True), make_account(account_id="1")],
        "aws:2": [denied],
    }
    ages = []
    for plan, days in ((first, 40), (later, 35), (later, 0)):
        collect(Settings(), engine, registry_with(plan))
        with Session(engine) as session:
            runs = session.exec(
                select(Run.id).where(col(Run.id).not_in([i for group in ages for i in group]))
            ).all()
            session.exec(  # type: ignore[call-overload]
                update(Run).where(col(Run.id).in_(runs))
                .values(started_at=utcnow() - timedelta(days=days), finished_at=utcnow() - timedelta(days=days))
            )  # fmt: skip
            session.commit()
        ages.append(runs)
    registry = registry_with(later)
    before = evaluate(Settings(), engine, registry)
    with Session(engine) as session:
        scope_of = {r.id: (r.scope, r.status) for r in session.exec(select(Run)).all()}
    # Superseded: the first two discoveries and aws:1's first two runs. aws:2's only usable run
    # (40 days old, failed since) keeps its facts: the evaluation still judges from them.
    gone = [r for r in ages[0] + ages[1] if scope_of[r][0] != "aws:2"]
    facts_of_gone = _count(engine, Fact, col(Fact.run_id).in_(gone))

    pruned = prune(engine, RetentionConfig(findings_days=0, facts_days=30), utcnow())
    assert (pruned.runs, pruned.facts) == (len(gone), facts_of_gone)
    assert _count(engine, Fact, col(Fact.run_id).in_(gone)) == 0
    with Session(engine) as session:
        kept = set(session.exec(select(Fact.run_id)).all())
    aws2 = [r for r in ages[0] if scope_of[r][0] == "aws:2"]
    assert set(aws2) <= kept and set(ages[2]) - {r for r in ages[2] if scope_of[r][1] == "failed"} <= kept
    assert _count(engine, Run) == len(scope_of)  # run history stays

    after = evaluate(Settings(), engine, registry)
    assert _judged(engine, after.evaluation_id) == _judged(engine, before.evaluation_id)
    # aws:2's 40-day-old facts still count, as stale: pruning did not turn them into "no data".
    assert any(
        f[1] == "bob" and f[2] == "unknown" and "stale" in f[3] for f in _judged(engine, after.evaluation_id)
    )


def _judged(engine, evaluation_id: int) -> list[tuple[str, str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.evaluation_id == evaluation_id)).all()
        return sorted((f.check_id, f.resource, f.status, f.message) for f in rows)


def test_zero_days_keeps_everything_and_the_section_validates(engine):
    _history(engine)
    assert prune(engine, RetentionConfig(findings_days=0, facts_days=0), NOW).findings == 0
    assert _count(engine, Finding) == 120
    settings = parse_settings({"retention": {"findings_days": 90, "schedule": "cron: 0 4 * * *"}})
    assert settings.retention.findings_days == 90 and settings.retention.facts_days == 30


def test_prune_command_dry_run_names_what_would_go(tmp_path, database_url, engine):
    _history(engine)
    done = vaultward("prune", "--dry-run", env={"VAULTWARD_DATABASE_URL": database_url}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "would have pruned" in done.stdout and "findings of" in done.stdout
    assert _count(engine, Finding) == 120


def test_completed_queue_rounds_older_than_the_facts_go_with_their_tasks(engine):
    from vaultward.contract.sdk import Scope
    from vaultward.pipeline import rounds
    from vaultward.store.models import CollectionRound, RoundTask
    from vaultward.store.unit_of_work import in_unit_of_work

    made = []
    for days in (40, 1):
        round_id = in_unit_of_work(engine, rounds.open_round, "static", utcnow() - timedelta(days=days))
        in_unit_of_work(
            engine, rounds.record_scopes, round_id, [Scope("static", "aws:1"), Scope("static", "aws:2")]
        )
        for scope in ("aws:1", "aws:2"):
            in_unit_of_work(engine, rounds.finish_task, round_id, scope)
        assert in_unit_of_work(engine, rounds.complete_round, round_id)
        with Session(engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(CollectionRound).where(col(CollectionRound.id) == round_id)
                .values(completed_at=utcnow() - timedelta(days=days))
            )  # fmt: skip
            session.commit()
        made.append(round_id)
    assert prune(engine, RetentionConfig(findings_days=0, facts_days=30), utcnow(), dry_run=True).rounds == 1
    assert _count(engine, RoundTask) == 4
    pruned = prune(engine, RetentionConfig(findings_days=0, facts_days=30), utcnow())
    assert pruned.rounds == 1 and "1 completed queue round(s)" in pruned.line()
    with Session(engine) as session:
        assert session.exec(select(CollectionRound.id)).all() == [made[1]]
        assert set(session.exec(select(RoundTask.round_id)).all()) == {made[1]}


def test_the_commented_example_section_is_valid():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "vaultward.example.toml").read_text()
    block = text[text.index("# [retention]") :].split("\n\n", 1)[0]
    settings = parse_settings(
        tomllib.loads("\n".join(line.removeprefix("# ") for line in block.splitlines()))
    )
    assert settings.retention == RetentionConfig()  # the example shows the defaults


def test_the_complete_run_an_incomplete_one_carries_forward_keeps_its_facts(engine):
    from vaultward.contract.sdk import Problem

    complete = {"aws:1": [make_identity(key="alice"), make_identity(key="bob", mfa_enrolled=False)]}
    broken = {"aws:1": [make_identity(key="alice"), Problem("page 2 failed", ("identity",))]}
    for plan, days in ((complete, 10), (broken, 0)):
        collect(Settings(), engine, registry_with(plan))
        with Session(engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(Run).where(col(Run.finished_at) > utcnow() - timedelta(minutes=5))
                .values(finished_at=utcnow() - timedelta(days=days))
            )  # fmt: skip
            session.commit()
    with Session(engine) as session:
        carried = session.exec(select(Run.id).where(Run.scope == "aws:1", Run.status == "ok")).one()
    pruned = prune(engine, RetentionConfig(findings_days=0, facts_days=7), utcnow())
    # Only the superseded discovery goes: bob is read from the complete run until it is stale.
    assert _count(engine, Fact, col(Fact.run_id) == carried) == 2
    assert pruned.runs == 1


def test_old_evaluations_lose_their_inventories_with_their_findings(engine):
    from vaultward.store.models import InventoryCustody, InventoryIssue, InventoryPerson

    made = []
    with Session(engine) as session:
        for hour in (6, 18):  # the same old week: the 18:00 one is its last, kept for its report
            started = (NOW - timedelta(days=45)).replace(hour=hour)
            evaluation = add_evaluation(
                session, started, overall=50.0,
                findings=[{"check_id": "access.root_mfa", "status": "fail", "resource": "aws:1",
                           "message": "no MFA", "severity": "critical"}],
            )  # fmt: skip
            session.add(InventoryPerson(evaluation_id=evaluation.id, person_id="a@x.io", name="a@x.io",
                                        identity_class="employee"))  # fmt: skip
            session.add(InventoryCustody(evaluation_id=evaluation.id, kind="wallet", key="safe:1", name="cold",
                                         provider="safe", scope="safe:eth"))  # fmt: skip
            session.add(InventoryIssue(evaluation_id=evaluation.id, inventory="person", subject_id="a@x.io",
                                       check_id="access.root_mfa", status="fail", severity="critical",
                                       message="no MFA"))  # fmt: skip
            made.append(evaluation.id)
        session.commit()
    expired, kept = made

    pruned = prune(engine, RetentionConfig(findings_days=30, facts_days=0), NOW)
    assert pruned.evaluations == 1
    for model in (InventoryPerson, InventoryCustody, InventoryIssue):
        with Session(engine) as session:
            assert set(session.exec(select(model.evaluation_id)).all()) == {kept}, model
