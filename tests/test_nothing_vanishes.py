"""Nothing vanishes (issue 15 point 4): every collected record of a kind a check judges
(`CheckSpec.judged_kinds`) appears in that check's findings, as pass, fail, unknown or not
applicable with its reason. Run over the demo estate and the second estate (Northwind).

A record is mentioned by its key, or by the person it belongs to: an identity by the person
it resolves to (vaultward.derived.people), a training or phish-prone record by its person's e-mail,
a device by the machine it is part of or the people using it (vaultward.derived.devices).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from demo.organisation import seed_demo_organisation
from demo.run import demo_settings
from demo.saas import saas_fakes
from tests.estates.second.conftest import northwind  # noqa: F401 (the fixture)
from tests.estates.second.estate import NorthwindEstate
from vaultward.config.settings import Settings
from vaultward.contract.records import Device, Identity
from vaultward.derived.devices import Devices
from vaultward.derived.people import Directory
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.evidence import latest_facts
from vaultward.pipeline.registry import Registry, discover
from vaultward.store.db import open_store
from vaultward.store.models import Evaluation, Finding

REGISTRY = discover(entry_point_groups=False)


def vanished(settings: Settings, engine: Engine, registry: Registry, evaluation_id: int) -> list[str]:
    """(check, kind, key) of each judged record no finding of its check mentions."""
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.evaluation_id == evaluation_id)).all()
        evaluation = session.get(Evaluation, evaluation_id)
        assert evaluation is not None
        evidence = latest_facts(session, settings, evaluation.started_at, sorted(registry.collectors))
    mentioned: dict[str, set[str]] = defaultdict(set)
    for finding in rows:
        mentioned[finding.check_id].add(finding.resource)
    directory = Directory(settings.policy.people)
    identities = evidence.records.get(Identity.kind, [])
    person_of = {
        identity.key: person.id
        for person in directory.resolve(identities)
        for identity in person.identities  # type: ignore[arg-type]
    }

    devices = Devices(
        evidence.records.get(Device.kind, []),  # type: ignore[arg-type]
        directory,
        settings.policy.endpoints.edr_sources,
    )

    def names(record) -> set[str]:
        found = {record.key}
        if record.kind == Device.kind:
            machine = devices.by_key[record.key]
            found |= {machine.id, *machine.owners}
        if record.key in person_of and record.kind == Identity.kind:
            found.add(person_of[record.key])
        if isinstance(getattr(record, "person", None), str):
            found.add(directory.email_of(record.person))
        return found

    missing = []
    for spec in sorted(registry.checks.values(), key=lambda s: s.id):
        for kind in spec.judged_kinds:
            for record in evidence.records.get(kind, []):
                if not names(record) & mentioned[spec.id]:
                    missing.append(f"{spec.id} {kind} {record.key} ({record.scope})")
    return missing


@pytest.fixture
def demo_estate(moto_endpoint: str, tmp_path: Path) -> Iterator[Settings]:
    organisation = seed_demo_organisation(moto_endpoint)
    with (
        saas_fakes(tmp_path, organisation.accounts["production"]) as saas,
        pytest.MonkeyPatch.context() as patch,
    ):
        for name, value in saas.environment.items():
            patch.setenv(name, value)
        yield demo_settings(organisation.settings_dict(), saas, tmp_path, 8501)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """One SQLite store: the contract is the catalog's, the exactness tests cover both stores."""
    store = open_store(f"sqlite:///{tmp_path / 'vanish.db'}")
    yield store
    store.dispose()


def test_nothing_vanishes_from_the_demo_estate(engine, demo_estate: Settings):
    collect(demo_estate, engine, REGISTRY)
    summary = evaluate(demo_estate, engine, REGISTRY)
    assert not (missing := vanished(demo_estate, engine, REGISTRY, summary.evaluation_id)), "\n".join(missing)


def test_nothing_vanishes_from_the_second_estate(engine, northwind: NorthwindEstate):  # noqa: F811
    collect(northwind.settings, engine, REGISTRY)
    summary = evaluate(northwind.settings, engine, REGISTRY)
    missing = vanished(northwind.settings, engine, REGISTRY, summary.evaluation_id)
    assert not missing, "\n".join(missing)


def test_nothing_vanishes_from_an_estate_of_devices(engine):
    """Devices joined across sources, a signer's, a developer's, one tied to nobody and a
    retired one: each of their records appears in every check judging devices."""
    from tests.factories import (
        NOW,
        make_device,
        make_edr_device,
        make_identity,
        make_signin_event,
        make_signin_log,
    )
    from tests.fake_collectors import registry_with
    from vaultward.config.settings import parse_settings

    plan = {
        "okta:acme": [
            make_identity(key="okta:1", source="okta", scope="okta:acme", email="admin@acme.example", privileged=True),
            make_identity(key="okta:2", source="okta", scope="okta:acme", email="dev@acme.example"),
            make_signin_log(),
            make_signin_event("admin@acme.example", "factor_reset", 3),
            make_signin_event("dev@acme.example"),
        ],
        "jamf:acme": [
            make_device(user="admin@acme.example", serial_number="A1"),
            make_device(user="CORP\\dev", serial_number="D1", encrypted=False),
            make_device(user="", serial_number="", hostname="kiosk"),
            make_device(user="gone@acme.example", retired=True),
        ],
        "crowdstrike:us-1": [make_edr_device("A1"), make_edr_device("", hostname="KIOSK.corp")],
    }  # fmt: skip
    settings = parse_settings({"policy": {"people": {"aliases": {"CORP\\dev": "dev@acme.example"}}}})
    registry = registry_with(plan)
    collect(settings, engine, registry)
    summary = evaluate(settings, engine, registry, NOW)  # the factories' reference time
    endpoint_checks = ("access.signer_devices", "detection.edr_coverage", "access.account_takeover_signals")
    # The estate has no training source: only the endpoint checks are asked to mention everything.
    missing = [
        line
        for line in vanished(settings, engine, registry, summary.evaluation_id)
        if line.startswith(endpoint_checks)
    ]
    assert not missing, "\n".join(missing)
    with Session(engine) as session:
        judged = {
            (f.check_id, f.resource): f.status
            for f in session.exec(select(Finding).where(Finding.evaluation_id == summary.evaluation_id))
            if f.check_id in endpoint_checks
        }
    assert judged[("access.signer_devices", "admin@acme.example")] == "pass"
    assert judged[("detection.edr_coverage", "device:serial:D1")] == "fail"  # no sensor seen
    assert judged[("detection.edr_coverage", "device:host:kiosk")] == "pass"
    assert judged[("access.account_takeover_signals", "admin@acme.example")] == "fail"
