"""Smoke test of benchmarks/evaluate_scale.py: the synthetic organisation evaluates with the
full catalog to the findings its records imply, on both stores, and the one command runs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import Session, select

from benchmarks.synthetic.store import Organisation, records, seed_facts, utc_now
from tests.benchmarks.command import run_benchmark
from vaultward.contract.records import Identity, TrainingRecord
from vaultward.derived.people import Directory
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.store.models import Finding

ORG = Organisation(identities=300, wallets=30, sg_rules=100)


def statuses(engine, evaluation_id: int, check_id: str) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Finding.status).where(Finding.evaluation_id == evaluation_id, Finding.check_id == check_id)
        ).all()
    return Counter(rows)


def test_the_synthetic_organisation_evaluates_to_what_its_records_imply(engine):
    now = utc_now()
    facts = seed_facts(engine, ORG, now)
    generated = [record for _, _, record in records(ORG, now)]
    assert facts == len(generated)
    settings = ORG.settings()
    summary = evaluate(settings, engine, discover(settings.plugin_dir), now=now)
    assert summary.problems == ()

    identities = [r for r in generated if isinstance(r, Identity)]
    # Every identity is in the findings; those that cannot sign in as not applicable.
    console = statuses(engine, summary.evaluation_id, "access.console_user_mfa")
    assert len(identities) == console.total()
    assert console["skipped"] == sum(1 for i in identities if i.suspended or i.console_access is False)
    # Password sign-in without MFA fails, account by account.
    no_mfa = [i for i in identities if not i.suspended and i.console_access and i.mfa_enrolled is False]
    assert statuses(engine, summary.evaluation_id, "access.console_user_mfa")["fail"] == len(no_mfa) > 0

    # People with no MFA in any source fail; a person is an e-mail across sources.
    directory = Directory(settings.policy.people)
    people = [p for p in directory.resolve(identities) if not p.machine and p.active_identities]
    without = [p for p in people if not any(i.mfa_enrolled for i in p.active_identities)]
    person = statuses(engine, summary.evaluation_id, "access.person_without_mfa")
    assert (person["fail"], person["pass"]) == (len(without), len(people) - len(without))

    # Awareness training: passed within a year, per person.
    passed = {
        r.person
        for r in generated
        if isinstance(r, TrainingRecord)
        and r.category == "awareness"
        and r.status == "passed"
        and r.completed_at is not None
        and now - r.completed_at <= timedelta(days=settings.policy.training.awareness_max_age_days)
    }
    awareness = statuses(engine, summary.evaluation_id, "training.awareness_recent")
    assert awareness["pass"] == len(passed & {p.email for p in people})
    assert awareness["pass"] + awareness["fail"] == len(people)


def test_the_benchmark_command_runs_at_smoke_size():
    done = run_benchmark("evaluate_scale.py")
    assert done.stdout.count("findings") >= 4  # a line per run and per size
    assert "time ratio 2S/S:" in done.stdout
