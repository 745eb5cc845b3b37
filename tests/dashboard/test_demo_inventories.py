"""The People and Wallets pages over `vaultward demo`'s own store, under AppTest: they show the
people and signers the checks judged. The demo serves without its configuration file, so a page
that resolved people again under the serving process's (empty) policy showed bob's Safe key as
"not tied to a person" and the IAM users alice, bob ... as extra people (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from demo.run import DEMO_PEOPLE
from tests.dashboard.apptest import run_page
from vaultward.store.models import Evaluation, Finding

pytestmark = pytest.mark.slow
VAULTWARD = str(Path(sys.executable).parent / "vaultward")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> str:
    """The URL of the store `vaultward demo --no-serve` collected and evaluated."""
    data_dir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("VAULTWARD_CONFIG", "VAULTWARD_DATABASE_URL")}
    done = subprocess.run(
        [VAULTWARD, "demo", "--no-serve", "--weeks", "1", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return f"sqlite:///{data_dir / 'vaultward.db'}"


def signers_named_by_checks(url: str) -> dict[str, dict[str, str | None]]:
    """wallet key -> signer id -> the person the custody checks tied it to (None: nobody), from
    the evidence of the latest evaluation's findings."""
    engine = create_engine(url)
    with Session(engine) as session:
        latest = session.exec(select(Evaluation.id).order_by(col(Evaluation.id).desc())).first()
        findings = session.exec(
            select(Finding).where(
                Finding.evaluation_id == latest, col(Finding.check_id).startswith("custody.")
            )
        ).all()
    engine.dispose()
    named: dict[str, dict[str, str | None]] = {}
    for finding in findings:
        signers = finding.evidence.get("signers")
        if isinstance(signers, dict):
            for signer, about in signers.items():
                named.setdefault(finding.resource, {})[signer] = about.get("person")
    return named


def table(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


@pytest.fixture
def demo_url(demo_store: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", demo_store)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no vaultward.toml: the demo's policy is not there to read
    return demo_store


def test_every_signer_the_custody_checks_name_is_the_same_person_on_the_wallets_page(demo_url):
    named = signers_named_by_checks(demo_url)
    people = {person for signers in named.values() for person in signers.values() if person}
    assert {"alice@acme.example", "bob@acme.example"} <= people  # the checks tie the demo's signers

    wallets = table(run_page("wallets"), "threshold").set_index("key")
    for wallet, signers in named.items():
        shown = wallets.loc[wallet, "signers"]
        for signer, person in signers.items():
            if person:
                assert f"{person} (" in shown, (wallet, signer, person, shown)
                assert f"{signer} (" not in shown, (wallet, signer, shown)  # never "not tied to a person"
            else:
                assert f"{signer} (" in shown and "not tied to a person" in shown, (wallet, signer, shown)

    everyone = table(run_page("people"), "person").set_index("person")
    for person in people:
        assert everyone.loc[person, "signer_for"], person  # the People page says what they sign


def test_iam_users_are_the_people_the_alias_table_names_not_extra_people(demo_url):
    at = run_page("people")
    at.checkbox(key="people_machines").check().run()
    everyone = table(at, "person").set_index("person")
    assert not set(DEMO_PEOPLE) & set(everyone.index)  # no person named after a bare IAM user
    for name in ("alice", "dave", "erin"):
        assert f"aws_iam: {name}" in everyone.loc[f"{name}@acme.example", "identities"]
